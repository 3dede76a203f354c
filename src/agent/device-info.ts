/**
 * What the agent says about its device: host name, operating system, its own version, and the
 * user sessions on it (several on shared desktops and VDI hosts).
 */
import os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import type { AgentReport } from '../shared/agent-protocol.js';
import { CalVer } from '../shared/calver.js';
import type { UserSessionReader } from '../platform/user-sessions/index.js';

/**
 * package.json's version is the agent's: a calendar version (YY.M.patch) that the relay gates
 * assistance types on. Checked at start-up, so a malformed one stops a build, not an assistance.
 */
export const AGENT_VERSION: CalVer = CalVer.parse(pkg.version);

/** The contract allows 200 characters; Windows edition names and kernel strings stay far below. */
const MAX_OS = 200;

/** "Linux 6.1.0-18-amd64 (x64)", "Windows 10 Pro 10.0.19045 (x64)". */
export function describeOs(): string {
  const name = process.platform === 'win32' ? os.version() : os.type();
  return `${name} ${os.release()} (${os.arch()})`.slice(0, MAX_OS);
}

export async function readReport(sessions: UserSessionReader): Promise<AgentReport> {
  return {
    hostname: os.hostname(),
    os: describeOs(),
    agentVersion: AGENT_VERSION,
    userSessions: await sessions.list(),
  };
}
