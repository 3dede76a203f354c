/**
 * The remote-assistance policy (admins): the product level, which applies to every report group,
 * and per report group the settings that override it. Saved as a whole; the relay enforces it
 * on every request from then on.
 */
import { useEffect, useState } from 'react';
import type { PolicySettings } from '../../../../shared/console-api';
import { Role, type Policy, type PolicyOverride } from '../../../../shared/policy';
import { RequestedMode } from '../../../../shared/protocol';
import { consoleApi, message } from '../api';

type Field = keyof Policy;
const FIELDS: Array<{ field: Field; label: string }> = [
  { field: 'remoteAssistance', label: 'Remote assistance' },
  { field: 'allowedTypes', label: 'Allowed types' },
  { field: 'adminToolsRoles', label: 'Roles that may use the admin tools' },
  { field: 'audioRedirection', label: 'Audio redirection' },
  { field: 'minAgentVersion', label: 'Minimum agent version' },
];

export function PolicyPage() {
  const [settings, setSettings] = useState<PolicySettings | null>(null);
  const [knownGroups, setKnownGroups] = useState<string[]>([]);
  const [newGroup, setNewGroup] = useState('');
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  useEffect(() => {
    consoleApi.policy().then(setSettings, (err: unknown) => setNote({ error: true, text: message(err) }));
    consoleApi.devices().then(
      ({ devices }) => setKnownGroups([...new Set(devices.map((d) => d.reportGroup))].sort()),
      () => undefined,
    );
  }, []);
  if (!settings) return note ? <p className="error">{note.text}</p> : <p>Loading…</p>;

  const setGroup = (group: string, override: PolicyOverride | null) => {
    const groups = { ...settings.groups };
    if (override) groups[group] = override;
    else delete groups[group];
    setSettings({ ...settings, groups });
  };
  const save = async () => {
    setNote(null);
    try {
      setSettings(await consoleApi.putPolicy({ body: settings }));
      setNote({ error: false, text: 'Policy saved: the relay applies it from now on.' });
    } catch (err) {
      setNote({ error: true, text: message(err) });
    }
  };
  const groupsWithout = knownGroups.filter((g) => !Object.hasOwn(settings.groups, g));
  return (
    <section aria-labelledby="policy-title">
      <h1 id="policy-title">Policy</h1>
      <fieldset className="panel">
        <legend>Product level (all report groups)</legend>
        {FIELDS.map(({ field, label }) => (
          <PolicyField
            key={field}
            scope="product"
            field={field}
            label={label}
            policy={settings.product}
            onChange={(product) => setSettings({ ...settings, product })}
          />
        ))}
      </fieldset>
      {Object.entries(settings.groups).map(([group, override]) => (
        <GroupOverride
          key={group}
          group={group}
          product={settings.product}
          override={override}
          onChange={(o) => setGroup(group, o)}
        />
      ))}
      <p className="field">
        <label htmlFor="new-group">Override the policy for report group</label>
        <input id="new-group" list="known-groups" value={newGroup} onChange={(e) => setNewGroup(e.target.value)} />
        <datalist id="known-groups">
          {groupsWithout.map((g) => (
            <option key={g} value={g} />
          ))}
        </datalist>
        <button
          type="button"
          disabled={!newGroup.trim() || Object.hasOwn(settings.groups, newGroup.trim())}
          onClick={() => {
            setGroup(newGroup.trim(), {});
            setNewGroup('');
          }}
        >
          Add group override
        </button>
      </p>
      <p className="hint">
        Switching remote assistance off for a group also ends the assistances running on its devices, and their files no
        longer open.
      </p>
      <p className="actions">
        <button type="button" className="primary" onClick={() => void save()}>
          Save policy
        </button>
      </p>
      {note && (
        <p className={note.error ? 'error' : 'notice'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
    </section>
  );
}

function GroupOverride({
  group,
  product,
  override,
  onChange,
}: {
  group: string;
  product: Policy;
  override: PolicyOverride;
  onChange: (o: PolicyOverride | null) => void;
}) {
  const effective: Policy = { ...product, ...override };
  return (
    <fieldset className="panel">
      <legend>Report group {group}</legend>
      {FIELDS.map(({ field, label }) => {
        const overridden = Object.hasOwn(override, field);
        return (
          <div key={field} className="override">
            <label className="inline">
              <input
                type="checkbox"
                checked={overridden}
                onChange={(e) => {
                  const next: PolicyOverride = { ...override };
                  if (e.target.checked) Object.assign(next, { [field]: product[field] });
                  else delete next[field];
                  onChange(next);
                }}
              />
              Override {label.toLowerCase()} for {group}
            </label>
            <PolicyField
              scope={group}
              field={field}
              label={label}
              policy={effective}
              disabled={!overridden}
              onChange={(p) => onChange({ ...override, [field]: p[field] })}
            />
          </div>
        );
      })}
      <button type="button" onClick={() => onChange(null)}>
        Remove the override of {group}
      </button>
    </fieldset>
  );
}

/** One setting's inputs; `scope` keeps the ids of the product's and each group's apart. */
function PolicyField(props: {
  scope: string;
  field: Field;
  label: string;
  policy: Policy;
  disabled?: boolean;
  onChange: (p: Policy) => void;
}) {
  const { scope, field, label, policy, disabled, onChange } = props;
  const id = `${scope}-${field}`.replace(/\s+/g, '_');
  const where = scope === 'product' ? '' : ` (${scope})`;
  switch (field) {
    case 'remoteAssistance':
    case 'audioRedirection':
      return (
        <label className="inline" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            disabled={disabled}
            checked={policy[field]}
            onChange={(e) => onChange({ ...policy, [field]: e.target.checked })}
          />
          {label} enabled{where}
        </label>
      );
    case 'allowedTypes':
      return (
        <Choices
          legend={`${label}${where}`}
          options={RequestedMode.options}
          chosen={policy.allowedTypes}
          disabled={disabled}
          onChange={(allowedTypes) => onChange({ ...policy, allowedTypes })}
        />
      );
    case 'adminToolsRoles':
      return (
        <Choices
          legend={`${label}${where}`}
          options={Role.options}
          chosen={policy.adminToolsRoles}
          disabled={disabled}
          onChange={(adminToolsRoles) => onChange({ ...policy, adminToolsRoles })}
        />
      );
    case 'minAgentVersion':
      return (
        <div className="versions">
          {(['remoteAssistance', 'dynamic'] as const).map((kind) => (
            <p key={kind} className="field">
              <label htmlFor={`${id}-${kind}`}>
                {label} for {kind === 'dynamic' ? 'dynamic assistance' : 'remote assistance'}
                {where}
              </label>
              <input
                id={`${id}-${kind}`}
                disabled={disabled}
                value={policy.minAgentVersion[kind]}
                onChange={(e) =>
                  onChange({ ...policy, minAgentVersion: { ...policy.minAgentVersion, [kind]: e.target.value } })
                }
              />
            </p>
          ))}
        </div>
      );
  }
}

function Choices<T extends string>(props: {
  legend: string;
  options: readonly T[];
  chosen: readonly T[];
  disabled?: boolean;
  onChange: (chosen: T[]) => void;
}) {
  return (
    <fieldset className="choices" disabled={props.disabled}>
      <legend>{props.legend}</legend>
      {props.options.map((option) => (
        <label key={option} className="inline">
          <input
            type="checkbox"
            checked={props.chosen.includes(option)}
            onChange={(e) =>
              props.onChange(e.target.checked ? [...props.chosen, option] : props.chosen.filter((c) => c !== option))
            }
          />
          {option}
        </label>
      ))}
    </fieldset>
  );
}
