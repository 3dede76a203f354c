/**
 * This machine's identity, for the agent's enrolment: the same machine enrolling again (a
 * reinstalled agent, a lost state folder) keeps its device record on the relay instead of
 * becoming a twin. One reader per platform:
 * - Linux: /etc/machine-id (or D-Bus's /var/lib/dbus/machine-id); see linux.ts.
 * - Windows: MachineGuid under HKLM\SOFTWARE\Microsoft\Cryptography; see windows.ts.
 * What leaves the machine is never the raw id but an app-specific hash of it (as systemd's
 * sd_id128_get_machine_app_specific does: machine-id(5) asks for exactly that), so that the
 * relay's records cannot be joined with other programs' by it.
 */
import { createHmac } from 'node:crypto';
import { createCommandRunner, type CommandRunner } from '../user-sessions/run-command.js';
import { readLinuxMachineId } from './linux.js';
import { readWindowsMachineGuid } from './windows.js';

export interface MachineIdentityReader {
  /** The app-specific identity (64 hex digits), or null when the system has none to read. */
  read(): Promise<string | null>;
}

export interface MachineIdentityOptions {
  /** Linux: the files tried in order. */
  machineIdPaths?: readonly string[];
  /** Windows: how reg.exe is run; tests pass recorded answers. */
  run?: CommandRunner;
  /** Windows: %SystemRoot%, where reg.exe is found. */
  systemRoot?: string;
}

const APP_KEY = 'flxra agent machine identity v1';

/** The hash that stands for a raw machine id: HMAC-SHA-256 keyed by the id, of flxra's own label. */
export function appSpecificIdentity(rawId: string): string {
  return createHmac('sha256', rawId.trim().toLowerCase()).update(APP_KEY).digest('hex');
}

export function createMachineIdentityReader(
  platform: NodeJS.Platform = process.platform,
  opts: MachineIdentityOptions = {},
): MachineIdentityReader {
  const readRaw =
    platform === 'linux'
      ? () => readLinuxMachineId(opts.machineIdPaths)
      : platform === 'win32'
        ? () => readWindowsMachineGuid(opts.run ?? createCommandRunner(), opts.systemRoot ?? process.env.SystemRoot)
        : async () => null;
  return {
    async read() {
      const raw = await readRaw();
      return raw === null ? null : appSpecificIdentity(raw);
    },
  };
}
