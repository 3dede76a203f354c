/**
 * Displays of a Windows desktop from user32 (EnumDisplayMonitors + GetMonitorInfoW), in the
 * same screen pixels the SendInput injector takes, so a host without Electron's screen module
 * (tests, a headless host) maps the operator's coordinates the way the injector moves. The
 * Electron app describes displays with its screen module instead (src/main/index.ts). Loaded
 * only on win32: it pulls in koffi and user32.dll.
 */
import type { DisplayInfo } from '../shared/input-events.js';
import type { DisplayProvider } from './displays.js';

const MONITORINFOF_PRIMARY = 0x1;
const CCHDEVICENAME = 32;

export async function createWindowsDisplayProvider(): Promise<DisplayProvider> {
  const koffi = (await import('koffi')).default;
  const user32 = koffi.load('user32.dll');
  const RECT = koffi.struct({ left: 'int32_t', top: 'int32_t', right: 'int32_t', bottom: 'int32_t' });
  const MONITORINFOEXW = koffi.struct({
    cbSize: 'uint32_t',
    rcMonitor: RECT,
    rcWork: RECT,
    dwFlags: 'uint32_t',
    szDevice: koffi.array('char16_t', CCHDEVICENAME, 'String'),
  });
  const MonitorEnumProc = koffi.proto('__stdcall', 'MonitorEnumProc', 'int32_t', [
    'void *',
    'void *',
    'void *',
    'intptr_t',
  ]);
  const EnumDisplayMonitors = user32.func('__stdcall', 'EnumDisplayMonitors', 'int32_t', [
    'void *',
    'void *',
    koffi.pointer(MonitorEnumProc),
    'intptr_t',
  ]);
  const GetMonitorInfoW = user32.func('__stdcall', 'GetMonitorInfoW', 'int32_t', [
    'void *',
    koffi.inout(koffi.pointer(MONITORINFOEXW)),
  ]);
  const infoSize = koffi.sizeof(MONITORINFOEXW);

  type Info = {
    rcMonitor: { left: number; top: number; right: number; bottom: number };
    dwFlags: number;
    szDevice: string;
  };
  const list = (): DisplayInfo[] => {
    const found: DisplayInfo[] = [];
    const failures: string[] = [];
    const callback = koffi.register((monitor: unknown) => {
      const info = { cbSize: infoSize } as unknown as Info & { cbSize: number };
      if (!GetMonitorInfoW(monitor, info)) {
        failures.push('GetMonitorInfoW failed');
        return 1;
      }
      const { left, top, right, bottom } = info.rcMonitor;
      found.push({
        id: info.szDevice || `monitor-${found.length + 1}`,
        x: left,
        y: top,
        width: right - left,
        height: bottom - top,
        primary: (info.dwFlags & MONITORINFOF_PRIMARY) !== 0,
      });
      return 1; // go on
    }, koffi.pointer(MonitorEnumProc));
    try {
      if (!EnumDisplayMonitors(null, null, callback, 0)) throw new Error('EnumDisplayMonitors failed');
    } finally {
      koffi.unregister(callback);
    }
    if (failures.length) throw new Error(failures[0]);
    // Primary first, as the provider's contract says; the others in Windows' order.
    return found.sort((a, b) => Number(b.primary) - Number(a.primary));
  };

  list(); // fails here, at creation, when user32 is not what is expected
  // Enumerated on each call: monitors that come and go are seen at once.
  return { list, close: async () => {} };
}
