/**
 * What a tool tab says about itself, the same way in every tool: refused (the agent's or the
 * relay's sentence), ended (why), a problem with the operator's last request, a notice.
 */
import type { TabState } from './tools-client';

export function ToolMessages({
  state,
  problem,
  notice,
}: {
  state: TabState;
  problem: string | null;
  notice: string | null;
}) {
  return (
    <>
      {state.phase === 'refused' && (
        <p className="error" role="alert" data-testid="tool-refused">
          {state.message}
        </p>
      )}
      {state.phase === 'ended' && (
        <p className="tool-ended" role="status">
          Ended: {state.message}
        </p>
      )}
      {problem && (
        <p className="error" role="alert" data-testid="tool-problem">
          {problem}
        </p>
      )}
      {notice && (
        <p className="notice" role="status" data-testid="tool-notice">
          {notice}
        </p>
      )}
    </>
  );
}
