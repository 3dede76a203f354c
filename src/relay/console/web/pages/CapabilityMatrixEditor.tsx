/**
 * The policy's capability matrix, capabilities × roles, at one level: at product level each
 * cell is on, off or the default; in a report group's override each is on, off or inherit (the
 * product's value, else the default). Each choice says what it would mean, and each capability
 * has its help line.
 */
import {
  Capability,
  CAPABILITY_LABELS,
  defaultCapability,
  type CapabilityMatrix,
} from '../../../../shared/capabilities';

const HELP: Record<Capability, string> = {
  'tool.cmd': 'A command prompt on the device, run by the agent with its rights (LocalSystem, root).',
  'tool.powershell': 'A PowerShell terminal on the device, with the agent’s rights.',
  'tool.registry': 'Browse and change the device’s registry (Windows).',
  'tool.processes': 'See the device’s processes and end them.',
  'tool.user-shell': 'Open a terminal as the signed-in user instead of the agent’s account.',
  'tool.unattended': 'Let the tools above be used when nobody at the device consented (unattended). Off by default.',
  'clipboard.to-device': 'Paste from the operator’s clipboard on the device.',
  'clipboard.from-device': 'Copy from the device to the operator’s clipboard.',
  chat: 'Chat with the user at the device.',
  'files.to-device': 'Send files to the device.',
  'files.from-device': 'Take files from the device.',
  recording: "On: this role's sessions are recorded (the user is told before consent). Off by default.",
  'browser-operator':
    'Assist from a web browser (the viewer this relay serves) instead of the flxra app. Off by default; on in a new installation.',
  'control.request': 'Ask the user for control when they allowed view only (the user still decides).',
  'keys.special':
    'Send the Windows key, Alt+Tab, Print Screen and Ctrl+Alt+Del to the device from the viewer’s toolbar or keyboard.',
  'displays.switch': 'See the device’s other displays, one by one or all at once; without it, the main display only.',
};

type Cell = 'on' | 'off' | 'unset';

export function CapabilityMatrixEditor(props: {
  /** 'product', or the report group's name. */
  scope: string;
  roles: readonly string[];
  matrix: CapabilityMatrix;
  /** For a group: the product level's matrix, which an unset cell inherits. */
  inherits?: CapabilityMatrix;
  onChange: (matrix: CapabilityMatrix) => void;
}) {
  const { scope, roles, matrix, inherits, onChange } = props;
  const where = scope === 'product' ? 'product level' : scope;
  const helpId = (capability: Capability) => `${scope}-${capability}-help`.replace(/[^A-Za-z0-9_-]/g, '_');
  const below = (capability: Capability, role: string): boolean =>
    inherits?.[capability]?.[role] ?? defaultCapability(capability, role);
  const set = (capability: Capability, role: string, value: Cell) => {
    const cells = { ...(matrix[capability] ?? {}) };
    if (value === 'unset') delete cells[role];
    else cells[role] = value === 'on';
    const next = { ...matrix };
    if (Object.keys(cells).length === 0) delete next[capability];
    else next[capability] = cells;
    onChange(next);
  };
  return (
    <table className="matrix" aria-label={`Capabilities (${where})`}>
      <thead>
        <tr>
          <th scope="col">Capability</th>
          {roles.map((role) => (
            <th key={role} scope="col">
              {role}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Capability.options.map((capability) => (
          <tr key={capability}>
            <th scope="row">
              {CAPABILITY_LABELS[capability]}
              <p id={helpId(capability)} className="hint">
                {HELP[capability]}
              </p>
            </th>
            {roles.map((role) => {
              const value = matrix[capability]?.[role];
              const unsetWords = `${inherits ? 'inherit' : 'default'} (${below(capability, role) ? 'on' : 'off'})`;
              return (
                <td key={role}>
                  <select
                    aria-label={`${CAPABILITY_LABELS[capability]} for ${role} (${where})`}
                    aria-describedby={helpId(capability)}
                    value={value === undefined ? 'unset' : value ? 'on' : 'off'}
                    onChange={(e) => set(capability, role, e.target.value as Cell)}
                  >
                    <option value="unset">{unsetWords}</option>
                    <option value="on">on</option>
                    <option value="off">off</option>
                  </select>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
