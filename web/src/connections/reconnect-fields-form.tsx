import { useState } from 'react';
import { errorMessage } from '../api/client';
import type { Connection, Piece } from '../api/types';
import { AuthFieldInputs, initialAuthInput, type AuthInput } from '../editor/settings/auth-field-inputs';
import { authValues } from '../forms/connections';
import { updateConnection } from './connections-api';

/**
 * Reconnect an API key / bearer / basic / custom connection: the piece's fields, typed again (the
 * stored values are never shown), sent with PUT; the server tests them before saving and answers in
 * plain words when they do not work. The connection keeps its name, so steps still find it.
 */
export function ReconnectFieldsForm({
  connection,
  piece,
  onSaved,
  onCancel,
}: {
  connection: Connection;
  piece: Piece;
  onSaved: (c: Connection) => void;
  onCancel: () => void;
}) {
  const fields = piece.auth_fields ?? [];
  const idPrefix = `reconnect-${connection.id}`;
  const [input, setInput] = useState<AuthInput>(() => initialAuthInput(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const { values, errors: fieldErrors } = authValues(fields, input);
    setErrors(fieldErrors);
    if (Object.keys(fieldErrors).length) {
      setError('Fill in the fields marked above.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await updateConnection(connection.id, { name: connection.name, values }));
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  return (
    <form
      className="connect-form reconnect-form"
      aria-label={`Reconnect ${connection.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      <p className="muted small-text">
        Enter the {piece.name} credentials again. They replace the stored ones once {piece.name} accepts them.
        {piece.auth_help ? ` ${piece.auth_help}` : ''}
      </p>
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
