/** The command runner, on real processes: exit codes are answers, a missing or stuck tool rejects. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCommandRunner } from '../../src/platform/user-sessions/run-command.js';

const node = process.execPath;

test('a non-zero exit resolves with its code and output', async () => {
  const run = createCommandRunner();
  assert.deepEqual(
    await run(node, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)']),
    { code: 3, stdout: 'out', stderr: 'err' },
  );
  assert.deepEqual(await run(node, ['-e', 'process.stdout.write("fine")']), { code: 0, stdout: 'fine', stderr: '' });
});

test('a tool that is not installed rejects with ENOENT', async () => {
  await assert.rejects(
    createCommandRunner()('/nonexistent/loginctl', []),
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  );
});

test('a tool that does not answer in time rejects', async () => {
  await assert.rejects(
    createCommandRunner(200)(node, ['-e', 'setTimeout(() => {}, 10_000)']),
    new RegExp(`${node.replace(/[/\\.]/g, '\\$&')} did not answer within 200 ms`),
  );
});
