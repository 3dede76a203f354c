/**
 * `relay keys …`: the relay's signing keys (src/relay/activation/keys.ts), on its data dir, while
 * it runs or not (a running relay reads the keys from the store on every use, so a rotation or a
 * revocation applies at once, without a restart).
 *
 * - `fingerprint`: the active key's id and fingerprint, what administrators publish (made here if
 *   the relay never ran, so that it can be published first);
 * - `list`: every key and its state;
 * - `rotate`: a new active key; the old one verifies what it signed until that expires and vouches
 *   for the new one to operators' apps for 90 days;
 * - `revoke <kid>`: refused at once; a revoked active key is replaced by a new one.
 */
import { formatFingerprint } from '../shared/activation-file.js';
import { ActivationKeys, KEY_VOUCH_MS, type KeyState } from './activation/keys.js';
import { UsageError, dataOption, parse, withStore } from './cli-support.js';
import { systemClock } from './clock.js';

/** The relay's default: the CLI cannot know a running relay's own setting. */
const ACTIVATION_LIFETIME_MS = 15 * 60_000;

function withKeys<T>(data: string | undefined, use: (keys: ActivationKeys) => Promise<T>): Promise<T> {
  return withStore(data, (store) =>
    use(new ActivationKeys(store, systemClock, { activationLifetimeMs: ACTIVATION_LIFETIME_MS })),
  );
}

function describe(state: KeyState): string {
  const at = (ms: number) => new Date(ms).toISOString();
  switch (state.status) {
    case 'active':
      return 'active (signs new files)';
    case 'retired':
      return `retired ${at(state.retiredAt)}; vouches for newer keys until ${at(state.vouchesUntil)}`;
    case 'revoked':
      return `revoked ${at(state.revokedAt)}`;
  }
}

export async function keys(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const { values, positionals } = parse({
    args: rest,
    options: dataOption,
    strict: true,
    allowPositionals: action === 'revoke',
  });
  switch (action) {
    case 'fingerprint': {
      const key = await withKeys(values.data, (ring) => ring.signing());
      console.log(`key id:      ${key.kid}
fingerprint: ${key.fingerprint}`);
      return;
    }
    case 'list': {
      const listed = await withKeys(values.data, async (ring) => {
        await ring.signing();
        return ring.list();
      });
      for (const { record, state } of listed)
        console.log(`${record.kid}  ${formatFingerprint(record.kid)}  ${describe(state)}`);
      return;
    }
    case 'rotate': {
      const { retired, next } = await withKeys(values.data, async (ring) => {
        const before = await ring.signing();
        return { retired: before, next: await ring.rotate() };
      });
      console.log(`signing key rotated
  new key id:      ${next.kid}
  new fingerprint: ${next.fingerprint}
  retired key:     ${retired.kid}
New activation files are signed with the new key at once. Files the retired key signed stay valid
until they expire. Operators' apps that trusted the retired key learn the new one from it by
themselves for ${KEY_VOUCH_MS / (24 * 60 * 60_000)} days; publish the new fingerprint for operators who start later.`);
      return;
    }
    case 'revoke': {
      const [kid, ...extra] = positionals;
      if (!kid || extra.length > 0) throw new UsageError('keys revoke needs exactly one key id (see keys list)');
      const { result, replacement } = await withKeys(values.data, (ring) => ring.revoke(kid));
      if (result !== 'revoked') {
        console.error(result === 'unknown' ? `no signing key ${kid}` : `signing key ${kid} is revoked already`);
        process.exitCode = 1;
        return;
      }
      console.log(`signing key ${kid} revoked: the files it signed are refused at once, by the relay and by
operators' apps (from their next file of this relay on); it vouches for nothing any more.`);
      if (replacement)
        console.log(`It was the active key: new files are signed with a new one.
  new key id:      ${replacement.kid}
  new fingerprint: ${replacement.fingerprint}
Operators' apps learn it through the relay's retired keys still vouching, if any; otherwise operators
compare this fingerprint again: publish it.`);
      return;
    }
    default:
      throw new UsageError(action ? `unknown keys command "${action}"` : 'missing keys command');
  }
}
