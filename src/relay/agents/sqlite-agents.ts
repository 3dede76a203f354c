/**
 * The agents' tables, in the relay's own database file (`<dataDir>/relay.db`) through a
 * connection of their own, with their own schema version (agent_schema_version). They are
 * kept apart from the store's migration list while that list is being extended elsewhere;
 * folding them into it later is a matter of moving the two statements below.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserSessionList } from '../../shared/user-sessions.js';
import type { AgentDeviceRecord, AgentStore, EnrolmentTokenRecord } from './agent-store.js';

interface EnrolmentTokenRow {
  id: string;
  token_hash: Buffer;
  environment_id: string;
  report_group: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

interface AgentDeviceRow {
  device_id: string;
  environment_id: string;
  report_group: string;
  hostname: string;
  os: string;
  agent_version: string;
  user_sessions: string;
  enrolled_at: number;
  last_seen: number | null;
}

function tokenFromRow(row: EnrolmentTokenRow): EnrolmentTokenRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    environmentId: row.environment_id,
    reportGroup: row.report_group,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

function deviceFromRow(row: AgentDeviceRow): AgentDeviceRecord {
  return {
    deviceId: row.device_id,
    environmentId: row.environment_id,
    reportGroup: row.report_group,
    hostname: row.hostname,
    os: row.os,
    agentVersion: row.agent_version,
    // Written from validated reports only; parsed again so a hand-edited database cannot inject shapes.
    userSessions: UserSessionList.parse(JSON.parse(row.user_sessions)),
    enrolledAt: row.enrolled_at,
    lastSeen: row.last_seen,
  };
}

/** Schema changes, in order; never edit one that has shipped, append a new one. */
const migrations: readonly string[] = [
  // Tokens by SHA-256 only; times in ms on the relay's clock.
  `CREATE TABLE enrolment_tokens (
     id TEXT PRIMARY KEY,
     token_hash BLOB NOT NULL UNIQUE,
     environment_id TEXT NOT NULL,
     report_group TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER
   ) STRICT`,
  // One row per device enrolled by an agent (device_id is devices.id); user_sessions is the JSON of its last report.
  `CREATE TABLE agent_devices (
     device_id TEXT PRIMARY KEY,
     environment_id TEXT NOT NULL,
     report_group TEXT NOT NULL,
     hostname TEXT NOT NULL,
     os TEXT NOT NULL,
     agent_version TEXT NOT NULL,
     user_sessions TEXT NOT NULL,
     enrolled_at INTEGER NOT NULL,
     last_seen INTEGER
   ) STRICT`,
];

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS agent_schema_version (version INTEGER NOT NULL)');
  const current = (db.prepare('SELECT version FROM agent_schema_version').get() as { version: number } | undefined)?.version ?? 0;
  if (current > migrations.length) throw new Error(`relay.db has agent schema version ${current}, newer than this relay's (${migrations.length}); upgrade the relay`);
  db.transaction(() => {
    for (const sql of migrations.slice(current)) db.exec(sql);
    db.prepare('DELETE FROM agent_schema_version').run();
    db.prepare('INSERT INTO agent_schema_version (version) VALUES (?)').run(migrations.length);
  })();
}

/** Opens the agents' part of the relay database; the relay store must have created the data dir and the devices table. */
export function openSqliteAgentStore(dataDir: string): AgentStore & { close(): void } {
  const db = new Database(path.join(dataDir, 'relay.db'));
  try {
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return {
      ...agentStatements(db),
      close() {
        if (db.open) db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

function agentStatements(db: Database.Database): AgentStore {
  const insertToken = db.prepare(
    `INSERT INTO enrolment_tokens (id, token_hash, environment_id, report_group, created_at, expires_at, revoked_at)
     VALUES (@id, @token_hash, @environment_id, @report_group, @created_at, @expires_at, @revoked_at)`,
  );
  const getToken = db.prepare('SELECT * FROM enrolment_tokens WHERE token_hash = ?');
  const revokeToken = db.prepare('UPDATE enrolment_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const insertDevice = db.prepare(
    `INSERT INTO agent_devices (device_id, environment_id, report_group, hostname, os, agent_version, user_sessions, enrolled_at, last_seen)
     VALUES (@device_id, @environment_id, @report_group, @hostname, @os, @agent_version, @user_sessions, @enrolled_at, @last_seen)`,
  );
  const saveReport = db.prepare(
    `UPDATE agent_devices SET hostname = @hostname, os = @os, agent_version = @agent_version, user_sessions = @user_sessions,
       last_seen = @last_seen WHERE device_id = @device_id`,
  );
  const touch = db.prepare('UPDATE agent_devices SET last_seen = ? WHERE device_id = ?');
  // Joined with the registry: removing a device (relay device remove) hides its agent record too.
  const select = 'SELECT a.* FROM agent_devices a JOIN devices d ON d.id = a.device_id';
  const getDevice = db.prepare(`${select} WHERE a.device_id = ?`);
  const listDevices = db.prepare(`${select} ORDER BY a.enrolled_at, a.rowid`);

  return {
    insertEnrolmentToken(r) {
      insertToken.run({
        id: r.id,
        token_hash: r.tokenHash,
        environment_id: r.environmentId,
        report_group: r.reportGroup,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
        revoked_at: r.revokedAt,
      });
    },
    getEnrolmentToken(tokenHash) {
      const row = getToken.get(tokenHash) as EnrolmentTokenRow | undefined;
      return row ? tokenFromRow(row) : null;
    },
    revokeEnrolmentToken(id, at) {
      return revokeToken.run(at, id).changes > 0;
    },
    insertAgentDevice(r) {
      insertDevice.run({
        device_id: r.deviceId,
        environment_id: r.environmentId,
        report_group: r.reportGroup,
        hostname: r.hostname,
        os: r.os,
        agent_version: r.agentVersion,
        user_sessions: JSON.stringify(r.userSessions),
        enrolled_at: r.enrolledAt,
        last_seen: r.lastSeen,
      });
    },
    saveAgentReport(deviceId, report, at) {
      saveReport.run({
        device_id: deviceId,
        hostname: report.hostname,
        os: report.os,
        agent_version: report.agentVersion,
        user_sessions: JSON.stringify(report.userSessions),
        last_seen: at,
      });
    },
    touchAgentDevice(deviceId, at) {
      touch.run(at, deviceId);
    },
    getAgentDevice(deviceId) {
      const row = getDevice.get(deviceId) as AgentDeviceRow | undefined;
      return row ? deviceFromRow(row) : null;
    },
    listAgentDevices() {
      return (listDevices.all() as AgentDeviceRow[]).map(deviceFromRow);
    },
  };
}
