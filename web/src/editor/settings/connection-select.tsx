import { useEffect, useState } from 'react';
import type { Connection, Piece } from '../../api/types';
import { connectionsFor, findConnection, suggestName } from '../../forms/connections';
import { AuthFieldsForm } from './auth-fields-form';
import { describedBy, FieldShell } from './field-shell';
import { OAuth2Connect } from './oauth2-connect';
import { useConnections } from './connections-store';

/**
 * The step's connection: the stored connections of its piece (names only), and "Connect a new
 * account" (the piece's API key form, or the OAuth2 pop-up). A new connection is selected at once.
 */
export function ConnectionSelect({
  id,
  piece,
  value,
  onChange,
}: {
  id: string;
  piece: Piece;
  value: string | undefined;
  onChange: (name: string | undefined) => void;
}) {
  const { list, loading, error, load } = useConnections();
  const [adding, setAdding] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);

  const mine = connectionsFor(list ?? [], piece.id);
  const current = findConnection(mine, value);
  const help =
    mine.length === 0 && list ? `No ${piece.name} account is connected yet: connect one to use this step.` : `The ${piece.name} account this step uses.`;
  const created = (c: Connection) => {
    useConnections.getState().add(c);
    setAdding(false);
    onChange(c.name);
  };
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Connection</h3>
      <FieldShell id={id} label="Account" required help={help} error={error ? `The connections could not be loaded: ${error}` : null}>
        <div className="inline-row">
          <select
            id={id}
            value={current ? current.name : value ? 'missing' : ''}
            aria-required
            aria-busy={loading || undefined}
            aria-invalid={value && list && !current ? true : undefined}
            aria-describedby={describedBy(id, help, error)}
            onChange={(e) => {
              const v = e.target.value;
              if (v !== 'missing') onChange(v || undefined);
            }}
          >
            <option value="">{loading && !list ? 'Loading…' : '— Choose an account —'}</option>
            {value && list && !current && <option value="missing">{value} (not found)</option>}
            {mine.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
          {error && (
            <button type="button" className="button small" onClick={() => void load(true)}>
              Try again
            </button>
          )}
        </div>
      </FieldShell>
      {adding ? (
        piece.auth === 'oauth2' ? (
          <OAuth2Connect piece={piece} idPrefix={`${id}-new`} initialName={suggestName(piece.name, list ?? [])} onCreated={created} onCancel={() => setAdding(false)} />
        ) : (
          <AuthFieldsForm piece={piece} idPrefix={`${id}-new`} initialName={suggestName(piece.name, list ?? [])} onCreated={created} onCancel={() => setAdding(false)} />
        )
      ) : (
        <button type="button" className="button small" onClick={() => setAdding(true)}>
          + Connect a new account
        </button>
      )}
    </section>
  );
}
