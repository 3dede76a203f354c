/** The relay logger: JSON lines, a level threshold, fixed keys that fields cannot overwrite, secrets redacted. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createLogger, REDACTED } from '../../src/relay/log.js';

function capture(level: 'debug' | 'warn' = 'warn'): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level, write: (line) => lines.push(line) }), lines };
}

describe('relay logger', () => {
  it('writes one JSON object per line, from the given level up', () => {
    const { logger, lines } = capture();
    logger.debug('hidden');
    logger.info('hidden');
    logger.warn('refused', { socket: 'abc', code: 'bad-payload' });
    logger.error('failed', { level: 'debug', msg: 'spoofed', time: 'never' });
    assert.ok(lines.every((l) => !l.includes('\n')));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      parsed.map(({ time: _time, ...rest }) => rest),
      [
        { level: 'warn', msg: 'refused', socket: 'abc', code: 'bad-payload' },
        { level: 'error', msg: 'failed' },
      ],
    );
    for (const { time } of parsed) assert.ok(!Number.isNaN(Date.parse(time as string)), String(time));
    assert.deepEqual(Object.keys(parsed[0]!).slice(0, 3), ['level', 'time', 'msg']);
    assert.equal(lines[1]!.match(/"level"/g)?.length, 1, 'a field named like a head key is dropped, not repeated');
  });

  it('redacts a secret field passed by mistake', () => {
    const { logger, lines } = capture('debug');
    const secrets = {
      token: 'flxra_op_secret1',
      password: 'hunter2-secret',
      authorization: 'Bearer flxra_op_secret2',
      cookie: 'flxra_console=secret3',
      setupToken: 'setup-secret4',
      operatorToken: 'flxra_op_secret5',
      csrfToken: 'csrf-secret6',
    };
    logger.info('oops', { socket: 'abc', ...secrets });
    const [line] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(line!.socket, 'abc');
    for (const key of Object.keys(secrets)) assert.equal(line![key], REDACTED, key);
    assert.ok(!/secret/.test(lines[0]!), lines[0]);
  });

  it('writes to stderr by default, leaving stdout alone', () => {
    const script = `import { createLogger } from './src/relay/log.ts'; createLogger().info('hello', { password: 'p-secret' });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(run.stdout, '');
    const line = JSON.parse(run.stderr.trim()) as Record<string, unknown>;
    assert.deepEqual([line.level, line.msg, line.password], ['info', 'hello', REDACTED]);
  });
});
