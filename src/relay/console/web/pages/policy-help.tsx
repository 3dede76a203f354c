/**
 * What each policy setting does, in a line under it, and what the relay refused of it, next to
 * it and naming it in words: the relay answers a refused policy with each invalid field's path
 * (relay-api's FieldIssue), which issuesAt sorts to the setting it is about.
 */
import type { Policy } from '../../../../shared/policy';
import type { FieldIssue } from '../../../../shared/relay-api';

/**
 * The settings with one input each; the capability matrix has its own editor (CapabilityMatrixEditor). The file
 * limits (`files`) have no editor yet: they are set through PUT /console/api/policy.
 */
export type Field = Exclude<keyof Policy, 'capabilities' | 'files'>;

export const FIELDS: Array<{ field: Field; label: string }> = [
  { field: 'remoteAssistance', label: 'Remote assistance' },
  { field: 'allowedTypes', label: 'Allowed types' },
  { field: 'audioRedirection', label: 'Audio redirection' },
  { field: 'minAgentVersion', label: 'Minimum agent version' },
];

const HELP: Record<Field, string> = {
  remoteAssistance:
    'Whether operators may request remote assistance on these devices at all. Switching it off also ends the assistances running on them.',
  allowedTypes:
    'Which kinds operators may request: attended (the user at the device is asked for consent), unattended (nobody needs to be there: opened with a one-time password) and dynamic (attended when someone is signed in at the device, else unattended). A new installation allows attended only.',
  audioRedirection:
    'Whether the operator hears the device’s sound. Off by default, so that the operator does not hear the user’s calls.',
  minAgentVersion:
    'Devices whose agent is older than the first version are offered no remote assistance; older than the second, no dynamic assistance. A version is YY.M or YY.M.patch, as 26.11 or 24.9.2.',
};

/** The parts of each setting a refusal may name, in words. */
const PARTS: Partial<Record<Field, Record<string, string>>> = {
  minAgentVersion: { remoteAssistance: 'for remote assistance', dynamic: 'for dynamic assistance' },
};

/** The issues below `prefix` (['product', 'minAgentVersion']), with their paths taken past it. */
export function issuesAt(issues: FieldIssue[], prefix: string[]): FieldIssue[] {
  return issues
    .filter((i) => prefix.every((segment, n) => i.path[n] === segment))
    .map((i) => ({ ...i, path: i.path.slice(prefix.length) }));
}

export function FieldHelp({ id, field }: { id: string; field: Field }) {
  return (
    <p id={id} className="hint">
      {HELP[field]}
    </p>
  );
}

export function FieldErrors({
  id,
  field,
  label,
  issues,
}: {
  id: string;
  field: Field;
  label: string;
  issues: FieldIssue[];
}) {
  if (issues.length === 0) return null;
  return (
    <ul id={id} className="field-errors" role="alert">
      {issues.map((issue) => {
        const part = issue.path[0] === undefined ? undefined : PARTS[field]?.[issue.path[0]];
        return (
          <li key={issue.path.join('/') + issue.message}>{`${label}${part ? ` ${part}` : ''}: ${issue.message}`}</li>
        );
      })}
    </ul>
  );
}
