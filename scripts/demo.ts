/**
 * `npm run demo`: a whole attended session to watch here, with no Electron binary needed.
 * It starts a virtual desktop (Xvfb) with an xterm and a window that reacts to input, the relay,
 * a host and an operator (the renderers in Debian's Chromium, bridged to the real main-process
 * modules as in the tests), plays a short scripted session, and saves screenshots.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startSessionRig } from '../dev/rig/session-rig.js';
import { TARGET_COLOURS } from '../dev/rig/x-target.js';
import { startXvfb, startXterm, setRootColour } from '../dev/rig/xvfb.js';
import { clientPointExpression, waitForExpression } from '../dev/rig/page-probes.js';
import { typeOnUsKeyboard } from '../dev/rig/us-keyboard.js';

const OUT = path.resolve('demo-output');
const step = (text: string) => console.log(`demo: ${text}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const xvfb = await startXvfb({ width: 1280, height: 720 });
const children: Array<{ kill(): unknown }> = [];
try {
  await fs.mkdir(OUT, { recursive: true });
  setRootColour(xvfb, '#3366cc');
  children.push(
    await startXterm(xvfb, {
      geometry: '80x20+40+40',
      title: 'demo-xterm',
      command: 'echo "Hello from the assisted desktop"; exec sh',
    }),
  );
  const target = spawn(process.execPath, ['--import', 'tsx', 'dev/rig/x-target.ts', '800', '300', '320', '200'], {
    env: xvfb.env,
    stdio: 'ignore',
  });
  children.push(target);
  step(`virtual desktop on ${xvfb.display} (1280×720)`);

  const rig = await startSessionRig(xvfb.display);
  try {
    step(`relay on ${rig.relay.url}; operator "${rig.relay.operatorIdentity.name}" signed in`);
    const id = (await rig.host.page.getByTestId('session-id').textContent({ timeout: 10_000 }))!;
    step(`the device shows session ID ${id}; the operator types it and joins`);
    await rig.operator.page.getByLabel('Session ID').fill(id);
    await rig.operator.page.getByRole('button', { name: 'Join' }).click();
    await rig.host.page.getByTestId('consent').waitFor();
    await rig.host.page.screenshot({ path: path.join(OUT, 'host-consent.png') });
    step('the user sees the consent window and allows control');
    await rig.host.page.getByRole('button', { name: 'Allow control' }).click();
    await waitForExpression(rig.operator.page, `document.querySelector('video')?.videoWidth > 0`, 10_000);
    await pause(800);
    step('the operator clicks the grey window and types "g", then "b"');
    const p = await rig.operator.page.evaluate<{ x: number; y: number }>(clientPointExpression(960, 400, 1280, 720));
    await rig.operator.page.mouse.click(p.x, p.y);
    await rig.operator.page.keyboard.press('g');
    await pause(400);
    await rig.operator.page.keyboard.press('b');
    step('the operator clicks into the terminal and types a command');
    const t = await rig.operator.page.evaluate<{ x: number; y: number }>(clientPointExpression(280, 200, 1280, 720));
    await rig.operator.page.mouse.click(t.x, t.y);
    await typeOnUsKeyboard(rig.operator.page, 'echo "Typed by the operator: Hello_World!"');
    await rig.operator.page.keyboard.press('Enter');
    await pause(800);
    await rig.host.page.screenshot({ path: path.join(OUT, 'host-indicator.png') });
    await rig.operator.page.screenshot({ path: path.join(OUT, 'operator-view.png') });
    step(
      `the window turned blue (#${TARGET_COLOURS.b.toString(16).padStart(6, '0')}) on the device, seen by the operator`,
    );
    await rig.host.page.getByRole('button', { name: 'End session' }).click();
    await rig.operator.page.getByText('The user ended the session.').waitFor();
    await rig.operator.page.screenshot({ path: path.join(OUT, 'operator-ended.png') });
    step('the user ended the session; the operator was told');
  } finally {
    await rig.close();
  }
  step(`screenshots in ${OUT}: host-consent.png, host-indicator.png, operator-view.png, operator-ended.png`);
} finally {
  for (const c of children) c.kill();
  await xvfb.close();
}
