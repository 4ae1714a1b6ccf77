import { useState } from 'react';
import { errorMessage } from '../api/client';
import type { Connection, Piece } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { StatusBadge } from '../components/status-badge';
import { FALLBACK_ICON } from '../editor/builtin-icons';
import { OAuth2Connect } from '../editor/settings/oauth2-connect';
import { formatDateTime } from '../runs/format';
import { fieldsText, type ConnectionItem } from './connection-list';
import { deleteConnection, testConnection } from './connections-api';
import { ReconnectFieldsForm } from './reconnect-fields-form';

type TestState = { kind: 'idle' } | { kind: 'testing' } | { kind: 'ok' } | { kind: 'failed'; message: string };

/**
 * One connection: its name, app, the names of its stored fields (never the values) and when it was
 * created, with Test (OK or the vendor's words), Reconnect (new values, or the OAuth2 sign-in
 * again) and Delete (confirmed; the server's refusal is shown).
 */
export function ConnectionRow({
  item,
  piece,
  onChanged,
  onDeleted,
}: {
  item: ConnectionItem;
  piece: Piece | undefined;
  onChanged: (c: Connection) => void;
  onDeleted: (id: string) => void;
}) {
  const c = item.connection;
  const [test, setTest] = useState<TestState>({ kind: 'idle' });
  const [reconnecting, setReconnecting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);
  const titleId = `conn-${c.id}-name`;

  const runTest = async () => {
    setTest({ kind: 'testing' });
    setMessage(null);
    try {
      await testConnection(c.id);
      setTest({ kind: 'ok' });
    } catch (e) {
      setTest({ kind: 'failed', message: errorMessage(e) });
    }
  };

  const remove = async () => {
    setConfirming(false);
    setDeleting(true);
    setMessage(null);
    try {
      await deleteConnection(c.id);
      onDeleted(c.id);
    } catch (e) {
      setDeleting(false);
      setMessage({ kind: 'error', text: `Not deleted: ${errorMessage(e)}` });
    }
  };

  const reconnected = (updated: Connection) => {
    setReconnecting(false);
    setTest({ kind: 'ok' });
    setMessage({ kind: 'info', text: `“${updated.name}” is connected again.` });
    onChanged(updated);
  };

  return (
    <li className="conn-row" aria-labelledby={titleId}>
      <div className="conn-main">
        <img className="node-icon" src={item.icon ?? FALLBACK_ICON} alt="" width={28} height={28} />
        <div className="conn-text">
          <div className="conn-name" id={titleId}>
            {c.name}
          </div>
          <div className="muted small-text">
            <span className="conn-piece">{item.pieceName}</span>
            {!item.known && <span> (this app is not installed on the server)</span>}
            {' · '}
            <span className="conn-fields" title="The names of the stored values; the values themselves are never shown">
              Stored: {fieldsText(c.fields)}
            </span>
            {' · '}
            <span>
              Created <time dateTime={c.created_at}>{formatDateTime(c.created_at)}</time>
            </span>
          </div>
        </div>
        <div className="conn-actions toolbar">
          <span className="conn-test-state" role="status" aria-live="polite">
            {test.kind === 'testing' ? 'Testing…' : test.kind === 'ok' ? <StatusBadge tone="good">Works</StatusBadge> : test.kind === 'failed' ? <StatusBadge tone="bad">Does not work</StatusBadge> : ''}
          </span>
          <button type="button" className="button small" onClick={() => void runTest()} disabled={test.kind === 'testing' || deleting} aria-label={`Test ${c.name}`}>
            Test
          </button>
          {item.reconnect !== 'none' && piece && (
            <button
              type="button"
              className="button small"
              onClick={() => setReconnecting((r) => !r)}
              aria-expanded={reconnecting}
              aria-controls={`conn-${c.id}-reconnect`}
              aria-label={`Reconnect ${c.name}`}
              disabled={deleting}
            >
              Reconnect
            </button>
          )}
          <button type="button" className="button small danger" onClick={() => setConfirming(true)} disabled={deleting} aria-label={`Delete ${c.name}`}>
            {deleting ? 'Deleting…' : 'Delete'}
          </button>
        </div>
      </div>
      {test.kind === 'failed' && (
        <div className="message message-error" role="alert">
          <span>{test.message}</span>
        </div>
      )}
      {message && (
        <div className={`message message-${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          <span>{message.text}</span>
        </div>
      )}
      {reconnecting && piece && (
        <div id={`conn-${c.id}-reconnect`} className="conn-reconnect">
          {item.reconnect === 'oauth2' ? (
            <OAuth2Connect piece={piece} idPrefix={`reconnect-${c.id}`} initialName={c.name} onCreated={reconnected} onCancel={() => setReconnecting(false)} />
          ) : (
            <ReconnectFieldsForm connection={c} piece={piece} onSaved={reconnected} onCancel={() => setReconnecting(false)} />
          )}
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Delete “${c.name}”?`}
          message={`Steps that use this ${item.pieceName} connection stop working until you choose another one. This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </li>
  );
}
