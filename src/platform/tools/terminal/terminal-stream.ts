/**
 * A terminal's output on its flow-controlled stream (src/shared/tool-streams.ts): what the shell prints goes out
 * only as fast as the operator's panel grants credit; while more than a window waits, the pty is paused, so the
 * shell blocks on its own writes instead of the agent buffering without end. The shell's exit ends the stream. The
 * caller sends the chunks (over the agent's connection) and passes the panel's credit to grant().
 */
import { OUTPUT_STREAM } from '../../../shared/tools-protocol.js';
import {
  StreamSender,
  DEFAULT_STREAM_LIMITS,
  type StreamChunk,
  type StreamLimits,
} from '../../../shared/tool-streams.js';
import { done, type ToolResult } from '../../../shared/tools-results.js';
import type { Terminal } from './backend.js';

export interface TerminalStream {
  readonly sender: StreamSender;
  /** Credit from the panel; a grant of more than was sent is a refusal. */
  grant(bytes: number): ToolResult<void>;
  /** Stops forwarding (the terminal stays as it is). */
  stop(): void;
}

export function streamTerminal(
  terminal: Terminal,
  send: (chunk: StreamChunk) => void,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): TerminalStream {
  const sender = new StreamSender(OUTPUT_STREAM, limits);
  let paused = false;
  let stopped = false;
  let ended = false;
  const forward = (chunks: StreamChunk[]) => {
    if (!stopped) chunks.forEach(send);
    if (!paused && sender.saturated && !terminal.exit) {
      paused = true;
      terminal.pause();
    } else if (paused && !sender.saturated) {
      paused = false;
      terminal.resume();
    }
  };
  const offData = terminal.onData((data) => {
    // node-pty delivers the last output before the exit; anything later has no stream to go on.
    if (!ended) forward(sender.write(data));
  });
  const offExit = terminal.onExit(() => {
    ended = true;
    forward(sender.end());
  });
  return {
    sender,
    grant(bytes) {
      const r = sender.grant(bytes);
      if (!r.ok) return r;
      forward(r.value);
      return done(undefined);
    },
    stop() {
      stopped = true;
      offData();
      offExit();
    },
  };
}
