/**
 * The remote-assistance policy (admins): the product level, which applies to every report group,
 * and per report group the settings that override it. Saved as a whole; the relay enforces it
 * on every request from then on. Each setting says what it does (policy-help.ts), and what the
 * relay refuses of it is shown next to it, naming it in words. The capability matrix
 * (CapabilityMatrixEditor), the roles (RolesPanel) and a device's effective values
 * (EffectivePolicyView) are below.
 */
import { useEffect, useState } from 'react';
import type { PolicySettings } from '../../../../shared/console-api';
import type { Policy, PolicyOverride } from '../../../../shared/policy';
import { RequestedMode } from '../../../../shared/protocol';
import type { FieldIssue } from '../../../../shared/relay-api';
import { ApiFailure, consoleApi, message } from '../api';
import { FIELDS, FieldHelp, FieldErrors, issuesAt, type Field } from './policy-help';
import type { RolesResponse } from '../../../../shared/console-roles';
import { CapabilityMatrixEditor } from './CapabilityMatrixEditor';
import { EffectivePolicyView } from './EffectivePolicyView';
import { RolesPanel } from './RolesPanel';

export function PolicyPage() {
  const [settings, setSettings] = useState<PolicySettings | null>(null);
  const [knownGroups, setKnownGroups] = useState<string[]>([]);
  const [newGroup, setNewGroup] = useState('');
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [roles, setRoles] = useState<RolesResponse>({ roles: [], assignments: [] });
  const [saves, setSaves] = useState(0);
  const loadRoles = () => void consoleApi.roles().then(setRoles, () => undefined);
  useEffect(() => {
    consoleApi.policy().then(setSettings, (err: unknown) => setNote({ error: true, text: message(err) }));
    loadRoles();
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
    setIssues([]);
    try {
      setSettings(await consoleApi.putPolicy({ body: settings }));
      setSaves((n) => n + 1);
      setNote({ error: false, text: 'Policy saved: the relay applies it from now on.' });
    } catch (err) {
      const fields = err instanceof ApiFailure ? err.fields : [];
      setIssues(fields);
      setNote({
        error: true,
        text: fields.length > 0 ? 'The policy was not saved: see the settings marked below.' : message(err),
      });
    }
  };
  const groupsWithout = knownGroups.filter((g) => !Object.hasOwn(settings.groups, g));
  const roleNames = roles.roles.map((r) => r.name);
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
            issues={issuesAt(issues, ['product', field])}
            onChange={(product) => setSettings({ ...settings, product })}
          />
        ))}
        <CapabilityMatrixEditor
          scope="product"
          roles={roleNames}
          matrix={settings.product.capabilities}
          onChange={(capabilities) => setSettings({ ...settings, product: { ...settings.product, capabilities } })}
        />
      </fieldset>
      {Object.entries(settings.groups).map(([group, override]) => (
        <GroupOverride
          key={group}
          group={group}
          product={settings.product}
          roles={roleNames}
          override={override}
          issues={issuesAt(issues, ['groups', group])}
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
      <EffectivePolicyView saves={saves} />
      <RolesPanel roles={roles} onChanged={loadRoles} />
    </section>
  );
}

function GroupOverride({
  group,
  product,
  roles,
  override,
  issues,
  onChange,
}: {
  group: string;
  product: Policy;
  roles: string[];
  override: PolicyOverride;
  issues: FieldIssue[];
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
              issues={issuesAt(issues, [field])}
              disabled={!overridden}
              onChange={(p) => onChange({ ...override, [field]: p[field] })}
            />
          </div>
        );
      })}
      <CapabilityMatrixEditor
        scope={group}
        roles={roles}
        matrix={override.capabilities ?? {}}
        inherits={product.capabilities}
        onChange={(capabilities) => {
          const next: PolicyOverride = { ...override, capabilities };
          if (Object.keys(capabilities).length === 0) delete next.capabilities;
          onChange(next);
        }}
      />
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
  /** What the relay refused of this setting, paths below it. */
  issues: FieldIssue[];
  disabled?: boolean;
  onChange: (p: Policy) => void;
}) {
  const id = `${props.scope}-${props.field}`.replace(/\s+/g, '_');
  return (
    <div className="policy-field">
      <PolicyInputs {...props} id={id} />
      <FieldHelp id={`${id}-help`} field={props.field} />
      <FieldErrors id={`${id}-errors`} field={props.field} label={props.label} issues={props.issues} />
    </div>
  );
}

function PolicyInputs(props: Parameters<typeof PolicyField>[0] & { id: string }) {
  const { id, scope, field, label, policy, disabled, issues, onChange } = props;
  const where = scope === 'product' ? '' : ` (${scope})`;
  // Described by the setting's help and by what the relay refused of it.
  const describedBy = `${id}-help${issues.length > 0 ? ` ${id}-errors` : ''}`;
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
            aria-describedby={describedBy}
            aria-invalid={issues.length > 0 || undefined}
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
          describedBy={describedBy}
          onChange={(allowedTypes) => onChange({ ...policy, allowedTypes })}
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
                aria-describedby={describedBy}
                aria-invalid={issues.some((i) => i.path[0] === kind) || undefined}
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
  describedBy: string;
  onChange: (chosen: T[]) => void;
}) {
  return (
    <fieldset className="choices" disabled={props.disabled} aria-describedby={props.describedBy}>
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
