/**
 * Listening to what the relay sends, checked against its contract: each payload is parsed with
 * its event's schema before any handler sees it; a malformed one is dropped and logged, and a
 * handler that throws is logged too, so that nothing the relay (or someone posing as it) sends
 * can break the client. Shared by the Electron app's relay client and the device agent, which
 * listen to different contracts (protocol.ts, agent-protocol.ts) the same way.
 */
import type { z } from 'zod';

/** What a socket.io client socket offers for listening, whichever events it is typed with. */
export interface ListeningSocket {
  on(event: string, listener: (payload: unknown) => void): unknown;
}

export function onCheckedEvent<S extends Record<string, z.ZodType>, E extends keyof S & string>(
  socket: ListeningSocket,
  schemas: S,
  event: E,
  log: (line: string) => void,
  handler: (payload: z.infer<S[E]>) => void,
): void {
  const schema = schemas[event] as unknown as z.ZodType<z.infer<S[E]>>;
  socket.on(event, (payload: unknown) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) return log(`ignored a malformed ${event} from the relay`);
    try {
      handler(parsed.data);
    } catch (err) {
      log(`could not handle ${event}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}
