/**
 * The Windows launch plan: the exact command line and environment block the service will pass to
 * CreateProcessAsUserW. Command lines are checked against fixed strings and read back with an
 * independent implementation of CommandLineToArgvW's documented rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CREATE_UNICODE_ENVIRONMENT,
  mergeEnvironmentBlock,
  quoteWindowsArg,
  windowsCommandLine,
  windowsHostLaunch,
} from '../../src/agent/launcher/windows-launch.js';
import type { HostLaunchRequest } from '../../src/agent/launcher/launcher.js';

/**
 * CommandLineToArgvW for the arguments after the program name (learn.microsoft.com, "Parsing C++
 * command-line arguments"): white space separates arguments outside quotes; 2n backslashes and
 * a quote give n backslashes and toggle quoting; 2n+1 backslashes and a quote give n backslashes
 * and a literal quote; other backslashes are literal; `""` inside quotes is a literal quote.
 */
function argvOf(commandLine: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < commandLine.length) {
    while (commandLine[i] === ' ' || commandLine[i] === '\t') i++;
    if (i >= commandLine.length) break;
    let arg = '';
    let quoted = false;
    for (; i < commandLine.length; i++) {
      const ch = commandLine[i]!;
      if (!quoted && (ch === ' ' || ch === '\t')) break;
      if (ch === '\\') {
        let n = 0;
        for (; commandLine[i] === '\\'; i++) n++;
        if (commandLine[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
      } else if (ch === '"') {
        if (quoted && commandLine[i + 1] === '"') {
          arg += '"';
          i++;
        } else quoted = !quoted;
      } else arg += ch;
    }
    args.push(arg);
  }
  return args;
}

const request: HostLaunchRequest = {
  sessionId: '123456789',
  mode: 'attended',
  hostToken: 'flxra_host_0123456789abcdef0123456789',
  userSessionId: '2',
  relayUrl: 'https://relay.example.com',
  operator: { id: 'op1', name: 'Ada Lovelace', organisation: 'Help Desk' },
  verification: { required: true, unattended: 'view' },
};

test('arguments are quoted exactly as the MSVC runtime needs', () => {
  const cases: Array<[string, string]> = [
    ['--host', '--host'],
    ['', '""'],
    ['a b', '"a b"'],
    ['ab"c', '"ab\\"c"'],
    ['a\\\\\\b', 'a\\\\\\b'], // backslashes not before a quote stay as they are
    ['C:\\Program Files\\', '"C:\\Program Files\\\\"'], // …but a trailing one before the closing quote is doubled
    ['a\\"b', '"a\\\\\\"b"'],
    ['tab\there', '"tab\there"'],
  ];
  for (const [arg, quoted] of cases) assert.equal(quoteWindowsArg(arg), quoted, JSON.stringify(arg));
});

test('whatever the arguments, CommandLineToArgvW reads back exactly them', () => {
  const args = [
    '',
    ' ',
    'plain',
    'two words',
    'quote"inside',
    '"',
    '\\',
    '\\\\',
    'end\\',
    'end with space\\',
    'a\\"b',
    '\\"\\"',
    'x\t y',
    'ünïcødé ☃',
  ];
  const line = windowsCommandLine('C:\\Program Files\\flxra\\flxra.exe', args);
  assert.deepEqual(argvOf(line.slice(line.indexOf('" ') + 2)), args);
});

test("the host launch: the installed app in host mode, in the user's session and desktop, the token only in the environment", () => {
  const launch = windowsHostLaunch('C:\\Program Files\\flxra\\flxra.exe', request);
  assert.deepEqual(launch, {
    wtsSessionId: 2,
    applicationName: 'C:\\Program Files\\flxra\\flxra.exe',
    commandLine: '"C:\\Program Files\\flxra\\flxra.exe" --host --relay https://relay.example.com',
    desktop: 'winsta0\\default',
    environment: {
      FLXRA_HOST_TOKEN: request.hostToken,
      FLXRA_VERIFICATION: '{"required":true,"unattended":"view"}',
    },
    creationFlags: CREATE_UNICODE_ENVIRONMENT,
  });
  assert.ok(!launch.commandLine.includes(request.hostToken));
});

test("no host without a user's session, nor from a relative path", () => {
  const { userSessionId: _, ...noSession } = request;
  assert.throws(() => windowsHostLaunch('C:\\flxra\\flxra.exe', noSession), /no user session/);
  assert.throws(
    () => windowsHostLaunch('C:\\flxra\\flxra.exe', { ...request, userSessionId: '0' }),
    /not a user's WTS session id/,
  );
  assert.throws(
    () => windowsHostLaunch('C:\\flxra\\flxra.exe', { ...request, userSessionId: 'console' }),
    /not a user's WTS session id/,
  );
  assert.throws(() => windowsHostLaunch('flxra.exe', request), /absolute path/);
});

test("the token joins the user's environment block, sorted, names compared without case", () => {
  const block = (entries: string[]) => Buffer.from(entries.map((e) => `${e}\0`).join('') + '\0', 'utf16le');
  // As CreateEnvironmentBlock returns it: sorted by upper-cased name, drive directories first.
  const user = block([
    '=C:=C:\\Users\\ana',
    'ALLUSERSPROFILE=C:\\ProgramData',
    'Path=C:\\Windows\\system32',
    'USERNAME=ana',
    'windir=C:\\Windows',
  ]);
  const merged = mergeEnvironmentBlock(user, { FLXRA_HOST_TOKEN: 'tok', PATH: 'C:\\flxra' });
  assert.deepEqual(
    merged,
    block([
      '=C:=C:\\Users\\ana',
      'ALLUSERSPROFILE=C:\\ProgramData',
      'FLXRA_HOST_TOKEN=tok',
      'PATH=C:\\flxra',
      'USERNAME=ana',
      'windir=C:\\Windows',
    ]),
  );
  assert.deepEqual(mergeEnvironmentBlock(Buffer.from('\0\0', 'utf16le'), {}), Buffer.from('\0\0', 'utf16le'));
  assert.throws(() => mergeEnvironmentBlock(user, { 'A=B': 'x' }), /cannot set/);
});
