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

/** One line naming each failing field and why; zod's messages do not echo the input. */
export function summarizeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message).join('; ');
}

export function parseClientEvent(event: string, payload: unknown): ParsedEvent {
  // hasOwn, not `in`: a client must not reach Object.prototype through an event name.
  if (!Object.hasOwn(clientEvents, event)) {
    return { ok: false, code: 'unknown-event', message: `unknown event "${shownEventName(event)}"` };
  }
  const name = event as ClientEventName;
  const result = clientEvents[name].safeParse(payload);
  if (!result.success) {
    return { ok: false, code: 'bad-payload', message: `invalid ${name} payload: ${summarizeIssues(result.error)}` };
  }
  // TS cannot tie result.data to `name` through the indexed schema; the schema lookup above does.
  return { ok: true, command: { event: name, payload: result.data } as ClientCommand };
}
