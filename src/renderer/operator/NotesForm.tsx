/**
 * The ticket number and notes the operator attaches to the assistance, from the toolbar: sent to
 * the relay, which keeps them in the audit trail (the console shows them) and says so; the
 * end-of-session summary shows the last saved.
 */
import { useState, type FormEvent } from 'react';
import { useViewerStore } from './viewer-store';

const api = () => window.flxra.operator.viewer;

export function NotesForm() {
  const saved = useViewerStore((s) => s.notesSaved);
  const [ticket, setTicket] = useState(saved?.ticket ?? '');
  const [notes, setNotes] = useState(saved?.notes ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    api()
      .saveNotes({ ticket, notes })
      .then((r) => (r.sent ? useViewerStore.getState().markUsed('Ticket and notes') : setProblem(r.message)))
      .catch((err: Error) => setProblem(err.message));
  };
  const unchanged = saved?.ticket === ticket.trim() && saved.notes === notes;
  return (
    <form className="notes-form" onSubmit={submit} aria-label="Ticket and notes" data-testid="notes-form">
      <label htmlFor="ticket">Ticket number</label>
      <input id="ticket" maxLength={64} value={ticket} onChange={(e) => setTicket(e.target.value)} />
      <label htmlFor="notes">Notes</label>
      <textarea id="notes" maxLength={4000} rows={4} value={notes} onChange={(e) => setNotes(e.target.value)} />
      <button type="submit" disabled={unchanged}>
        Save to the audit trail
      </button>
      {saved && unchanged && (
        <span role="status" data-testid="notes-saved">
          Saved in the audit trail.
        </span>
      )}
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </form>
  );
}
