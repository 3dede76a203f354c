/**
 * The recording's way out of the operator's app: the viewer cuts the remote screen (MediaRecorder,
 * WebM) and its input events into chunks and hands each here over IPC; main uploads it to the relay
 * with the operator's token (POST /api/v1/recordings/:session/chunks), only while the session the
 * relay said is recorded is active. The relay checks and chains each one (src/relay/recordings/).
 */
import type { OperatorState } from '../../shared/ipc.js';
import type { SessionId } from '../../shared/protocol.js';
import { RecordingChunkAccepted, recordingPath, type RecordingChunkUpload } from '../../shared/recording.js';
import type { RelayRoutes } from '../relay-route.js';
import { postToRelay } from './relay-http.js';

export type RecordingSend = { sent: true; next: number } | { sent: false; message: string };

export class OperatorRecording {
  private relay: { url: string; token: string | null } | null = null;
  private recorded: SessionId | null = null;

  constructor(
    private readonly routes: RelayRoutes | undefined,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The relay connected to, and the token that session uses. */
  use(url: string, token: string | null): void {
    this.relay = { url, token };
  }

  onState(s: OperatorState): void {
    this.recorded = s.status === 'active' && s.recorded ? s.sessionId : null;
  }

  async upload(chunk: RecordingChunkUpload): Promise<RecordingSend> {
    const sessionId = this.recorded;
    if (!sessionId || !this.relay?.token) return { sent: false, message: 'No recorded session is active.' };
    const answer = await postToRelay(this.relay.url, recordingPath(sessionId), chunk, RecordingChunkAccepted, {
      token: this.relay.token,
      timeoutMs: 20_000,
      ...(this.routes ? { routes: this.routes } : {}),
    });
    if (answer.ok) return { sent: true, next: answer.body.next };
    this.log(`[operator] recording chunk ${chunk.seq} not taken: ${answer.code}`);
    return { sent: false, message: answer.message };
  }
}
