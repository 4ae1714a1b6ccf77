import { useState, type ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import type { Piece } from '../../api/types';
import type { JsonMap } from '../../flow/types';
import { authValues } from '../../forms/connections';
import { AuthFieldInputs, initialAuthInput, type AuthInput } from './auth-field-inputs';

/**
 * The form both "connect a new account" and "reconnect" are: the piece's `auth_fields` (plus what
 * the caller puts before them), checked here, then `send` with the values; a failure (the server
 * tests the values first) is shown in plain words and the form stays open.
 */
export function CredentialsForm({
  piece,
  idPrefix,
  label,
  className,
  before,
  check,
  send,
  onCancel,
}: {
  piece: Piece;
  idPrefix: string;
  /** The form's accessible name. */
  label: string;
  className?: string;
  /** Above the fields: help text, a name field. Gets the field errors (`__name` …). */
  before: (errors: Record<string, string>) => ReactNode;
  /** Errors of the caller's own fields (`{ __name: '…' }`), added to the auth fields' ones. */
  check?: () => Record<string, string>;
  send: (values: JsonMap) => Promise<void>;
  onCancel: () => void;
}) {
  const fields = piece.auth_fields ?? [];
  const [input, setInput] = useState<AuthInput>(() => initialAuthInput(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const { values, errors: fieldErrors } = authValues(fields, input);
    Object.assign(fieldErrors, check?.());
    setErrors(fieldErrors);
    if (Object.keys(fieldErrors).length) {
      setError('Fill in the fields marked above.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await send(values);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={['connect-form', className ?? ''].join(' ').trim()}
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      {before(errors)}
      <AuthFieldInputs fields={fields} idPrefix={idPrefix} input={input} onChange={setInput} errors={errors} disabled={busy} />
      {error && (
        <div className="message message-error" role="alert">
          <span>{error}</span>
        </div>
      )}
      <div className="toolbar">
        <button type="submit" className="button primary small" disabled={busy}>
          {busy ? 'Testing and saving…' : 'Test and save'}
        </button>
        <button type="button" className="button small" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
