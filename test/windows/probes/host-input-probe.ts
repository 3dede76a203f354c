/**
 * Under Wine's node.exe: the host's input side as the host builds it on Windows without
 * Electron (createHostInput: user32's display provider, the SendInput injector, the input
 * controller), fed the operator's normalised events, with the cursor read back after each one.
 */
import koffi from 'koffi';
import type { DisplayInfo, InputEvent } from '../../../src/shared/input-events.js';
import { createHostInput } from '../../../src/platform/input/host-input.js';
import { probe } from '../../../dev/wine/probe.js';

export interface HostInputResult {
  displays: DisplayInfo[];
  handled: { result: string; cursor: { x: number; y: number } }[];
}

probe(async (input: { events: InputEvent[] }): Promise<HostInputResult> => {
  const POINT = koffi.struct('POINT', { x: 'int32_t', y: 'int32_t' });
  const GetCursorPos = koffi
    .load('user32.dll')
    .func('__stdcall', 'GetCursorPos', 'int32_t', [koffi.out(koffi.pointer(POINT))]);
  const host = await createHostInput();
  host.controller.setEnabled(true);
  const handled: HostInputResult['handled'] = [];
  for (const event of input.events) {
    const result = host.controller.handle(event);
    await new Promise((res) => setTimeout(res, 15));
    const cursor = { x: 0, y: 0 };
    GetCursorPos(cursor);
    handled.push({ result, cursor });
  }
  const displays = host.displays();
  await host.close();
  return { displays, handled };
});
