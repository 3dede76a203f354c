/**
 * The README's agent recipe (the block marked `sh agent-recipe`), run as it is written, as a
 * newcomer would: on a fresh copy of this checkout (no relay data, nothing built), as a user
 * with an empty home and no D-Bus session (so no Secret Service), with the relay on its default
 * 127.0.0.1:7443. So that the default port clashes with nothing else on this machine, the whole
 * recipe runs in a network namespace of its own (`unshare -r -n -m`, loopback up), as a non-root
 * user in a user namespace inside it; the test reaches the relay's console there through a Unix
 * socket forwarded to 127.0.0.1:7443 inside. It checks, as an administrator would on the
 * console, that the device is enrolled and online; then stops the agent as Ctrl-C would, lets the
 * recipe's next line run it again, and checks it is the same device, online, and no twin.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { CONSOLE_API, ConsoleDevice } from '../../src/shared/console-api.js';
import { until } from '../../dev/rig/until.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string | undefined;
let group: number | undefined;

/** The README's block marked `sh agent-recipe`, without the list item's indentation. */
export function readmeAgentRecipe(readme: string): string {
  const match = /^( *)```sh agent-recipe\n([\s\S]*?)\n\1```$/m.exec(readme);
  assert.ok(match, 'the README has a ```sh agent-recipe block');
  const indent = match[1]!;
  return match[2]!
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n');
}

/** The checkout as `git clone` would give it (tracked files and new ones, as they are now), nothing built. */
function freshCopy(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    copyFileSync(from, path.join(to, file));
  }
}

/** Every process of the recipe's process group, by pid, with its command line. */
function recipeProcesses(pgid: number): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
}

function agentProcess(pgid: number): number | null {
  return recipeProcesses(pgid).find((p) => /^\S*node \S*out\/agent\/cli\.mjs/.test(p.cmdline))?.pid ?? null;
}

/** Polls an asynchronous probe (the console's answer) until it holds. */
async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    assert.ok(Date.now() < deadline, `never ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One call to the console inside the namespace, through the forwarded socket. */
function consoleCall(
  socketPath: string,
  method: string,
  route: string,
  body?: unknown,
  cookie?: string,
): Promise<{ status: number; body: unknown; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: '127.0.0.1:7443' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (cookie) headers.cookie = cookie;
    const request = http.request({ socketPath, method, path: `${CONSOLE_API}${route}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const setCookie = res.headers['set-cookie']?.[0]?.split(';')[0];
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), ...(setCookie ? { cookie: setCookie } : {}) });
      });
    });
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

// Inside the namespace, as its root: the console's port, reachable from outside through a Unix socket.
const FORWARDER = `
import net from 'node:net';
net.createServer((c) => {
  const r = net.connect(7443, '127.0.0.1');
  c.on('error', () => r.destroy());
  r.on('error', () => c.destroy());
  c.pipe(r).pipe(c);
}).listen(process.argv[2]);
`;

// As the namespaces' root: loopback up; this checkout's npm dependencies where `npm ci` would
// have put them, as the lower layer of an overlay whose changes (vite's temporary files) go to
// the test's folder, so that nothing the recipe runs can change or remove them; the forwarder;
// then the recipe as an ordinary user (uid 1000 in a user namespace of its own).
const OUTER = `set -e
ip link set lo up
mkdir ../modules-upper ../modules-work
mount -t overlay overlay -o "lowerdir=$1,upperdir=../modules-upper,workdir=../modules-work" node_modules
node "$2" "$3" &
exec unshare --map-user=1000 --map-group=1000 bash "$4"
`;

