/** The agents' rows (enrolment tokens, agent-reported devices) in the relay's SQLite store. */
import type Database from 'better-sqlite3';
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

/** The agents' statements on the relay's database (their tables are in the store's migrations). */
export function agentStatements(db: Database.Database): AgentStore {
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
