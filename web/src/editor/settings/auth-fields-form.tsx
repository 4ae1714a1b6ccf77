import { useState } from 'react';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { Connection, Piece } from '../../api/types';
import { authValues } from '../../forms/connections';
import { AuthFieldInputs, initialAuthInput, type AuthInput } from './auth-field-inputs';
import { describedBy, FieldShell } from './field-shell';

/**
 * "Connect a new account" for API key, bearer, basic and custom pieces: the connection's name and
 * the piece's `auth_fields`. The server tests the values before saving and answers in plain words
 * when they do not work; secrets are typed into password inputs and never shown back.
 */
export function AuthFieldsForm({
  piece,
  idPrefix,
  initialName,
  onCreated,
  onCancel,
}: {
  piece: Piece;
  idPrefix: string;
  initialName: string;
  onCreated: (c: Connection) => void;
  onCancel: () => void;
}) {
  const fields = piece.auth_fields ?? [];
  const [name, setName] = useState(initialName);
  const [input, setInput] = useState<AuthInput>(() => initialAuthInput(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const { values, errors: fieldErrors } = authValues(fields, input);
    if (!name.trim()) fieldErrors.__name = 'Give the connection a name.';
    setErrors(fieldErrors);
    if (Object.keys(fieldErrors).length) {
      setError('Fill in the fields marked above.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await api.connections.create({ name: name.trim(), piece: piece.id, values });
      onCreated(created);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const nameId = `${idPrefix}-name`;
  const nameHelp = 'How steps refer to this account, e.g. “HubSpot – sales”.';
  return (
    <form
      className="connect-form"
      aria-label={`Connect a new ${piece.name} account`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      {piece.auth_help && <p className="muted small-text">{piece.auth_help}</p>}
      <FieldShell id={nameId} label="Connection name" required help={nameHelp} error={errors.__name}>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} aria-required aria-invalid={errors.__name ? true : undefined} aria-describedby={describedBy(nameId, nameHelp, errors.__name)} />
      </FieldShell>
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
