/** The relay logger: JSON lines, a level threshold, fixed keys that fields cannot overwrite. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/relay/log.js';

describe('relay logger', () => {
  it('writes one JSON object per line, from the given level up', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    logger.debug('hidden');
    logger.info('hidden');
    logger.warn('refused', { socket: 'abc', code: 'bad-payload' });
    logger.error('failed', { level: 'debug', msg: 'spoofed', time: 'never' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      parsed.map(({ time, ...rest }) => rest),
      [
        { level: 'warn', msg: 'refused', socket: 'abc', code: 'bad-payload' },
        { level: 'error', msg: 'failed' },
      ],
    );
    for (const { time } of parsed) assert.ok(!Number.isNaN(Date.parse(time as string)), String(time));
    assert.deepEqual(Object.keys(parsed[0]!).slice(0, 3), ['time', 'level', 'msg']);
  });
});
