/**
 * The relay's recordings (recordings.ts) built from its parts, as tools-wiring.ts builds the tools'
 * relay (server.ts calls this once): a session as the clipboard and chat see it (assist-wiring.ts),
 * the policy's `recording` cell for the operator's role, the one way an assistance ends (finish(),
 * or, for a session joined by ID, the session table's dropOperator: its host keeps its ID), and the
 * chunks' folder in the data dir.
 */
import { isOver } from '../assistances/lifecycle.js';
import type { Assistances } from '../assistances/service.js';
import { RELAY_ACTOR } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import { assistSessions, type AssistWiring } from '../tools/assist-wiring.js';
import { ChunkFiles } from './chunk-files.js';
import { RecordingArchive } from './recording-archive.js';
import { Recordings } from './recordings.js';

/** Chunks are kept 90 days unless the relay is told otherwise (`--recording-retention-days`). */
export const DEFAULT_RECORDING_RETENTION_MS = 90 * 24 * 3_600_000;

export interface RecordingWiring extends AssistWiring {
  dataDir: string;
  clock: Clock;
  retentionMs: number | undefined;
  assistances: () => Assistances;
}

export function wireRecordings(w: RecordingWiring): { recordings: Recordings; archive: RecordingArchive } {
  const files = new ChunkFiles(w.dataDir);
  const session = assistSessions(w);
  const recordings = new Recordings({
    files,
    audit: w.audit,
    clock: w.clock,
    retentionMs: w.retentionMs ?? DEFAULT_RECORDING_RETENTION_MS,
    session,
    roleOf: (operatorId) => w.roles.ofOperator(operatorId),
    capability: (deviceId, role, capability, mode) => w.policyGate.capability(deviceId, role, capability, mode),
    end: (sessionId, reason) =>
      w.store.getAssistance(sessionId)
        ? w.assistances().finish(sessionId, reason, RELAY_ACTOR)
        : w.assistances().sessions.dropOperator(sessionId, reason),
  });
  // Over (by whatever ended it): nothing more is taken for it.
  w.lifecycles.onChange((sessionId, state) => {
    if (isOver(state)) recordings.ended(sessionId);
  });
  return { recordings, archive: new RecordingArchive(recordings, files, w.audit) };
}
