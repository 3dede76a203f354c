/**
 * The device registry: which device hosts may receive assistances (unattended ones included).
 * Like operators, a device holds a bearer token `flxra_dev_<id>_<secret>` handed out once (its
 * agent's token, for a device enrolled by an agent), of which the store keeps only the HMAC under
 * the relay's token pepper (credentials/machine-tokens.ts).
 */
import { z } from 'zod';
import { Name } from '../shared/names.js';
import { bearerTokenId, issueBearerToken, reissueBearerToken } from './bearer-token.js';
import type { MachineTokens } from './credentials/machine-tokens.js';
import type { RelayStore } from './store/store.js';

export const DeviceIdentity = z.object({ id: z.string().min(1).max(64), name: Name });
export type DeviceIdentity = z.infer<typeof DeviceIdentity>;

export interface IssuedDevice {
  device: DeviceIdentity;
  /** The only time the token exists outside the device. */
  token: string;
}

export interface ListedDevice extends DeviceIdentity {
  createdAt: string;
}

export class DeviceRegistry {
  constructor(
    private readonly store: RelayStore,
    private readonly tokens: MachineTokens,
  ) {}

  /** Registers a device and returns its token; the token cannot be recovered later. */
  async add(input: { name: string }): Promise<IssuedDevice> {
    const { id, token } = issueBearerToken('dev');
    const device = DeviceIdentity.parse({ id, name: input.name.trim() });
    this.store.insertDevice({ ...device, ...this.tokens.stored(token), createdAt: new Date().toISOString() });
    return { device, token };
  }

  /**
   * A new token for a device that stays (enrolled again): the old one stops working at once; its
   * open connections are the relay's to drop (revocation.ts). Null when there is no such device.
   */
  reissue(id: string): IssuedDevice | null {
    const record = this.store.getDevice(id);
    if (!record) return null;
    const { token } = reissueBearerToken('dev', record.id);
    const { tokenMac } = this.tokens.stored(token);
    if (!this.store.replaceDeviceToken(record.id, tokenMac!)) return null;
    return { device: { id: record.id, name: record.name }, token };
  }

  /** The name the relay shows of the device, to operators and to its user alike; false when there is no such device. */
  rename(id: string, name: string): boolean {
    return this.store.renameDevice(id, name);
  }

  /** The registry's identity, or null. */
  get(id: string): DeviceIdentity | null {
    const record = this.store.getDevice(id);
    return record ? { id: record.id, name: record.name } : null;
  }

  list(): ListedDevice[] {
    return this.store.listDevices().map(({ id, name, createdAt }) => ({ id, name, createdAt }));
  }

  /** False when there was no such device. Its open connections are the relay's to drop (revocation.ts). */
  remove(id: string): boolean {
    return this.store.removeDevice(id);
  }

  /** Whether the device is registered (it may still be offline). */
  has(id: string): boolean {
    return this.store.getDevice(id) !== null;
  }

  /**
   * The registry's identity for a valid token, or null (malformed, unknown, removed or wrong: the
   * same work for each, see MachineTokens). Rejects with CredentialCheckBusy when an old scrypt
   * row cannot be checked now.
   */
  async verify(token: string): Promise<DeviceIdentity | null> {
    const id = bearerTokenId('dev', token);
    const record = id === null ? null : this.store.getDevice(id);
    const right = await this.tokens.matches(token, record, (mac) => this.store.upgradeDeviceToken(record!.id, mac));
    if (!record || !right) return null;
    return { id: record.id, name: record.name };
  }
}
