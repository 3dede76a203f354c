/**
 * A new password, typed twice, wherever the console sets one (setup, a new user, a change, an
 * admin's reset): what makes a good one is said beside the field, and so is the relay's refusal
 * (it judges length and how guessable it is, and says why and how to do better).
 */
import { MIN_PASSWORD_LENGTH, WEAK_PASSWORD } from '../../../../shared/console-passwords';
import { ApiFailure } from '../api';
import { formText } from './SetupPage';

export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters, and not a common password: four or more words that do not belong together work well.`;

export function NewPasswordFields({
  label,
  refusal,
  name = 'password',
}: {
  label: string;
  /** The relay's reason this password was refused, shown by the field. */
  refusal: string | null;
  name?: string;
}) {
  const id = `field-${name}`;
  const said = refusal ? `${id}-refusal` : `${id}-hint`;
  return (
    <>
      <p className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          name={name}
          type="password"
          required
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          aria-describedby={said}
          aria-invalid={refusal ? true : undefined}
        />
      </p>
      {refusal ? (
        <p className="error" role="alert" id={said}>
          {refusal}
        </p>
      ) : (
        <p className="hint" id={said}>
          {PASSWORD_HINT}
        </p>
      )}
      <p className="field">
        <label htmlFor={`${id}-again`}>{`${label} again`}</label>
        <input
          id={`${id}-again`}
          name={`${name}-again`}
          type="password"
          required
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
        />
      </p>
    </>
  );
}

/** The new password of a form with NewPasswordFields, or the refusal to show when the two differ. */
export function newPassword(form: FormData, name = 'password'): { password: string } | { refusal: string } {
  const password = formText(form, name);
  return password === formText(form, `${name}-again`) ? { password } : { refusal: 'The two passwords differ.' };
}

/** The relay's reason for refusing a password, shown by its field; null for any other failure. */
export function passwordRefusal(err: unknown): string | null {
  return err instanceof ApiFailure && err.code === WEAK_PASSWORD ? err.message : null;
}
