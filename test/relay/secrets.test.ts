/**
 * Where the one-time password and the resume token must never be: the activation file, the
 * relay's database files and its log. Shown once, to the operator who asked, and that's all.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizePassword } from '../../src/relay/assistances/password.js';
import { activationToken, startTestRelay } from '../../dev/rig/relay.js';

/** Every byte SQLite wrote under dataDir (the database and, while open, its WAL and shm). */
async function storeBytes(dataDir: string): Promise<Buffer> {
  const names = (await fs.readdir(dataDir)).filter((n) => n.startsWith('relay.db'));
  return Buffer.concat(await Promise.all(names.map((n) => fs.readFile(path.join(dataDir, n)))));
}

describe('assistance secrets', () => {
  it('keeps the password and resume token out of the file, the store and the log', async () => {
    const relay = await startTestRelay();
    try {
      const host = await relay.connectDevice();
      const assistance = await relay.requestAssistance({ deviceId: host.deviceId, mode: 'unattended' });
      const password = assistance.password!;
      const activation = activationToken(assistance);
      const op = await relay.connectOperator();
      op.emit('assistance:open', { activation, password: 'wrong-guess-secret' });
      await op.next('relay:error');
      relay.clock.advance(1_000);
      op.emit('assistance:open', { activation, password });
      const { resumeToken } = await op.next('session:admitted');
      op.close();
      const back = await relay.connectOperator();
      back.emit('session:resume', { sessionId: assistance.sessionId, resumeToken: resumeToken! });
      await back.next('session:admitted');
      await host.next('session:unattended-start');

      const secrets = [password, normalizePassword(password), 'wrong-guess-secret', resumeToken!];
      const file = assistance.activation.content;
      const payload = Buffer.from(activation.split('.')[1]!, 'base64url').toString();
      const logs = JSON.stringify(relay.logs);
      const db = await storeBytes(relay.dataDir);
      for (const secret of secrets) {
        for (const [where, text] of [
          ['file', file],
          ['claims', payload],
          ['log', logs],
        ] as const) {
          assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `${secret} found in the ${where}`);
        }
        assert.equal(db.indexOf(secret), -1, `${secret} found in the store`);
      }
      assert.equal(db.indexOf(Buffer.from(resumeToken!, 'base64url')), -1, 'raw resume token bytes found in the store');
      assert.ok(!logs.includes(activation.split('.')[2]!), 'the activation token was logged');
      assert.ok(
        !logs.includes(payload.slice(0, 40)) && !logs.includes(activation.split('.')[1]!),
        'the activation claims were logged',
      );
      // What the log does say about it: identifiers only.
      assert.ok(
        relay.logs.some((l) => l.msg === 'assistance password refused' && l.fields.session === assistance.sessionId),
      );
      assert.ok(relay.logs.some((l) => l.msg === 'assistance admitted' && l.fields.by === 'password'));
    } finally {
      await relay.close();
    }
  });
});
