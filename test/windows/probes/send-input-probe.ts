/**
 * Under Wine's node.exe: drives the project's SendInput injector (src/platform/input/
 * windows-send-input.ts) through a list of steps and reads the cursor back with GetCursorPos
 * where asked, so test/windows/send-input.test.ts can compare what was sent with what a Windows
 * window received. Also reports the INPUT bytes the injector's koffi layout produces.
 */
import koffi from 'koffi';
import type { MouseButton } from '../../../src/shared/input-events.js';
import {
  createSendInputInjector,
  defineInputType,
  keyInput,
  toNative,
} from '../../../src/platform/input/windows-send-input.js';
import { probe } from '../../../dev/wine/probe.js';

export type Step =
  | { op: 'moveTo'; x: number; y: number }
  | { op: 'moveBy'; dx: number; dy: number }
  | { op: 'button'; button: MouseButton; down: boolean }
  | { op: 'wheel'; dx: number; dy: number }
  | { op: 'key'; code: string; down: boolean }
  | { op: 'vk'; vk: number; down: boolean }
  | { op: 'text'; text: string }
  | { op: 'cursor' };

export type ProbeInput = { mode: 'steps'; steps: Step[] } | { mode: 'layout' };

export interface StepsResult {
  cursor: { x: number; y: number }[];
  errors: string[];
  keyUnknown: string[];
}

export interface LayoutResult {
  size: number;
  keyA: string;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

probe(async (input: ProbeInput): Promise<StepsResult | LayoutResult> => {
  if (input.mode === 'layout') {
    const INPUT = defineInputType(koffi);
    const bytes = Buffer.alloc(koffi.sizeof(INPUT), 0xff);
    // The scan-code-only press: no virtual key asked for (wVk 0).
    koffi.encode(bytes, INPUT, toNative(keyInput('KeyA', true)![0]!));
    return { size: koffi.sizeof(INPUT), keyA: bytes.toString('hex') };
  }
  const POINT = koffi.struct('POINT', { x: 'int32_t', y: 'int32_t' });
  const GetCursorPos = koffi
    .load('user32.dll')
    .func('__stdcall', 'GetCursorPos', 'int32_t', [koffi.out(koffi.pointer(POINT))]);
  const errors: string[] = [];
  const injector = await createSendInputInjector({ onError: (err) => errors.push(err.message) });
  const result: StepsResult = { cursor: [], errors, keyUnknown: [] };
  for (const step of input.steps) {
    switch (step.op) {
      case 'moveTo':
        injector.moveTo(step.x, step.y);
        break;
      case 'moveBy':
        injector.moveBy(step.dx, step.dy);
        break;
      case 'button':
        injector.button(step.button, step.down);
        break;
      case 'wheel':
        injector.wheel(step.dx, step.dy);
        break;
      case 'key':
        if (!injector.key(step.code, step.down)) result.keyUnknown.push(step.code);
        break;
      case 'vk':
        injector.virtualKey(step.vk, step.down);
        break;
      case 'text':
        injector.typeText(step.text);
        break;
      case 'cursor': {
        const point = { x: 0, y: 0 };
        if (!GetCursorPos(point)) throw new Error('GetCursorPos failed');
        result.cursor.push(point);
        break;
      }
    }
    // Wine hands each input to the server and on to the window's queue: a moment between steps
    // keeps them in order with the cursor reads.
    await sleep(15);
  }
  await injector.close();
  return result;
});
