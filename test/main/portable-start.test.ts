/**
 * The operator's portable .exe on a computer without flxra (src/main/portable/portable-start.ts),
 * on real folders and files: it knows itself by its wrapper's variables (those portable.nsi
 * sets), puts everything it writes inside the folder the wrapper removes at exit, registers no
 * `flxra:` handler, opens the file it was started with or the one saved beside it (several: a
 * list to choose from; none: the dialog), and keeps credentials out of the real keychain.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  choiceAnswer,
  choiceQuestion,
  MAX_LISTED_BUTTONS,
  MOVED_PATHS,
  PORTABLE_ENV,
  portableOpening,
  prepareSessionFolders,
  startupPlan,
} from '../../src/main/portable/portable-start.js';
import { keytarCredentialStore, operatorTokenAccount } from '../../src/platform/credentials/credential-store.js';
import { sessionCredentialStore } from '../../src/platform/credentials/session-credential-store.js';
import { keychainOperatorParts } from '../../src/main/operator/keychain-operator.js';
import { TrustedRelays } from '../../src/main/activation/trusted-relays.js';

const require = createRequire(import.meta.url);

/** A computer's layout: the folder the operator saved the .exe in, and the wrapper's unpack folder in TEMP. */
async function layout(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'flxra-portable-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const saved = path.join(root, 'Downloads');
  const unpack = path.join(root, 'Temp', 'nsq1A2B.tmp', 'app');
  await mkdir(saved, { recursive: true });
  await mkdir(unpack, { recursive: true });
  const exeFile = path.join(saved, 'flxra-operator-26.11.0-portable.exe');
  await writeFile(exeFile, 'MZ');
  const execPath = path.join(unpack, 'flxra.exe');
  await writeFile(execPath, 'MZ');
  const env = { [PORTABLE_ENV.file]: exeFile, [PORTABLE_ENV.dir]: saved };
  return { root, saved, unpack, exeFile, execPath, env };
}

async function flxra(dir: string, name: string, minutesAgo = 0): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, 'v1.header.claims.sig\n');
  const at = new Date(Date.now() - minutesAgo * 60_000);
  await utimes(file, at, at);
  return file;
}

test("the wrapper's variables are those portable.nsi sets, and the app runs from the folder it removes after", async () => {
  const template = await readFile(require.resolve('app-builder-lib/templates/nsis/portable.nsi'), 'utf8');
  for (const name of Object.values(PORTABLE_ENV))
    assert.ok(template.includes(`SetEnvironmentVariable(t, t)i ("${name}"`), name);
  // The app's executable is directly in $INSTDIR, which is removed once the app has exited: the
  // session's data folder (inside the executable's folder) goes with it.
  assert.match(template, /ExecWait "\$INSTDIR\\\$\{APP_EXECUTABLE_FILENAME\} \$R0" \$0/);
  assert.match(template, /SetOutPath \$EXEDIR\s*\n\s*RMDir \/r \$INSTDIR/);
  // ...and runs in it: the working folder is the unpacked copy, not where the .exe was started.
  assert.match(template, /SetOutPath \$INSTDIR[\s\S]*ExecWait/);
});

test('an installed app (no wrapper) keeps its usual start: its link handler, its own data folders', () => {
  const plan = startupPlan({ PATH: '/usr/bin' }, '/opt/flxra/flxra');
  assert.deepEqual(plan, { portable: null, registerSignInScheme: true, forceOperator: false });
  // One variable alone is not the wrapper.
  assert.equal(startupPlan({ [PORTABLE_ENV.dir]: 'C:\\Users\\ada\\Downloads' }, 'C:\\x\\flxra.exe').portable, null);
});

test('the portable .exe writes only inside its unpacked folder, which its wrapper removes: nothing else stays', async (t) => {
  const l = await layout(t);
  const plan = startupPlan(l.env, l.execPath);
  assert.ok(plan.portable);
  assert.equal(plan.registerSignInScheme, false, 'no flxra: handler in the registry');
  assert.equal(plan.forceOperator, true);
  assert.equal(plan.portable.exeDir, l.saved);
  assert.equal(plan.portable.exeFile, l.exeFile);
  assert.deepEqual(Object.keys(plan.portable.paths).sort(), [...MOVED_PATHS].sort());
  for (const dir of [...Object.values(plan.portable.paths), plan.portable.env.TEMP, plan.portable.env.TMP]) {
    const inside = path.relative(l.unpack, dir);
    assert.ok(inside && !inside.startsWith('..') && !path.isAbsolute(inside), `${dir} is inside ${l.unpack}`);
  }

  prepareSessionFolders(plan.portable);
  prepareSessionFolders(plan.portable); // a second call finds them there
  // What Chromium writes during the session: its profile, cache, logs, a temp file.
  for (const [name, dir] of Object.entries(plan.portable.paths)) await writeFile(path.join(dir, `${name}.bin`), 'x');
  // The wrapper's RMDir /r $INSTDIR after the app exited.
  await rm(l.unpack, { recursive: true });
  assert.deepEqual(await readdir(path.join(l.root, 'Temp', 'nsq1A2B.tmp')), []);
  assert.deepEqual(await readdir(l.saved), [path.basename(l.exeFile)], 'beside the .exe: the .exe only');
});

test('an app started with the variables but not from an unpacked copy is not taken for the portable .exe', async (t) => {
  const l = await layout(t);
  // Its folder would be the .exe's own: nothing written there would ever be removed.
  assert.equal(startupPlan(l.env, path.join(l.saved, 'flxra.exe')).portable, null);
});

