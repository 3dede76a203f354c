/** Run by credential-store.test.ts inside a D-Bus session: set, get, delete through keytar. */
import { keytarCredentialStore, loadOperatorToken } from '../../src/platform/credentials/credential-store.js';

const store = keytarCredentialStore();
const relay = 'http://127.0.0.1:7443';
await store.set('operator-token@http://127.0.0.1:7443', 'flxra_op_probe_secret');
const loaded = await loadOperatorToken(relay, null, store);
const deleted = await store.delete('operator-token@http://127.0.0.1:7443');
const after = await store.get('operator-token@http://127.0.0.1:7443');
console.log(JSON.stringify({ loaded: loaded.token, deleted, after }));
