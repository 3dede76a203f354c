/**
 * One operator identity, several apps (src/relay/operators.ts, revocation.ts), against a real
 * relay and real sqlite: each app signed in from the console gets a token of its own, so a second
 * computer (or a colleague sharing the identity) signing in does not sign the first out; one app
 * token can be revoked alone, its connection dropping at its next event; and removing the
 * identity with the relay command ends every app's connection and token.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseAppSignInLink, AppSignInOffer } from '../../src/shared/app-sign-in-link.js';
import { APP_SIGN_IN_PATH, AppSignInToken } from '../../src/shared/relay-api.js';
import { bearerTokenId } from '../../src/relay/bearer-token.js';
import { DB_FILE } from '../../src/relay/store/data-dir.js';
import { startTestRelay } from '../../dev/rig/relay.js';
import { until } from '../../dev/rig/until.js';
import { firstAdmin, type ConsoleClient } from '../fixtures/console.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** The identity's app-token rows as the database holds them (read beside the running relay). */
function rows(dataDir: string, operatorId: string): Array<{ id: string; token_mac: Buffer }> {
  const db = new Database(path.join(dataDir, DB_FILE), { readonly: true });
  try {
    return db.prepare('SELECT id, token_mac FROM operator_app_tokens WHERE operator_id = ?').all(operatorId) as Array<{
      id: string;
      token_mac: Buffer;
    }>;
  } finally {
    db.close();
  }
}

function relayCommand(dataDir: string, ...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/relay/cli.ts', ...args, '--data', dataDir], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}: ${output}`)))),
  );
}

/** An app signing in from the console: "Connect the app", then the code redeemed. */
async function signInApp(relayUrl: string, client: ConsoleClient): Promise<string> {
  const made = await client.call('POST', '/me/app-sign-in');
  assert.equal(made.status, 201, made.text);
  const parsed = parseAppSignInLink(AppSignInOffer.parse(made.body).link);
  assert.ok(parsed.ok);
  const answer = await fetch(`${relayUrl}${APP_SIGN_IN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: parsed.code }),
  });
  assert.equal(answer.status, 200);
  return AppSignInToken.parse(await answer.json()).token;
}

test('two apps signed in for one identity both work; one revoked alone; the identity removed ends both', async (t) => {
  const relay = await startTestRelay();
  t.after(() => relay.close());
  const admin = await firstAdmin(relay);
  const identity = admin.user!.operatorId;

  const first = await signInApp(relay.url, admin);
  const firstApp = await relay.connectOperator(first);
  const second = await signInApp(relay.url, admin);
  assert.notEqual(first, second, 'a token of its own');
  const secondApp = await relay.connectOperator(second);
  // The second sign-in signed nobody out: the first app's connection and token still work.
  assert.equal(firstApp.socket.connected, true);
  const firstAgain = await relay.connectOperator(first);
  assert.equal(firstAgain.operator.id, identity);
  assert.equal(secondApp.operator.id, identity);
  // And so does the token printed at setup.
  assert.equal((await relay.connectOperator(admin.operatorToken)).operator.id, identity);
  const stored = rows(relay.dataDir, identity);
  assert.equal(stored.length, 2);
  assert.ok(
    stored.every((r) => r.token_mac.length === 32) &&
      [first, second].every((tk) => stored.some((r) => r.id === bearerTokenId('op', tk))),
    'one row per app, named by its token',
  );
  const dump = JSON.stringify(stored.map((r) => r.token_mac.toString('base64url')));
  assert.ok(!dump.includes(first.slice(-43)) && !dump.includes(second.slice(-43)), 'kept as MACs, not the secrets');

  // One app token revoked: its connections drop at their next event, the other app goes on.
  const firstId = bearerTokenId('op', first)!;
  assert.equal(relay.handle.operators.revokeAppToken(firstId), true);
  firstApp.emit('session:join', { sessionId: '123456789' });
  firstAgain.emit('session:join', { sessionId: '123456789' });
  await until('the revoked app dropped', () => firstApp.socket.disconnected && firstAgain.socket.disconnected);
  await assert.rejects(relay.connectOperator(first), /invalid or revoked operator token/);
  assert.equal(secondApp.socket.connected, true);
  assert.deepEqual(
    relay.handle.operators.appTokens(identity).map((a) => a.id),
    [bearerTokenId('op', second)],
  );

  // The identity removed by the relay command (another process): every app of it ends.
  await relayCommand(relay.dataDir, 'operator', 'remove', identity);
  await until('the other app dropped', () => secondApp.socket.disconnected);
  await assert.rejects(relay.connectOperator(second), /invalid or revoked operator token/);
  assert.deepEqual(rows(relay.dataDir, identity), [], 'its app tokens went with it');
});
