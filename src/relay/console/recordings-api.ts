/**
 * The console's recordings (RECORDING_ROUTES in src/shared/recording.ts), for administrators: the
 * list, one recording's chain check and input timeline, and a part's video streamed as WebM; and the
 * operator in the browser's chunk upload, signed in by its console session (cookie and CSRF header)
 * as the user's operator identity through the browser, the one its socket's ticket gave.
 */
import { ApiFailure } from '../http/json.js';
import type { RecordingArchive } from '../recordings/recording-archive.js';
import type { Recordings } from '../recordings/recordings.js';
import type { ConsoleHandlers } from './routes.js';
import type { ConsoleUsers } from './users.js';

export interface RecordingsApiDeps {
  recordings: RecordingArchive;
  /** Where chunks are taken (or refused): the same check as the app's upload. */
  recordingChunks: Pick<Recordings, 'chunk'>;
  users: ConsoleUsers;
}

export function recordingHandlers(
  deps: RecordingsApiDeps,
): Pick<ConsoleHandlers, 'recordings' | 'recording' | 'recordingVideo' | 'browserRecordingChunk'> {
  const notFound = () => new ApiFailure(404, 'not-found', 'No recording of that session is kept on this relay.');
  return {
    browserRecordingChunk({ params: { sessionId }, body }, { signedIn: { user } }) {
      const operator = deps.users.operatorOf(user);
      if (!operator)
        throw new ApiFailure(403, 'denied', 'your console account has no operator identity to record with');
      const result = deps.recordingChunks.chunk({ ...operator, via: 'browser' }, sessionId, body);
      if (!result.ok) throw new ApiFailure(result.status, result.code, result.message);
      return { sha256: result.sha256, next: result.next };
    },
    recordings: () => ({ recordings: deps.recordings.list() }),
    recording: ({ params: { sessionId } }) => {
      const detail = deps.recordings.detail(sessionId);
      if (!detail) throw notFound();
      return detail;
    },
    recordingVideo({ params: { sessionId }, query: { part } }, { reply }) {
      const video = deps.recordings.video(sessionId, part);
      if (!video)
        throw new ApiFailure(404, 'not-found', `Part ${part} of this recording has no intact beginning to play.`);
      return reply
        .code(200)
        .headers({
          'content-type': 'video/webm',
          'content-length': String(video.length),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        })
        .send(video);
    },
  };
}
