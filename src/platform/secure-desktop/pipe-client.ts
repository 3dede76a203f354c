/**
 * The agent's client of the secure-desktop helper (native/secure-desktop/, docs/secure-desktop.md):
 * plain Node, no Electron. Connects to the helper's named pipe, checks its hello (protocol
 * version), then sends requests and matches the replies by id. The helper's refusals (no SendSAS,
 * a capture that failed, …) come back as data; a broken stream, a closed pipe or a reply that
 * never comes end the pending requests as refusals too. Desktop changes (a UAC prompt came up,
 * it went) are reported to `onDesktop`.
 */
import { connect, type Socket } from 'node:net';
import {
  MAX_HELPER_BODY,
  PROTOCOL_VERSION,
  PipeDecoder,
  encodeRequest,
  type Frame,
  type HelperMessage,
  type HelperRequest,
  type Hello,
} from './pipe-codec.js';
import type { WtsHelperOutput } from '../user-sessions/windows-wts-helper.js';

export type HelperReply<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface HelperClientOptions {
  /** How long a reply may take (a capture of a large screen included). */
  replyTimeoutMs?: number;
  /** Requests waiting for a reply at once; more are refused ("busy"), so memory stays bounded. */
  maxInFlight?: number;
  maxBody?: number;
  onDesktop?: (desktop: string) => void;
  /** The helper or its pipe went away (its reason, worded for people). */
  onClose?: (reason: string) => void;
}

export interface HelperClient {
  hello: Hello;
  capture(): Promise<HelperReply<Frame>>;
  input(request: Extract<HelperRequest, { kind: 'pointer' | 'key' }>): Promise<HelperReply<null>>;
  sas(): Promise<HelperReply<null>>;
  sessions(): Promise<HelperReply<WtsHelperOutput>>;
  close(): void;
}

interface Pending {
  resolve(message: HelperMessage): void;
  timer: NodeJS.Timeout;
}

/** Connects to `pipe` (\\.\pipe\…) and waits for the helper's hello. Rejects with a sentence. */
export function connectHelper(pipe: string, opts: HelperClientOptions = {}): Promise<HelperClient> {
  const { replyTimeoutMs = 10_000, maxInFlight = 16, maxBody = MAX_HELPER_BODY } = opts;
  const socket: Socket = connect(pipe);
  const decoder = new PipeDecoder(maxBody);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed: string | undefined;

  const end = (reason: string) => {
    if (closed) return;
    closed = reason;
    socket.destroy();
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.resolve({ kind: 'error', id, code: 'helper-gone', message: reason, win32: 0 });
    }
    pending.clear();
    opts.onClose?.(reason);
  };

  return new Promise<HelperClient>((resolveClient, rejectClient) => {
    let hello: Hello | undefined;
    const helloTimer = setTimeout(() => fail('the secure-desktop helper did not say hello in time'), replyTimeoutMs);
    function fail(reason: string) {
      clearTimeout(helloTimer);
      end(reason);
      if (!hello) rejectClient(new Error(reason));
    }

    socket.on('error', (err) => fail(`the secure-desktop helper's pipe failed: ${err.message}`));
    socket.on('close', () => fail('the secure-desktop helper closed its pipe'));
    socket.on('data', (chunk: Buffer) => {
      for (const message of decoder.push(chunk)) {
        if (message.kind === 'fatal') return fail(`the secure-desktop helper broke the protocol: ${message.reason}`);
        if (!hello) {
          if (message.kind !== 'hello') return fail('the secure-desktop helper did not start with hello');
          if (message.hello.protocol !== PROTOCOL_VERSION)
            return fail(
              `the secure-desktop helper speaks protocol ${message.hello.protocol}, this agent ${PROTOCOL_VERSION}`,
            );
          hello = message.hello;
          clearTimeout(helloTimer);
          resolveClient(client);
          continue;
        }
        if (message.kind === 'desktop') {
          opts.onDesktop?.(message.desktop);
          continue;
        }
        const waiting = 'id' in message ? pending.get(message.id) : undefined;
        if (!waiting) continue; // a late reply to a request that timed out
        pending.delete((message as { id: number }).id);
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      }
    });

    const request = (req: HelperRequest): Promise<HelperMessage> =>
      new Promise((resolve) => {
        if (closed) return resolve({ kind: 'error', id: 0, code: 'helper-gone', message: closed, win32: 0 });
        if (pending.size >= maxInFlight)
          return resolve({
            kind: 'error',
            id: 0,
            code: 'busy',
            message: 'The secure-desktop helper has too many requests waiting.',
            win32: 0,
          });
        let id = nextId;
        while (pending.has(id)) id = (id % 0xffff) + 1;
        nextId = (id % 0xffff) + 1;
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({
            kind: 'error',
            id,
            code: 'timeout',
            message: 'The secure-desktop helper did not answer.',
            win32: 0,
          });
        }, replyTimeoutMs);
        pending.set(id, { resolve, timer });
        socket.write(encodeRequest(req, id));
      });

    function reply<T>(message: HelperMessage, pick: (m: HelperMessage) => T | undefined): HelperReply<T> {
      if (message.kind === 'error') return { ok: false, code: message.code, message: message.message };
      if (message.kind === 'malformed') return { ok: false, code: 'malformed', message: message.reason };
      const value = pick(message);
      if (value === undefined)
        return { ok: false, code: 'unexpected', message: `the helper answered ${message.kind} to this request` };
      return { ok: true, value };
    }

    const client: HelperClient = {
      get hello() {
        return hello!;
      },
      capture: async () => reply(await request({ kind: 'capture' }), (m) => (m.kind === 'frame' ? m.frame : undefined)),
      input: async (req) => reply(await request(req), (m) => (m.kind === 'ok' ? null : undefined)),
      sas: async () => reply(await request({ kind: 'sas' }), (m) => (m.kind === 'ok' ? null : undefined)),
      sessions: async () =>
        reply(await request({ kind: 'sessions' }), (m) => (m.kind === 'sessions' ? m.sessions : undefined)),
      close: () => end('the agent closed the secure-desktop helper'),
    };
  });
}
