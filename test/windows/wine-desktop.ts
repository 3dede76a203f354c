/**
 * The desktop a Windows-tier test file shares: an Xvfb of `screen` (Wine needs a display, even for
 * winpty's hidden console) and a Wine session on it, started before the file's tests and closed
 * after them. `use` is given both once they are up (and may start more on them); `beforeClose`
 * runs first when they close.
 */
import { after, before } from 'node:test';
import { startXvfb, type Xvfb } from '../../dev/rig/xvfb.js';
import { startWineSession, type WineSession } from '../../dev/wine/wine-session.js';

export function wineDesktop(
  screen: { width: number; height: number },
  use: (wine: WineSession, xvfb: Xvfb) => unknown,
  beforeClose?: () => void,
): void {
  let xvfb: Xvfb | undefined;
  let wine: WineSession | undefined;
  before(async () => {
    xvfb = await startXvfb(screen);
    wine = await startWineSession({ display: xvfb.display });
    await use(wine, xvfb);
  });
  after(async () => {
    beforeClose?.();
    await wine?.close();
    await xvfb?.close();
  });
}
