/**
 * The device registry: which device hosts may receive assistances (unattended ones included).
 * Like operators, a device holds a bearer token `flxra_dev_<id>_<secret>` handed out once, of
 * which the store keeps only a salted scrypt hash. (Enrolment will later replace how tokens
 * are issued; verification stays.)
 */
import { z } from 'zod';
import { bearerTokenId, issueBearerToken } from './bearer-token.js';
import { DEFAULT_SCRYPT, hashSecret, verifySecret } from './secret-hash.js';
import type { RelayStore, ScryptParams } from './store/store.js';

export const DeviceIdentity = z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(200) });
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
  /** `scrypt`: the cost of new token hashes (only tests lower it). */
  constructor(
    private readonly store: RelayStore,
    private readonly scrypt: ScryptParams = DEFAULT_SCRYPT,
  ) {}

  /** Registers a device and returns its token; the token cannot be recovered later. */
  async add(input: { name: string }): Promise<IssuedDevice> {
    const { id, token } = issueBearerToken('dev');
    const device = DeviceIdentity.parse({ id, name: input.name.trim() });
    const hashed = await hashSecret(token, this.scrypt);
    this.store.insertDevice({ ...device, ...hashed, createdAt: new Date().toISOString() });
    return { device, token };
  }

  list(): ListedDevice[] {
    return this.store.listDevices().map(({ id, name, createdAt }) => ({ id, name, createdAt }));
  }

  /** False when there was no such device. A host already connected with its token stays up. */
  remove(id: string): boolean {
    return this.store.removeDevice(id);
  }

  /** Whether the device is registered (it may still be offline). */
  has(id: string): boolean {
    return this.store.getDevice(id) !== null;
  }

  /** The registry's identity for a valid token, or null (malformed, unknown, removed or wrong). */
  async verify(token: string): Promise<DeviceIdentity | null> {
    const id = bearerTokenId('dev', token);
    const record = id === null ? null : this.store.getDevice(id);
    if (!record || !(await verifySecret(token, record))) return null;
    return { id: record.id, name: record.name };
  }
}
