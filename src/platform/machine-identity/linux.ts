/**
 * Linux's machine identity: /etc/machine-id (systemd, machine-id(5): 32 lowercase hex digits,
 * made at installation), or /var/lib/dbus/machine-id where D-Bus keeps its own copy. An empty
 * file or "uninitialized" (an image not yet booted) is no identity.
 */
import { readFile } from 'node:fs/promises';

export const LINUX_MACHINE_ID_PATHS = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;

const MACHINE_ID = /^[0-9a-f]{32}$/;

export async function readLinuxMachineId(paths: readonly string[] = LINUX_MACHINE_ID_PATHS): Promise<string | null> {
  for (const file of paths) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const id = text.trim().toLowerCase();
    if (MACHINE_ID.test(id)) return id;
  }
  return null;
}
