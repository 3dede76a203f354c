/**
 * Under Wine's node.exe, a process of its own beside the agent: reads, writes or deletes one entry
 * of Windows Credential Manager through the product's store (windows-credential-manager.ts), so
 * that a test sees what the agent left there from outside the agent.
 */
import { windowsCredentialStore } from '../../../src/platform/credentials/windows-credential-manager.js';
import { probe } from '../../../dev/wine/probe.js';

type Input =
  | { op: 'get'; service: string; account: string }
  | { op: 'set'; service: string; account: string; secret: string }
  | { op: 'delete'; service: string; account: string };

probe(async (input: Input) => {
  const store = windowsCredentialStore(input.service);
  if (input.op === 'get') return { secret: await store.get(input.account) };
  if (input.op === 'set') {
    await store.set(input.account, input.secret);
    return { done: true };
  }
  return { deleted: await store.delete(input.account) };
});
