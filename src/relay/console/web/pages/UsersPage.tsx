/**
 * Console users (admins only): the list, each user's role and removal (after a confirmation on
 * the page; never the signed-in admin's own account), and a new user, acting as an existing
 * operator or a new one. Whether each has a second factor, and its reset (a lost phone) for others;
 * a forgotten password's reset (ResetPasswordPanel.tsx). The new operator's app token has a Copy button.
 */
import { useState, type FormEvent } from 'react';
import type { ConsoleUser, NewUserResponse } from '../../../../shared/console-api';
import type { Role } from '../../../../shared/policy';
import { consoleApi, message } from '../api';
import { CopyButton } from '../CopyButton';
import { usePolled } from '../polling';
import { useConsole } from '../store';
import { NewPasswordFields, newPassword, passwordRefusal } from './PasswordFields';
import { ResetPasswordPanel } from './ResetPasswordPanel';
import { Field, formText } from './SetupPage';

const ROLE_NAMES: Record<Role, string> = { admin: 'Administrator', operator: 'Operator' };

export function UsersPage() {
  const [version, setVersion] = useState(0);
  const { value } = usePolled(() => consoleApi.users(), 30_000, String(version));
  const [error, setError] = useState<string | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  /** The user whose password is being reset. */
  const [resetting, setResetting] = useState<ConsoleUser | null>(null);
  const [created, setCreated] = useState<NewUserResponse | null>(null);
  const me = useConsole((s) => s.user);
  /** The user whose removal waits for confirmation. */
  const [removing, setRemoving] = useState<ConsoleUser | null>(null);
  /** The username a change is under way for. */
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  const change = async (username: string, done: string, request: () => Promise<unknown>) => {
    setNote(null);
    setBusy(username);
    try {
      await request();
      setNote({ error: false, text: done });
    } catch (err) {
      setNote({ error: true, text: message(err) });
    } finally {
      setBusy(null);
      setRemoving(null);
      setVersion((v) => v + 1);
    }
  };
  const setRole = (user: ConsoleUser, role: Role) =>
    change(user.username, `${user.username} is now ${role === 'admin' ? 'an administrator' : 'an operator'}.`, () =>
      consoleApi.changeRole({ params: { username: user.username }, body: { role } }),
    );
  const resetSecondFactor = (user: ConsoleUser) =>
    change(user.username, `${user.username}'s second factor was removed: they can set up a new one.`, () =>
      consoleApi.resetSecondFactor({ params: { username: user.username } }),
    );
  const remove = (user: ConsoleUser) =>
    change(user.username, `${user.username} was removed and signed out of the console and the app.`, () =>
      consoleApi.removeUser({ params: { username: user.username } }),
    );
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const operatorId = formText(form, 'operatorId').trim();
    setError(null);
    const chosen = newPassword(form);
    if ('refusal' in chosen) return setRefusal(chosen.refusal);
    setRefusal(null);
    try {
      setCreated(
        await consoleApi.createUser({
          body: {
            username: formText(form, 'username'),
            name: formText(form, 'name'),
            // The form's select offers the roles only; the relay checks it all the same.
            role: formText(form, 'role') as Role,
            password: chosen.password,
            ...(operatorId ? { operatorId } : {}),
          },
        }),
      );
      formElement.reset();
      setVersion((v) => v + 1);
    } catch (err) {
      const weak = passwordRefusal(err);
      if (weak) setRefusal(weak);
      else setError(message(err));
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
            <th scope="col">Second factor</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(value?.users ?? []).map((u) => {
            const own = u.username === me?.username;
            const disabled = own || busy !== null;
            return (
              <tr key={u.username}>
                <th scope="row">{u.username}</th>
                <td>{u.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.username}`}
                    value={u.role}
                    disabled={disabled}
                    onChange={(e) => void setRole(u, e.target.value as Role)}
                  >
                    {(Object.keys(ROLE_NAMES) as Role[]).map((role) => (
                      <option key={role} value={role}>
                        {ROLE_NAMES[role]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{u.operatorId}</td>
                <td>
                  {u.secondFactor ? 'On' : 'Off'}{' '}
                  {u.secondFactor && !own && (
                    <button
                      type="button"
                      aria-label={`Reset the second factor of ${u.username}`}
                      disabled={busy !== null}
                      onClick={() => void resetSecondFactor(u)}
                    >
                      Reset
                    </button>
                  )}
                </td>
                <td>
                  {u.passwordChangeNeeded && <span className="muted">Must change password. </span>}
                  <button
                    type="button"
                    aria-label={`Reset the password of ${u.username}`}
                    disabled={disabled}
                    onClick={() => {
                      setNote(null);
                      setRemoving(null);
                      setResetting(u);
                    }}
                  >
                    Reset password
                  </button>{' '}
                  <button
                    type="button"
                    aria-label={`Remove ${u.username}`}
                    disabled={disabled}
                    onClick={() => {
                      setNote(null);
                      setResetting(null);
                      setRemoving(u);
                    }}
                  >
                    Remove
                  </button>
                  {own && <span className="muted"> You: another administrator can change your account.</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {resetting && (
        <ResetPasswordPanel
          key={resetting.username}
          user={resetting}
          onClose={(changed) => {
            setResetting(null);
            if (changed) setVersion((v) => v + 1);
          }}
        />
      )}
      {removing && (
        <section className="panel" aria-labelledby="remove-title">
          <h2 id="remove-title">
            Remove {removing.username} ({removing.name})?
          </h2>
          <p>
            They are signed out of the console at once and can no longer sign in. Their flxra app is disconnected and
            its token revoked, unless other console users act as the same operator ({removing.operatorId}). The audit
            trail keeps everything they did.
          </p>
          <p className="actions">
            <button type="button" className="danger" disabled={busy !== null} onClick={() => void remove(removing)}>
              Yes, remove {removing.username}
            </button>
            <button type="button" onClick={() => setRemoving(null)}>
              Cancel
            </button>
          </p>
        </section>
      )}
      {note && (
        <p className={note.error ? 'error' : 'notice'} role={note.error ? 'alert' : 'status'}>
          {note.text}
        </p>
      )}
      <form className="panel" onSubmit={(event) => void submit(event)} aria-labelledby="new-user-title">
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
        <NewPasswordFields label="Initial password" refusal={refusal} />
        <Field
          name="operatorId"
          label="Existing operator id (empty: a new operator)"
          required={false}
          autoComplete="off"
        />
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
              <p>
                <span className="secret" aria-label="Operator token">
                  {created.operatorToken}
                </span>{' '}
                <CopyButton text={created.operatorToken} />
              </p>
              <p className="notice">It is not shown again: give it to them now.</p>
            </>
          )}
        </section>
      )}
    </section>
  );
}
