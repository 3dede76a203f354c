/** `.flxra` paths reach the operator from argv, a second instance, or macOS open-file. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  activationPathFromArgv,
  ActivationFileInbox,
  SignInLinkInbox,
  signInLinkFromArgv,
} from '../../src/main/activation/file-open.js';

test('the activation file is found on a command line, resolved against the working directory', () => {
  assert.equal(
    activationPathFromArgv(['/opt/flxra/flxra', '--relay', 'https://r.example', 'job.FLXRA'], '/home/ada'),
    '/home/ada/job.FLXRA',
  );
  assert.equal(activationPathFromArgv(['C:\\flxra.exe', '--host'], '/x'), null);
  assert.equal(activationPathFromArgv(['flxra', '--file=a.flxra'], '/x'), null, 'flags are not files');
});

test('files that arrive before the operator side is ready wait for it, in order', async () => {
  const inbox = new ActivationFileInbox();
  assert.equal(inbox.fromArgv(['flxra', 'first.flxra'], '/d'), true);
  inbox.fromOpenFile('/d/second.flxra');
  inbox.fromOpenFile('/d/notes.txt');
  const opened: string[] = [];
  inbox.ready(async (p) => void opened.push(p));
  assert.equal(inbox.fromArgv(['flxra', '/e/third.flxra'], '/d'), true, 'a second instance forwards its file');
  assert.deepEqual(opened, ['/d/first.flxra', '/d/second.flxra', '/e/third.flxra']);
});

test("the console's sign-in link is found on a command line and waits for the operator side", async () => {
  const link = 'flxra://sign-in?relay=https%3A%2F%2Fr.example&code=AAAAAAAAAAAAAAAAAAAAAAAA';
  assert.equal(signInLinkFromArgv(['/opt/flxra/flxra', '--relay', 'https://r.example']), null);
  const inbox = new SignInLinkInbox();
  assert.equal(inbox.fromArgv(['/opt/flxra/flxra', link]), true);
  inbox.fromOpenUrl('https://not-a-link.example');
  const got: string[] = [];
  inbox.ready(async (l) => void got.push(l));
  assert.deepEqual(got, [link]);
});
