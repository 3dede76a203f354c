/**
 * The end-of-session summary on the operator's screen: the device, how long the assistance lasted,
 * what the operator used (special keys, Request control, notes), the tools opened, and the ticket
 * and notes as the relay saved them in the audit trail.
 */
import { useTools } from './tools/tools-client';
import { useViewerStore } from './viewer-store';

export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${rest} s` : `${rest} s`;
}

export function SessionSummary() {
  const summary = useViewerStore((s) => s.summary);
  const notes = useViewerStore((s) => s.notesSaved);
  const tabs = useTools((s) => s.tabs);
  if (!summary || summary.endedAt === null) return null;
  const used = [...summary.used, ...tabs.map((t) => t.title)];
  return (
    <section className="card session-summary" aria-label="Session summary" data-testid="session-summary">
      <h2>Assistance on {summary.deviceName}</h2>
      <p data-testid="summary-duration">Duration: {durationText(summary.endedAt - summary.startedAt)}</p>
      <p data-testid="summary-used">Used: {used.length ? used.join(', ') : 'the remote screen only'}</p>
      <p data-testid="summary-ticket">
        {notes ? (
          <>
            Ticket {notes.ticket || '(none)'}: {notes.notes || '(no notes)'} — saved in the audit trail.
          </>
        ) : (
          'No ticket or notes were attached.'
        )}
      </p>
    </section>
  );
}
