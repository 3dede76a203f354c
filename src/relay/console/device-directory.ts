/**
 * What the console and the policy read about devices: the facts their agents report and whether
 * they are connected. An interface, so that the console does not depend on how devices are
 * enrolled and tracked (src/relay/agents does that).
 */
import type { ConsoleDevice } from '../../shared/console-api.js';

/** A device as its agent reports it: the console's row without the availability it derives. */
export type DirectoryDevice = Omit<ConsoleDevice, 'availability'> & {
  /** The environment its enrolment token put it in: the console lists only its user's. */
  environmentId: string;
};

export interface DeviceDirectory {
  /** Every device that has reported, in a stable order. */
  list(): DirectoryDevice[];
  get(deviceId: string): DirectoryDevice | null;
}