after(async () => {
  if (group !== undefined) {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      try {
        process.kill(-group, signal);
      } catch {
        break; // all gone
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("the README's agent recipe, run as written on a fresh machine without a keychain: enrolled, online, and the same device after a restart", async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flxra-recipe-'));
  const checkout = path.join(dir, 'flxra');
  const home = path.join(dir, 'home');
  freshCopy(checkout);
  // The npm dependencies as `npm ci` leaves them (node_modules newer than the lock, so the
  // recipe's pre-steps do not install again: there is no network in the namespace).
  await mkdir(path.join(checkout, 'node_modules'));
  const installed = await stat(path.join(ROOT, 'node_modules', '.package-lock.json'));
  const older = new Date(installed.mtimeMs - 1_000);
  await utimes(path.join(checkout, 'package-lock.json'), older, older);
  await mkdir(home);
  assert.ok(!existsSync(path.join(checkout, '.flxra-relay')) && !existsSync(path.join(checkout, 'out')));
  assert.ok(
    statSync(path.join(ROOT, 'node_modules', '.package-lock.json')).isFile(),
    'npm ci has run in this checkout',
  );
  const recipe = readmeAgentRecipe(await readFile(path.join(ROOT, 'README.md'), 'utf8'));
  await writeFile(path.join(dir, 'recipe.sh'), recipe + '\n');
  await writeFile(path.join(dir, 'forwarder.mjs'), FORWARDER);
  await writeFile(path.join(dir, 'outer.sh'), OUTER);
  const socket = path.join(dir, 'relay.sock');

  // A fresh machine's environment: no D-Bus session, no display, an empty home.
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: home, LANG: 'C.UTF-8' };
  const child = spawn(
    'unshare',
    [
      '-r',
      '-n',
      '-m',
      'bash',
      path.join(dir, 'outer.sh'),
      path.join(ROOT, 'node_modules'),
      path.join(dir, 'forwarder.mjs'),
      socket,
      path.join(dir, 'recipe.sh'),
    ],
    { cwd: checkout, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  group = child.pid!;
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (process.env.FLXRA_TEST_VERBOSE) console.log(`  recipe| ${line}`);
    });
  const said = (pattern: RegExp, from = 0) =>
    lines
      .slice(from)
      .find((line) => pattern.test(line))
      ?.match(pattern);
  const waitFor = (what: string, pattern: RegExp, from = 0) =>
    until(what, () => said(pattern, from) ?? null, { timeoutMs: 120_000, everyMs: 200, seen: () => lines });

  // The relay prints its one-time setup link; the agent enrols and says which device it is.
  const setupUrl = (await waitFor('the setup link', /Set up the first administrator: (\S+)/))[1]!;
  const deviceId = (await waitFor('the enrolled agent', /^\[agent\] ready as device (\w+)/))[1]!;
  const first = agentProcess(group);
  assert.ok(first, 'the agent runs');

  // The administrator's view: one device, this one, online.
  const admin = await consoleCall(socket, 'POST', '/setup', {
    setupToken: new URL(setupUrl).hash.slice(1),
    username: 'recipe-admin',
    name: 'Recipe Admin',
    organisation: 'Help Desk',
    password: `recipe ${randomBytes(12).toString('base64url')}`,
  });
  assert.equal(admin.status, 201, JSON.stringify(admin.body));
  const devices = async () => {
    const answer = await consoleCall(socket, 'GET', '/devices', undefined, admin.cookie);
    assert.equal(answer.status, 200);
    return ConsoleDevice.array().parse((answer.body as { devices: unknown }).devices);
  };
  const online = async (yes: boolean) => {
    const list = await devices();
    return list.length === 1 && list[0]!.deviceId === deviceId && list[0]!.online === yes;
  };
  await eventually('the device online on the console', () => online(true));
  assert.equal((await devices())[0]!.reportGroup, 'Trial');

  // No keychain: the credential in an owner-only file, said once; never in the output.
  const stateDir = path.join(home, '.local', 'state', 'flxra-agent');
  const credentialFile = path.join(stateDir, 'credentials.json');
  const fileLine = `[agent] no keychain (Secret Service) is available: the agent keeps its credential in ${credentialFile}, readable by its user only`;
  assert.equal(lines.filter((line) => line === fileLine).length, 1);
  assert.equal((await lstat(stateDir)).mode & 0o777, 0o700);
  assert.equal((await lstat(credentialFile)).mode & 0o777, 0o600);
  const [token] = Object.values(JSON.parse(await readFile(credentialFile, 'utf8')) as Record<string, string>);
  assert.match(token!, /^flxra_dev_/);
  assert.ok(!lines.some((line) => line.includes(token!)), 'the credential is never in the output');
  // The product agent, with no app installed here: it says hosts cannot start, and what to do.
  assert.ok(said(/^\[agent\] hosts cannot start yet: the flxra app is not installed at \/opt\/flxra\/flxra/));
  assert.ok(existsSync(path.join(checkout, '.flxra-relay', 'relay.db')), "the relay's data in the fresh checkout");

  // Ctrl-C: the agent stops; the recipe's next line runs it again, with no token.
  const mark = lines.length;
  process.kill(first, 'SIGINT');
  await waitFor('the agent stopping', /^\[agent\] stopping$/, mark);
  const again = (await waitFor('the agent again', /^\[agent\] ready as device (\w+)/, mark))[1]!;
  assert.equal(again, deviceId, 'the same device');
  const second = agentProcess(group);
  assert.ok(second && second !== first, 'a new agent process');
  assert.doesNotMatch(recipeProcesses(group).find((p) => p.pid === second)!.cmdline, /--enroll-file/);
  await eventually('the device online again', () => online(true));
  assert.equal(lines.slice(mark).filter((line) => line === fileLine).length, 1, 'said again for this start');
  assert.ok(!lines.some((line) => line.includes(token!)));
});
