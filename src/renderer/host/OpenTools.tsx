/**
 * The user's say over the admin tools: the indicator lists the tools the operator has open on this
 * device (the relay tells the host which) and lets the user close any of them; the relay has the
 * device's agent close it and the operator is told the user did.
 */
import type { OpenTool } from '../../shared/ipc';

const TOOL_WORDS: Record<OpenTool['tool'], string> = {
  cmd: 'Command prompt',
  powershell: 'PowerShell',
  registry: 'Registry editor',
  processes: 'Task manager',
};

export function OpenTools({ tools }: { tools: OpenTool[] | undefined }) {
  if (!tools || tools.length === 0) return null;
  return (
    <span data-testid="open-tools">
      Admin tools open:{' '}
      {tools.map(({ toolId, tool }) => (
        <button key={toolId} title="Close this tool" onClick={() => void window.flxra.host.closeTool(toolId)}>
          {TOOL_WORDS[tool]} ✕
        </button>
      ))}
    </span>
  );
}
