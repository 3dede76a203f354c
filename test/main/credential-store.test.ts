/** Operator tokens live in the system keychain; without one the app says so instead of crashing. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import {
  keytarCredentialStore,
  loadOperatorToken,
  takeConfiguredOperatorToken,
} from '../../src/platform/credentials/credential-store.js';

const run = promisify(execFile);

test('without a Secret Service the operator is told plainly, and nothing throws', async () => {
  const saved = { dbus: process.env.DBUS_SESSION_BUS_ADDRESS, display: process.env.DISPLAY };
  delete process.env.DBUS_SESSION_BUS_ADDRESS;
  delete process.env.DISPLAY;
  try {
    const result = await loadOperatorToken('http://127.0.0.1:7443', null, keytarCredentialStore());
    assert.equal(result.token, null);
    assert.match(result.reason, /No keychain \(Secret Service\) is running/);
  } finally {
    if (saved.dbus) process.env.DBUS_SESSION_BUS_ADDRESS = saved.dbus;
    if (saved.display) process.env.DISPLAY = saved.display;
  }
});

test('the environment variable wins over the keychain for its own relay only, and leaves the environment', async () => {
  const env: Record<string, string | undefined> = { FLXRA_OPERATOR_TOKEN: 'flxra_op_x_y', OTHER: 'kept' };
  const configured = takeConfiguredOperatorToken(env, 'http://127.0.0.1:7443/some/path');
  assert.deepEqual(env, { OTHER: 'kept' });
  assert.deepEqual(await loadOperatorToken('http://127.0.0.1:7443', configured, keytarCredentialStore()), {
    token: 'flxra_op_x_y',
    reason: '',
  });
  // Another origin (another port is another relay) gets nothing from it.
  const other = await loadOperatorToken('http://127.0.0.1:7444', configured, keytarCredentialStore());
  assert.equal(other.token, null);
});

test('with a Secret Service (gnome-keyring) a token is saved, read back and deleted', async () => {
  const script = `echo -n flxra-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "${process.execPath}" --import tsx test/main/keychain-probe.ts`;
  const { stdout } = await run('dbus-run-session', ['--', 'sh', '-c', script], { timeout: 30_000 });
  const lastLine = stdout.trim().split('\n').pop()!;
  assert.deepEqual(JSON.parse(lastLine), { loaded: 'flxra_op_probe_secret', deleted: true, after: null });
});
