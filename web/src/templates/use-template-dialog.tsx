import { useEffect, useId, useState } from 'react';
import { errorMessage } from '../api/client';
import type { Connection, Piece } from '../api/types';
import { AuthFieldsForm } from '../editor/settings/auth-fields-form';
import { useConnections } from '../editor/settings/connections-store';
import { OAuth2Connect } from '../editor/settings/oauth2-connect';
import { connectionsFor, suggestName } from '../forms/connections';
import { navigate } from '../router';
import { Modal } from '../components/modal';
import { initialChoices, unchosen, useTemplateBody } from './model';
import { templates } from './templates-api';
import type { TemplateConnection, TemplateSummary } from './types';

/**
 * "Use this template": for each account the template needs, one of the user's connections of that
 * app or a new one connected right here; an optional name; then the draft flow is made and opened
 * in the editor, where anything still missing is listed as a problem.
 */
export function UseTemplateDialog({
  template,
  pieces,
  onClose,
}: {
  template: TemplateSummary;
  /** The catalog's pieces (for the connect forms); null while it loads. */
  pieces: readonly Piece[] | null;
  onClose: () => void;
}) {
  const { list, loading, error: listError, load } = useConnections();
  const [choices, setChoices] = useState<Record<string, string> | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uid = useId();
  const needed = template.connections;

  useEffect(() => {
    void load(true);
  }, [load]);
  // Once the connections are known, preselect the only account of each app.
  useEffect(() => {
    if (list && choices === null) setChoices(initialChoices(needed, list));
  }, [list, choices, needed]);

  const current = choices ?? {};
  const choose = (key: string, value: string) => setChoices({ ...current, [key]: value });
  const missing = unchosen(needed, current);

  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const flow = await templates.use(template.id, useTemplateBody(needed, current, name));
      navigate(`/flows/${encodeURIComponent(flow.id)}`);
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  };

  const titleId = `${uid}-title`;
  const nameId = `${uid}-flow-name`;
  return (
    <Modal labelledBy={titleId} className="use-template-dialog" onClose={() => !busy && onClose()}>
      <h2 id={titleId}>Use “{template.name}”</h2>
      <p className="muted">A new draft flow is made from this template. Nothing runs until you publish it and turn it on.</p>

      {needed.length > 0 && (
        <section aria-labelledby={`${uid}-accounts`}>
          <h3 id={`${uid}-accounts`}>Accounts</h3>
          {listError && (
            <div className="message message-error" role="alert">
              <span>Your connections could not be loaded: {listError}</span>
              <button type="button" className="button small" onClick={() => void load(true)}>
                Try again
              </button>
            </div>
          )}
          {needed.map((c) => (
            <ConnectionChoice
              key={c.name}
              id={`${uid}-conn-${c.name}`}
              need={c}
              piece={pieces?.find((p) => p.id === c.piece)}
              connections={list}
              loading={loading || (list !== null && choices === null)}
              value={current[c.name] ?? ''}
              onChange={(v) => choose(c.name, v)}
            />
          ))}
        </section>
      )}

      <div className="field">
        <label htmlFor={nameId}>
          <span className="field-label">Flow name</span> <span className="muted">(optional)</span>
        </label>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} aria-describedby={`${nameId}-help`} disabled={busy} />
        <span id={`${nameId}-help`} className="field-help muted">
          Leave it empty to keep the name the template gives its flow.
        </span>
      </div>

      {missing.length > 0 && list && (
        <p className="message message-info" role="status">
          {missing.length === 1 ? 'No account is chosen for ' : 'No accounts are chosen for '}
          {missing.map((c) => c.label).join(', ')}. You can still create the flow: the editor lists what is left to set.
        </p>
      )}
      {error && (
        <div className="message message-error" role="alert">
          <span>{error}</span>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button primary" onClick={() => void create()} disabled={busy || (needed.length > 0 && choices === null && !listError)}>
          {busy ? 'Creating the flow…' : 'Create the flow'}
        </button>
      </div>
    </Modal>
  );
}

/** One needed account: the user's connections of that app, or "Connect a new account" in place. */
function ConnectionChoice({
  id,
  need,
  piece,
  connections,
  loading,
  value,
  onChange,
}: {
  id: string;
  need: TemplateConnection;
  piece: Piece | undefined;
  connections: readonly Connection[] | null;
  loading: boolean;
  value: string;
  onChange: (name: string) => void;
}) {
  const [adding, setAdding] = useState(false);
  const mine = connectionsFor(connections ?? [], need.piece);
  const appName = piece?.name ?? need.piece;
  const helpId = `${id}-help`;
  const help =
    connections && mine.length === 0 ? `No ${appName} account is connected yet: connect one here.` : `The ${appName} account the flow’s steps use.`;
  const created = (c: Connection) => {
    useConnections.getState().add(c);
    setAdding(false);
    onChange(c.name);
  };
  return (
    <div className="template-connection">
      <div className="field">
        <label htmlFor={id} className="field-label">
          {need.label}
        </label>
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={helpId} aria-busy={loading || undefined}>
          <option value="">{loading && !connections ? 'Loading…' : '— Choose an account —'}</option>
          {mine.map((c) => (
            <option key={c.id} value={c.name}>
              {c.name}
            </option>
          ))}
        </select>
        <span id={helpId} className="field-help muted">
          {help}
        </span>
      </div>
      {adding && piece ? (
        piece.auth === 'oauth2' ? (
          <OAuth2Connect piece={piece} idPrefix={`${id}-new`} initialName={suggestName(piece.name, connections ?? [])} onCreated={created} onCancel={() => setAdding(false)} />
        ) : (
          <AuthFieldsForm piece={piece} idPrefix={`${id}-new`} initialName={suggestName(piece.name, connections ?? [])} onCreated={created} onCancel={() => setAdding(false)} />
        )
      ) : (
        <button type="button" className="button small" onClick={() => setAdding(true)} disabled={!piece} aria-label={`Connect a new ${appName} account`}>
          + Connect a new account
        </button>
      )}
    </div>
  );
}
