/**
 * Under Wine's node.exe: reports what the Windows tier's runner promises its scripts (a win32
 * Node of the project's version, koffi's win32 build, the test's display), or fails on purpose
 * (a thrown error, a native crash) so the runner's failure paths are tested too.
 */
import koffi from 'koffi';
import { probe } from '../../../dev/wine/probe.js';

probe((input: { mode: 'report' | 'throw' | 'crash' }) => {
  if (input.mode === 'throw') throw new Error('the probe failed on purpose');
  if (input.mode === 'crash') {
    // An access violation: without WINEDLLOVERRIDES' winedbg.exe=d this would hang in winedbg.
    const memcpy = koffi.load('msvcrt.dll').func('void *memcpy(void *dest, const void *src, size_t n)');
    memcpy(null, Buffer.alloc(16), 16);
    return 'survived';
  }
  const user32 = koffi.load('user32.dll');
  const GetSystemMetrics = user32.func('__stdcall', 'GetSystemMetrics', 'int32_t', ['int32_t']);
  return {
    platform: process.platform,
    arch: process.arch,
    node: process.versions.node,
    koffi: koffi.version,
    screen: { width: GetSystemMetrics(0) as number, height: GetSystemMetrics(1) as number },
    display: process.env.DISPLAY,
  };
});
