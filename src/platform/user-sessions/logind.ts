/**
 * User sessions from systemd-logind (or elogind), through loginctl's text output, which is not
 * localized. Two calls: `list-sessions --no-legend` for the ids (its first column, the only one
 * every systemd version prints in the same place; later columns were added over time), then one
 * `show-session` for all of them, which prints one block of Key=Value lines per session,
 * separated by blank lines.
 *
 * Mapping (sd_session_get_state(3), pam_systemd(8)):
 * - Class: the `user` family only (user, user-early, user-light, user-early-light,
 *   user-incomplete). user-early is the default class of root's logins since v256, so "Class=user
 *   only" would miss root sitting at the console. Greeter, lock-screen, background (cron),
 *   manager (user@.service) are not people's sessions.
 * - State: `active` = in the foreground of its seat → active. `online` = logged in but not in the
 *   foreground, i.e. switched away from (fast user switching): nobody is looking at it, which is
 *   what 'disconnected' means in the contract. `closing` (logged out, leftover processes) and
 *   `opening` (not yet logged in) are not sessions anyone can be reached in, so they are left out.
 *   logind only ever reports seatless sessions (ssh) as active. Any other state is an error, not
 *   a guess: systemd warns that new states may come, and a wrong guess here decides whether a
 *   user is asked for consent.
 * - Kind: Remote=yes → remote; a seat → console (seat0, or another physical seat on a multi-seat
 *   machine: someone sits there too); neither (su, machinectl shell) → remote, i.e. not at a seat.
 * - Display: the X11 display when logind knows one (Wayland sessions have none).
 */
import type { UserSession } from '../../shared/user-sessions.js';
import type { CommandRunner } from './run-command.js';

export const LOGINCTL = 'loginctl';
export const LIST_SESSIONS_ARGS = ['list-sessions', '--no-legend'] as const;
const PROPERTIES = ['Id', 'Name', 'State', 'Class', 'Seat', 'Remote', 'Display'];

/** logind's session ids are alphanumeric (`2`, `c1`); checked, since they become arguments. */
const SESSION_ID = /^[A-Za-z0-9]+$/;

export function showSessionArgs(ids: readonly string[]): string[] {
  return ['show-session', ...ids, ...PROPERTIES.flatMap((p) => ['-p', p])];
}

/** The ids in `loginctl list-sessions --no-legend` output: the first column of each line. */
export function parseSessionIds(stdout: string): string[] {
  const ids: string[] = [];
  for (const line of stdout.split('\n')) {
    const first = line.trim().split(/\s+/)[0];
    if (!first) continue;
    if (!SESSION_ID.test(first))
      throw new Error(`loginctl list-sessions: "${line.trim()}" does not start with a session id`);
    ids.push(first);
  }
  return ids;
}

/** The user sessions in `loginctl show-session <ids> -p …` output. */
export function parseShowSession(stdout: string): UserSession[] {
  const sessions: UserSession[] = [];
  for (const block of stdout.split(/\n\s*\n/)) {
    if (!block.trim()) continue;
    const session = toSession(properties(block));
    if (session) sessions.push(session);
  }
  return sessions;
}

function properties(block: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of block.split('\n')) {
    if (!line.trim()) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`loginctl show-session: "${line}" is not a Key=Value line`);
    props.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return props;
}

function toSession(props: Map<string, string>): UserSession | undefined {
  const id = props.get('Id');
  const user = props.get('Name');
  if (!id || !user)
    throw new Error(
      `loginctl show-session: a session without ${id ? 'Name' : 'Id'} (${[...props].map(([k, v]) => `${k}=${v}`).join(' ')})`,
    );
  const cls = props.get('Class') ?? '';
  if (cls !== 'user' && !cls.startsWith('user-')) return undefined;
  const state = props.get('State');
  if (state === 'closing' || state === 'opening') return undefined;
  if (state !== 'active' && state !== 'online')
    throw new Error(`loginctl show-session: session ${id} has state "${state ?? ''}", which this reader does not know`);
  const kind = props.get('Remote') !== 'yes' && props.get('Seat') ? 'console' : 'remote';
  const display = props.get('Display');
  return { id, user, state: state === 'active' ? 'active' : 'disconnected', kind, ...(display ? { display } : {}) };
}

/**
 * The sessions logind knows. A session that ends between the two calls makes show-session fail
 * as a whole, so a failure is retried once with a fresh list before it is reported.
 */
export async function readLogindSessions(run: CommandRunner): Promise<UserSession[]> {
  let failure = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const list = await run(LOGINCTL, LIST_SESSIONS_ARGS);
    if (list.code !== 0) throw new Error(`loginctl list-sessions failed (exit ${list.code}): ${list.stderr.trim()}`);
    const ids = parseSessionIds(list.stdout);
    // Without ids, show-session would describe the manager instead.
    if (ids.length === 0) return [];
    const show = await run(LOGINCTL, showSessionArgs(ids));
    if (show.code === 0) return parseShowSession(show.stdout);
    failure = `exit ${show.code}: ${show.stderr.trim()}`;
  }
  throw new Error(`loginctl show-session failed twice (${failure})`);
}
