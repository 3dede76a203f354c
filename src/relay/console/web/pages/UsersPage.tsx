/** Console users (admins only): the list, and a new user, acting as an existing operator or a new one. */
import { useState, type FormEvent } from 'react';
import type { ConsoleUser, NewUserResponse } from '../../../../shared/console-api';
import { call, message } from '../api';
import { usePolled } from '../polling';
import { Field } from './SetupPage';

export function UsersPage() {
  const [version, setVersion] = useState(0);
  const { value } = usePolled(() => call<{ users: ConsoleUser[] }>('GET', '/users'), 30_000, String(version));
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<NewUserResponse | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const operatorId = String(form.get('operatorId') ?? '').trim();
    setError(null);
    try {
      setCreated(
        await call<NewUserResponse>('POST', '/users', {
          username: form.get('username'),
          name: form.get('name'),
          role: form.get('role'),
          password: form.get('password'),
          ...(operatorId ? { operatorId } : {}),
        }),
      );
      formElement.reset();
      setVersion((v) => v + 1);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <table aria-label="Console users">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            <th scope="col">Operator</th>
          </tr>
        </thead>
        <tbody>
          {(value?.users ?? []).map((u) => (
            <tr key={u.username}>
              <th scope="row">{u.username}</th>
              <td>{u.name}</td>
              <td>{u.role}</td>
              <td>{u.operatorId}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="panel" onSubmit={submit} aria-labelledby="new-user-title">
        <h2 id="new-user-title">New user</h2>
        <Field name="username" label="Username" autoComplete="off" />
        <Field name="name" label="Name" autoComplete="off" />
        <p className="field">
          <label htmlFor="field-role">Role</label>
          <select id="field-role" name="role" defaultValue="operator">
            <option value="operator">Operator</option>
            <option value="admin">Administrator</option>
          </select>
        </p>
        <Field name="password" label="Initial password (at least 12 characters)" type="password" autoComplete="new-password" minLength={12} />
        <Field name="operatorId" label="Existing operator id (empty: a new operator)" required={false} autoComplete="off" />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
      {created && (
        <section className="result" aria-label="New user">
          <p>
            {created.user.name} can sign in as {created.user.username}.
          </p>
          {created.operatorToken && (
            <>
              <p>Their operator token for the flxra app:</p>
              <p className="secret" aria-label="Operator token">
                {created.operatorToken}
              </p>
              <p className="notice">It is not shown again: give it to them now.</p>
            </>
          )}
        </section>
      )}
    </section>
  );
}
