import { useState } from 'react';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { Connection, Piece } from '../../api/types';
import { authValues } from '../../forms/connections';
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
  const [input, setInput] = useState<Record<string, string | boolean>>(() => {
    const init: Record<string, string | boolean> = {};
    for (const f of fields) if (f.default !== undefined && !f.secret) init[f.name] = typeof f.default === 'boolean' ? f.default : String(f.default);
    return init;
  });
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
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const err = errors[f.name];
        const common = {
          id,
          'aria-required': f.required || undefined,
          'aria-invalid': err ? true : undefined,
          'aria-describedby': describedBy(id, f.help, err),
        };
        const v = input[f.name];
        const set = (value: string | boolean) => setInput({ ...input, [f.name]: value });
        return (
          <FieldShell key={f.name} id={id} label={f.label || f.name} required={f.required} help={f.help} error={err}>
            {f.kind === 'boolean' ? (
              <input {...common} type="checkbox" checked={v === true} onChange={(e) => set(e.target.checked)} />
            ) : f.kind === 'select' && f.options?.length ? (
              <select {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(e.target.value)}>
                <option value="">— Choose —</option>
                {f.options.map((o, i) => (
                  <option key={i} value={String(o.value)}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : f.kind === 'long_text' && !f.secret ? (
              <textarea {...common} rows={3} value={typeof v === 'string' ? v : ''} onChange={(e) => set(e.target.value)} />
            ) : (
              <input
                {...common}
                type={f.secret ? 'password' : 'text'}
                inputMode={f.kind === 'number' ? 'numeric' : undefined}
                autoComplete={f.secret ? 'new-password' : 'off'}
                spellCheck={false}
                value={typeof v === 'string' ? v : ''}
                placeholder={f.example !== undefined && !f.secret ? `e.g. ${String(f.example)}` : undefined}
                onChange={(e) => set(e.target.value)}
              />
            )}
          </FieldShell>
        );
      })}
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
