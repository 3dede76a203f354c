/**
 * The one rule for every name the relay accepts from people and devices: device host names
 * (an agent's enrolment and reports, a host's handshake), operator names and organisations,
 * console users' names, report groups, environments and the relay's own name. A name is
 * NFC-normalised and trimmed, then has 1 to NAME_MAX_LENGTH characters (DNS's limit for a host
 * name) and no control characters (line breaks, tabs: they would forge lines in logs and
 * exports). The zod schemas parse with `Name`; the store checks what it writes with
 * `checkStoredName`, so that the two can never disagree (a name the schema let through and the
 * store refused would be a 500 instead of a 400). Usernames are identifiers with their own,
 * stricter rule (console-api.ts). No Node imports: pages import this.
 */
import { z } from 'zod';

/** Characters (UTF-16 code units, as JavaScript and zod count them) after trimming. */
export const NAME_MAX_LENGTH = 255;

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

/** A name as the relay keeps it: composed (NFC), trimmed, checked. */
export const Name = z
  .string()
  .normalize('NFC')
  .trim()
  .min(1, 'a name cannot be empty or only spaces')
  .max(NAME_MAX_LENGTH, `a name has at most ${NAME_MAX_LENGTH} characters`)
  .regex(NO_CONTROL_CHARACTERS, 'a name cannot contain control characters such as line breaks or tabs');

/** The name as the relay would keep it, or why it is refused (worded for people). */
export function parseName(text: string): { ok: true; name: string } | { ok: false; message: string } {
  const parsed = Name.safeParse(text);
  return parsed.success
    ? { ok: true, name: parsed.data }
    : { ok: false, message: parsed.error.issues.map((i) => i.message).join('; ') };
}

/**
 * The store's guard: a name it writes must already be one `Name` gives (trimmed, in range).
 * Throws otherwise: a caller that skipped the schema is a bug, not a refusal.
 */
export function checkStoredName(value: string, what: string): string {
  const parsed = parseName(value);
  if (!parsed.ok) throw new Error(`refusing to store an invalid ${what}: ${parsed.message}`);
  if (parsed.name !== value) throw new Error(`refusing to store a ${what} that is not trimmed and normalised`);
  return value;
}
