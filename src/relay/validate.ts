/**
 * Turns what a client emitted (any event name, any payload) into a typed command, or into the
 * reason it is refused. Schemas come from the protocol contract; nothing here knows sessions.
 */
import type { z } from 'zod';
import { clientEvents, type ClientEventName, type RelayErrorCode } from '../shared/protocol.js';

/** A validated client event: the payload is the schema's output (defaults applied). */
export type ClientCommand = {
  [E in ClientEventName]: { event: E; payload: z.output<(typeof clientEvents)[E]> };
}[ClientEventName];

export type ParsedEvent =
  | { ok: true; command: ClientCommand }
  | { ok: false; code: Extract<RelayErrorCode, 'unknown-event' | 'bad-payload'>; message: string };

/** Event names come from clients and can be long; this is how they appear in errors and logs. */
export function shownEventName(event: string): string {
  return event.length > 64 ? `${event.slice(0, 64)}…` : event;
}

/**
 * How deeply a payload may nest objects and arrays. The protocol's deepest is a few levels; far
 * deeper ones would overflow the stack of the recursive code after the parser (schemas,
 * JSON.stringify, socket.io's encoder when forwarding), so they are refused first.
 */
export const MAX_NESTING = 16;

/** Whether `value` nests objects or arrays more than `max` deep (checked without recursion). */
export function nestedTooDeep(value: unknown, max = MAX_NESTING): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    // Binary (a secure-desktop frame's bytes) has no nesting: its bytes are not walked.
    if (ArrayBuffer.isView(node) || node instanceof ArrayBuffer) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** How many issues a refusal names, and its length: a payload with thousands of bad fields gets one short line. */
const SHOWN_ISSUES = 5;
const MAX_SUMMARY = 400;

/** One line naming the failing fields and why; zod's messages do not echo the input. */
export function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, SHOWN_ISSUES)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message);
  const more = error.issues.length - shown.length;
  const line = shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY)}…` : line;
}

export function parseClientEvent(event: string, payload: unknown): ParsedEvent {
  // hasOwn, not `in`: a client must not reach Object.prototype through an event name.
  if (!Object.hasOwn(clientEvents, event)) {
    return { ok: false, code: 'unknown-event', message: `unknown event "${shownEventName(event)}"` };
  }
  const name = event as ClientEventName;
  if (nestedTooDeep(payload))
    return { ok: false, code: 'bad-payload', message: `invalid ${name} payload: nested more than ${MAX_NESTING} deep` };
  const result = clientEvents[name].safeParse(payload);
  if (!result.success) {
    return { ok: false, code: 'bad-payload', message: `invalid ${name} payload: ${summarizeIssues(result.error)}` };
  }
  // TS cannot tie result.data to `name` through the indexed schema; the schema lookup above does.
  return { ok: true, command: { event: name, payload: result.data } as ClientCommand };
}
