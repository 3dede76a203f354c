/**
 * An agent running as root (the Linux service) starts the host as the user session's account,
 * in that user's environment: account look-up through getent, the environment built for the
 * session, and a real process started as another user (this test runs as root, as CI does).
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createElectronLauncher } from '../../src/agent/launcher/electron.js';
import type { HostLaunchRequest } from '../../src/agent/launcher/launcher.js';
import { DEFAULT_VERIFICATION } from '../../src/shared/verification-policy.js';
import { lookUpAccount, parsePasswdLine, sessionEnvironment } from '../../src/agent/launcher/session-account.js';

const request: HostLaunchRequest = {
  sessionId: '123456789',
  mode: 'attended',
  hostToken: 'flxra_host_secret_0123456789abcdef',
  display: ':7',
  user: 'nobody',
  relayUrl: 'http://127.0.0.1:7443',
  operator: { id: 'op1', name: 'Ada Lovelace', organisation: 'Help Desk' },
  verification: DEFAULT_VERIFICATION,
};

test('accounts come from getent (local and directory users alike); unknown, malformed and root ones are refused', () => {
  assert.deepEqual(lookUpAccount('nobody'), { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' });
  assert.throws(() => lookUpAccount('flxra-no-such-user'), /account flxra-no-such-user does not exist on this device/);
  assert.throws(() => lookUpAccount('--help'), /is not an account name/);
  assert.throws(() => lookUpAccount('root'), /never started as root/);
  // A directory user as SSSD answers it: the name has a domain, the uid is large.
  const ad = 'alice@corp.example:*:1668601103:1668600513:Alice Martin:/home/alice@corp.example:/bin/bash\n';
  assert.deepEqual(
    lookUpAccount('alice@corp.example', () => ad),
    { name: 'alice@corp.example', uid: 1668601103, gid: 1668600513, home: '/home/alice@corp.example' },
  );
  assert.throws(() => parsePasswdLine('alice:x:abc:1000::/home/alice:/bin/sh'), /not a passwd entry/);
});

test("the session's environment: its user, display, X authority and session bus; none of the agent's own variables", () => {
  const account = { name: 'alice', uid: 1000, gid: 1000, home: '/home/alice' };
  const base = {
    PATH: '/usr/bin:/bin',
    LANG: 'fr_FR.UTF-8',
    NODE_EXTRA_CA_CERTS: '/etc/flxra/org-ca.pem',
    HOME: '/root',
    FLXRA_AGENT_SECRET: 'x',
    XAUTHORITY: '/root/.Xauthority',
  };
  const present = (files: string[]) => (file: string) => files.includes(file);

  // GDM: the X authority and the bus in the user's runtime folder.
  assert.deepEqual(
    sessionEnvironment(account, ':1', {
      base,
      exists: present(['/run/user/1000', '/run/user/1000/gdm/Xauthority', '/run/user/1000/bus']),
    }),
    {
      PATH: '/usr/bin:/bin',
      LANG: 'fr_FR.UTF-8',
      // The relay's certificate is checked by the host as by the agent (docs/deployment.md).
      NODE_EXTRA_CA_CERTS: '/etc/flxra/org-ca.pem',
      HOME: '/home/alice',
      USER: 'alice',
      LOGNAME: 'alice',
      DISPLAY: ':1',
      XAUTHORITY: '/run/user/1000/gdm/Xauthority',
      XDG_RUNTIME_DIR: '/run/user/1000',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus',
    },
  );
  // startx or LightDM, no logind: ~/.Xauthority, no runtime folder.
  assert.deepEqual(sessionEnvironment(account, ':0', { base, exists: present(['/home/alice/.Xauthority']) }), {
    PATH: '/usr/bin:/bin',
    LANG: 'fr_FR.UTF-8',
    NODE_EXTRA_CA_CERTS: '/etc/flxra/org-ca.pem',
    HOME: '/home/alice',
    USER: 'alice',
    LOGNAME: 'alice',
    DISPLAY: ':0',
    XAUTHORITY: '/home/alice/.Xauthority',
  });
});

test(
  'a root agent runs the host as the session’s user, never as root',
  { skip: process.getuid?.() !== 0 && 'runs only as root, as the agent service does' },
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-run-as-'));
    try {
      await chmod(dir, 0o777);
      const out = path.join(dir, 'seen');
      // Stands in for the app: writes down who it runs as and what it was given.
      const app = path.join(dir, 'flxra');
      await writeFile(
        app,
        `#!/bin/sh\n{ id -u; id -g; id -G; pwd; echo "$HOME $USER $DISPLAY"; [ -n "$FLXRA_HOST_TOKEN" ] && echo token; echo "$*"; } > ${out}\n`,
      );
      await chmod(app, 0o755);
      const logs: string[] = [];
      const launcher = createElectronLauncher({ executable: app, log: (l) => logs.push(l), asRoot: true });
      await launcher.start(request);
      for (let i = 0; i < 100 && !logs.some((l) => l.includes('exited')); i++)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(logs, ['[host 123456789] exited (code 0)']);
      assert.deepEqual((await readFile(out, 'utf8')).trim().split('\n'), [
        '65534',
        '65534',
        '65534', // root's supplementary groups are dropped
        '/', // nobody's home does not exist
        '/nonexistent nobody :7',
        'token',
        '--host --relay http://127.0.0.1:7443',
      ]);

      // Root with no user session to go to starts nothing.
      const { user: _, ...noSession } = request;
      await assert.rejects(
        launcher.start({ ...noSession, sessionId: '987654321' }),
        /no user session to start the host in/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
