/** The agents' rows (enrolment tokens, agent-reported devices) in the relay's SQLite store. */
import type Database from 'better-sqlite3';
import { UserSessionList } from '../../shared/user-sessions.js';
import { changes, column, json, name, sqliteTable } from '../store/sqlite-table.js';
import type { AgentDeviceRecord, AgentStore, EnrolmentTokenRecord } from './agent-store.js';

/** The agents' statements on the relay's database (their tables are in the store's migrations). */
export function agentStatements(db: Database.Database): AgentStore {
  const tokens = sqliteTable<EnrolmentTokenRecord>(db, 'enrolment_tokens', {
    id: column(),
    tokenHash: column(),
    environmentId: name('environment'),
    reportGroup: name('report group'),
    createdAt: column(),
    expiresAt: column(),
    revokedAt: column(),
    maxUses: column(),
    uses: column(),
  });
  const devices = sqliteTable<AgentDeviceRecord>(db, 'agent_devices', {
    deviceId: column(),
    environmentId: name('environment'),
    reportGroup: name('report group'),
    hostname: name('host name'),
    os: column(),
    agentVersion: column(),
    // Written from validated reports only; parsed again so a hand-edited database cannot inject shapes.
    userSessions: json((v) => UserSessionList.parse(v)),
    enrolledAt: column(),
    lastSeen: column(),
    machineIdentity: column(),
    // The registry's, joined in: agent_devices has no such column.
    name: column('device_name'),
  });
  const insertToken = tokens.insert();
  const revokeToken = changes(db, 'UPDATE enrolment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const useToken = changes(
    db,
    `UPDATE enrolment_tokens SET uses = uses + 1 WHERE id = @id AND revoked_at IS NULL AND expires_at > @now
       AND (max_uses IS NULL OR uses < max_uses)`,
  );
  const rekeyToken = changes(db, 'UPDATE enrolment_tokens SET token_hash = ? WHERE token_hash = ?');
  const insertDevice = devices.insert({ omit: ['name'] });
  const saveReport = devices.update(['hostname', 'os', 'agentVersion', 'userSessions', 'lastSeen'], ['deviceId']);
  const touch = devices.update(['lastSeen'], ['deviceId']);
  const reenrol = devices.update(
    ['reportGroup', 'hostname', 'os', 'agentVersion', 'enrolledAt', 'machineIdentity', 'userSessions'],
    ['deviceId'],
  );
  // Joined with the registry: removing a device (relay device remove) hides its agent record too.
  const select = 'SELECT a.*, d.name AS device_name FROM agent_devices a JOIN devices d ON d.id = a.device_id';

  return {
    insertEnrolmentToken: (r) => void insertToken(r),
    getEnrolmentToken: tokens.one('SELECT * FROM enrolment_tokens WHERE token_hash = ?'),
    revokeEnrolmentToken: (id, at) => revokeToken(at, id) > 0,
    useEnrolmentToken: (id, now) => useToken({ id, now }) > 0,
    rekeyEnrolmentToken: (from, to) => void rekeyToken(to, from),
    listEnrolmentTokens: tokens.all('SELECT * FROM enrolment_tokens ORDER BY created_at DESC, rowid DESC'),
    insertAgentDevice: (r) => void insertDevice(r),
    saveAgentReport(deviceId, report, at) {
      const { hostname, os, agentVersion, userSessions } = report;
      saveReport({ deviceId, hostname, os, agentVersion, userSessions, lastSeen: at });
    },
    touchAgentDevice: (deviceId, at) => void touch({ deviceId, lastSeen: at }),
    getAgentDevice: devices.one(`${select} WHERE a.device_id = ?`),
    listAgentDevices: devices.all(`${select} ORDER BY a.enrolled_at, a.rowid`),
    findAgentDeviceByMachine: devices.one(
      `${select} WHERE a.environment_id = ? AND a.machine_identity = ? ORDER BY a.enrolled_at DESC, a.rowid DESC`,
    ),
    reenrolAgentDevice: (record) => void reenrol({ ...record, userSessions: [] }),
  };
}
