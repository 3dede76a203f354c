/**
 * The recording's way out of the operator in the browser, which has no main process to hand chunks
 * to (the app's is src/main/operator/operator-recording.ts): the viewer's recorder
 * (src/renderer/operator/session-recorder.ts) cuts the remote screen and its input into chunks as in
 * the app, and this page POSTs each itself to the console's variant of the upload,
 * /console/api/me/recordings/:sessionId/chunks, as the console session (cookie and CSRF header): the
 * relay takes it only for a session this user's operator identity was admitted to through the
 * browser, and chains it as it chains the app's.
 */
import { CONSOLE_ROUTES } from '../../shared/console-api';
import type { OperatorState } from '../../shared/ipc';
import type { SessionId } from '../../shared/protocol';
import { RecordingChunkAccepted, type RecordingChunkUpload } from '../../shared/recording';
import { consolePost } from './console-calls';

export type RecordingSend = { sent: true; next: number } | { sent: false; message: string };

const path = (sessionId: SessionId) =>
  CONSOLE_ROUTES.browserRecordingChunk.path.replace(':sessionId', encodeURIComponent(sessionId));

export class BrowserRecording {
  private recorded: SessionId | null = null;

  onState(s: OperatorState): void {
    this.recorded = s.status === 'active' && s.recorded ? s.sessionId : null;
  }

  async upload(chunk: RecordingChunkUpload): Promise<RecordingSend> {
    const sessionId = this.recorded;
    if (!sessionId) return { sent: false, message: 'No recorded session is active.' };
    const answer = await consolePost(path(sessionId), chunk);
    if (!answer.ok) return { sent: false, message: answer.message };
    const accepted = RecordingChunkAccepted.safeParse(answer.body);
    return accepted.success
      ? { sent: true, next: accepted.data.next }
      : { sent: false, message: 'the relay’s answer was not understood' };
  }
}
