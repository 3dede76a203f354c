/**
 * Parses `query user` (quser.exe) output, the fallback when the WTS helper is not installed:
 *
 *    USERNAME              SESSIONNAME        ID  STATE   IDLE TIME  LOGON TIME
 *   >alice                 console             1  Active      none   8/25/2021 1:23 AM
 *    bob                                       2  Disc           7   8/25/2021 9:00 AM
 *
 * What cannot be relied on: the header and the state words are localized (Spanish "Activo" /
 * "Desc"; German qwinsta prints "Aktiv" / "Getr."); dates follow the locale and may contain spaces; a
 * disconnected row has no session name, so its later columns shift left; user names may contain
 * spaces; rows are not always aligned under the header. So nothing is read from the header or
 * by character offset. Each row is read by its shape instead: the first column is the marker
 * (`>` = the session running quser), then the user name, an optional session name, and the ID
 * (digits) followed by the state; the idle and logon times after it are not needed.
 *
 * Session names are recognizable on their own, which is what tells "John Smith  3" (a user name
 * with a space, no session) from "john  rdp-tcp#3  4": a session name is `console` or a
 * connection of a listener, `<listener>#<n>` (rdp-tcp#13, ICA-CGP#0).
 *
 * State: the English words Active / Disc are read as such. Any other word (another language) is
 * read from the row's shape, which carries the same fact: a session attached to the console or a
 * connection is in use, and a session detached from both is disconnected. Kind: `console` is the
 * physical seat; everything else, including a disconnected session (attached to no seat), is
 * remote.
 */
import type { UserSession } from '../../shared/user-sessions.js';

const SESSION_NAME = /^(console|\S+#\d+)$/i;
/** The state is looked at, not consumed, so the next candidate ID can be the word after this one. */
const ID_THEN_STATE = /\s(\d+)(?=\s+(\S+))/g;
const ENGLISH_STATES = new Map<string, UserSession['state']>([
  ['active', 'active'],
  ['disc', 'disconnected'],
]);

export function parseQueryUser(stdout: string): UserSession[] {
  const lines = stdout.split(/\r?\n/).filter((l) => l.trim());
  const header = lines.shift();
  if (header === undefined) return [];
  if (parseRow(header)) throw new Error(`query user: the first line is a session, not the header: "${header}"`);
  return lines.map((line) => {
    const session = parseRow(line);
    if (!session) throw new Error(`query user: cannot find the ID and STATE columns in "${line}"`);
    return session;
  });
}

function parseRow(line: string): UserSession | undefined {
  // Column 0 is the current-session marker or a space.
  const row = line.slice(1);
  for (const m of row.matchAll(ID_THEN_STATE)) {
    const [, id = '', stateWord = ''] = m;
    // Digits inside a user name ("user 7") are followed by more of the row, not by a state:
    // a state word is neither a number nor a session name.
    if (/^\d/.test(stateWord) || SESSION_NAME.test(stateWord)) continue;
    const before = row.slice(0, m.index).trim();
    if (!before) return undefined;
    const words = before.split(/\s+/);
    const last = words[words.length - 1] ?? '';
    const sessionName = words.length > 1 && SESSION_NAME.test(last) ? last : '';
    const user = sessionName ? before.slice(0, before.length - last.length).trim() : before;
    const state = ENGLISH_STATES.get(stateWord.toLowerCase()) ?? (sessionName ? 'active' : 'disconnected');
    return { id, user, state, kind: sessionName.toLowerCase() === 'console' ? 'console' : 'remote' };
  }
  return undefined;
}