test('the .flxra the .exe was started with is opened, before any saved beside it', async (t) => {
  const l = await layout(t);
  await flxra(l.saved, 'beside.flxra');
  const elsewhere = path.join(l.root, 'Desktop');
  await mkdir(elsewhere);
  const dropped = await flxra(elsewhere, 'Dropped.FLXRA');
  const plan = startupPlan(l.env, l.execPath);
  assert.ok(plan.portable);
  // Windows passes the file dropped on the .exe as its argument; the wrapper hands it on.
  assert.deepEqual(await portableOpening(plan.portable, [l.execPath, dropped]), {
    kind: 'open',
    file: dropped,
    from: 'command-line',
  });
  // A relative name is the .exe's folder's (the wrapper runs the app in its unpacked copy).
  assert.deepEqual(await portableOpening(plan.portable, [l.execPath, 'beside.flxra']), {
    kind: 'open',
    file: path.join(l.saved, 'beside.flxra'),
    from: 'command-line',
  });
});

test('without one on the command line: the one .flxra beside the .exe; other files and folders are not files to open', async (t) => {
  const l = await layout(t);
  const only = await flxra(l.saved, 'assistance-4711.flxra');
  await writeFile(path.join(l.saved, 'notes.txt'), 'x');
  await writeFile(path.join(l.saved, 'assistance.flxra.txt'), 'x');
  await mkdir(path.join(l.saved, 'old.flxra'));
  assert.deepEqual(await portableOpening({ exeDir: l.saved }, [l.execPath]), {
    kind: 'open',
    file: only,
    from: 'beside-the-exe',
  });
});

test('several beside the .exe: the operator chooses from a list, newest first; none: the file dialog there', async (t) => {
  const l = await layout(t);
  assert.deepEqual(await portableOpening({ exeDir: l.saved }, [l.execPath]), { kind: 'pick', dir: l.saved });

  const names = ['a.flxra', 'b.flxra', 'c.flxra', 'd.flxra', 'e.flxra', 'f.flxra'];
  // a is the oldest, f the newest.
  for (const [i, name] of names.entries()) await flxra(l.saved, name, 60 - i);
  const opening = await portableOpening({ exeDir: l.saved }, [l.execPath]);
  assert.equal(opening.kind, 'choose');
  if (opening.kind !== 'choose') return;
  const choose = opening;
  assert.deepEqual(
    choose.files.map((f) => f.name),
    [...names].reverse(),
  );

  const question = choiceQuestion(choose);
  assert.equal(MAX_LISTED_BUTTONS, 4);
  assert.deepEqual(question.buttons, ['f.flxra', 'e.flxra', 'd.flxra', 'c.flxra', 'Another file…', 'Cancel']);
  assert.equal(question.cancelId, 5);
  assert.match(question.message, /^6 activation files are saved beside flxra/);
  for (const name of names) assert.ok(question.detail.includes(name), `${name} is listed`);
  assert.ok(question.detail.startsWith(`In ${l.saved}:`));

  assert.deepEqual(choiceAnswer(choose, 1), { kind: 'open', file: path.join(l.saved, 'e.flxra') });
  assert.deepEqual(choiceAnswer(choose, 4), { kind: 'pick', dir: l.saved }, 'Another file…: the dialog');
  assert.deepEqual(choiceAnswer(choose, 5), { kind: 'none' }, 'Cancel: the home screen');
  assert.deepEqual(choiceAnswer(choose, -1), { kind: 'none' });
});

test('a folder that cannot be read: the file dialog, and why', async (t) => {
  const l = await layout(t);
  const gone = path.join(l.root, 'USB-stick-removed');
  const opening = await portableOpening({ exeDir: gone }, [l.execPath]);
  assert.deepEqual(opening, {
    kind: 'pick',
    dir: gone,
    note: 'flxra cannot look into the folder it was started from (ENOENT).',
  });
});

test("the session's credentials never reach the system keychain; what it already holds is read, never changed", async (t) => {
  const service = `flxra-portable-test-${process.pid}`;
  const keychain = keytarCredentialStore(service);
  const relay = 'https://relay.example.org';
  const other = 'https://other.example.org';
  t.after(async () => {
    for (const account of [operatorTokenAccount(relay), operatorTokenAccount(other), 'trusted-relay-keys'])
      await keychain.delete(account);
  });
  await keychain.set(operatorTokenAccount(other), 'already-there');

  const session = sessionCredentialStore(keychain);
  const parts = keychainOperatorParts(session, { trusted: new TrustedRelays(session) });
  await parts.saveToken(relay, 'session-token');
  assert.deepEqual(await parts.loadToken(relay), { token: 'session-token', reason: '' });
  await parts.trusted.trust({
    relay,
    kid: 'k1',
    jwk: { kty: 'OKP', crv: 'Ed25519', x: 'eA' },
    fingerprint: 'AAAA',
  });
  assert.equal((await parts.trusted.vouchers(relay)).length, 1, 'trusted for this session');
  // The keychain itself: nothing of this session.
  assert.equal(await keychain.get(operatorTokenAccount(relay)), null);
  assert.equal(await keychain.get('trusted-relay-keys'), null);

  // What the keychain already held is read through, and a delete forgets it for this session only.
  assert.deepEqual(await parts.loadToken(other), { token: 'already-there', reason: '' });
  assert.equal(await session.delete(operatorTokenAccount(other)), true);
  assert.equal(await session.get(operatorTokenAccount(other)), null);
  assert.equal(await session.delete(operatorTokenAccount(other)), false);
  assert.equal(await keychain.get(operatorTokenAccount(other)), 'already-there');
});
