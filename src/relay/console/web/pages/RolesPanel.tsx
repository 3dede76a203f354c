/**
 * The roles of the capability matrix, on the policy page: the built-in ones and those defined
 * here (name, description), and who has which: each console user and operator identity, with a
 * choice of role. What the relay refuses is shown next to the field it names.
 */
import { useState } from 'react';
import type { RolesResponse } from '../../../../shared/console-roles';
import { ApiFailure, consoleApi, message } from '../api';

export function RolesPanel({ roles, onChanged }: { roles: RolesResponse; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [note, setNote] = useState<{ error: boolean; text: string; field?: string } | null>(null);
  const refused = (err: unknown) => {
    const field = err instanceof ApiFailure ? err.fields[0]?.path[0] : undefined;
    setNote({ error: true, text: message(err), ...(field === undefined ? {} : { field }) });
  };
  const create = () =>
    consoleApi.createRole({ body: { name: name.trim(), description } }).then(() => {
      setNote({ error: false, text: `Role ${name.trim()} created: give it capabilities in the matrix.` });
      setName('');
      setDescription('');
      onChanged();
    }, refused);
  const assign = (kind: 'console-user' | 'operator', id: string, role: string) =>
    consoleApi.assignRole({ body: { kind, id, role } }).then(() => {
      setNote({ error: false, text: `${id} now has the role ${role}.` });
      onChanged();
    }, refused);
  return (
    <fieldset className="panel">
      <legend>Roles</legend>
      <ul>
        {roles.roles.map((r) => (
          <li key={r.name}>
            <strong>{r.name}</strong>
            {r.builtIn ? ' (built in)' : ''}: {r.description}
          </li>
        ))}
      </ul>
      <p className="field">
        <label htmlFor="role-name">New role’s name</label>
        <input
          id="role-name"
          value={name}
          aria-invalid={note?.field === 'name' || undefined}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="role-description">Description</label>
        <input id="role-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <button type="button" disabled={!name.trim()} onClick={() => void create()}>
          Create role
        </button>
      </p>
      <p className="hint">
        A console user’s role here decides their capabilities; what they may do in the console stays their console role
        (Users page). An operator identity’s role decides what its app may do.
      </p>
      <table aria-label="Who has which role">
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">Role</th>
          </tr>
        </thead>
        <tbody>
          {roles.assignments.map((a) => (
            <tr key={`${a.kind}:${a.id}`}>
              <th scope="row">
                {a.name} <span className="muted">({a.kind === 'operator' ? `operator identity ${a.id}` : a.id})</span>
              </th>
              <td>
                <select
                  aria-label={`Role of ${a.kind === 'operator' ? 'operator identity' : 'console user'} ${a.id}`}
                  value={a.role}
                  onChange={(e) => void assign(a.kind, a.id, e.target.value)}
                >
                  {roles.roles.map((r) => (
                    <option key={r.name} value={r.name}>
                      {r.name}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {note && (
        <p className={note.error ? 'error' : 'notice'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
    </fieldset>
  );
}
