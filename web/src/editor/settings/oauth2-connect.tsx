import { useEffect, useRef, useState } from 'react';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { Connection, Piece } from '../../api/types';
import { readOAuthMessage } from '../../forms/connections';
import { describedBy, FieldShell } from './field-shell';
import { useConnections } from './connections-store';

const POLL_MS = 2000;

/**
 * "Connect a new account" for OAuth2 pieces. Authorization code: a pop-up goes to the provider's
 * consent page (through `GET /api/v1/oauth2/{piece}/start?name=`); the callback page saves the
 * connection and posts `{type: "switchboard:oauth2", connection | error}` to this window. The
 * connections list is also polled while the pop-up is open, so the new connection is found even
 * when the message cannot arrive. Client credentials: the server fetches the token itself.
 */
export function OAuth2Connect({
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
  const [name, setName] = useState(initialName);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(false);
  const popup = useRef<Window | null>(null);
  const stop = useRef<() => void>(() => {});
  const clientCredentials = piece.oauth2?.grant === 'client_credentials';

  useEffect(() => () => stop.current(), []);

  const finish = (c: Connection) => {
    stop.current();
    setWaiting(false);
    setStatus(null);
    useConnections.getState().add(c);
    onCreated(c);
  };

  const connectClientCredentials = async () => {
    setWaiting(true);
    setError(null);
    try {
      finish(await api.connections.create({ name: name.trim(), piece: piece.id }));
    } catch (e) {
      setWaiting(false);
      setError(errorMessage(e));
    }
  };

  const connectPopup = async () => {
    const connectionName = name.trim();
    // Opened synchronously on the click, so pop-up blockers let it through; pointed at the consent
    // page once the server has answered (its errors are then shown here, in words).
    const win = window.open('', 'switchboard-oauth2', 'popup,width=600,height=740');
    if (!win) {
      setError('Your browser blocked the sign-in window. Allow pop-ups for this site, then try again.');
      return;
    }
    popup.current = win;
    setError(null);
    setWaiting(true);
    setStatus(`Sign in to ${piece.name} in the new window…`);
    let url: string;
    try {
      url = await api.oauth2.start(piece.id, connectionName);
    } catch (e) {
      win.close();
      setWaiting(false);
      setStatus(null);
      setError(errorMessage(e));
      return;
    }
    win.location.href = url;

    const before = (useConnections.getState().list ?? []).find((c) => c.name === connectionName && c.piece === piece.id);
    const found = (list: readonly Connection[] | null) =>
      list?.find((c) => c.name === connectionName && c.piece === piece.id && (!before || c.updated_at !== before.updated_at));

    const onMessage = (event: MessageEvent) => {
      if (event.source !== popup.current) return;
      const msg = readOAuthMessage(event.data);
      if (!msg) return;
      if (msg.kind === 'error') {
        stop.current();
        setWaiting(false);
        setStatus(null);
        setError(msg.error);
        return;
      }
      void useConnections
        .getState()
        .load(true)
        .then((list) => {
          const c = list?.find((x) => x.id === msg.connection) ?? found(list);
          if (c) finish(c);
        });
    };
    window.addEventListener('message', onMessage);
    let closedChecks = 0;
    const timer = window.setInterval(() => {
      void useConnections
        .getState()
        .load(true)
        .then((list) => {
          const c = found(list);
          if (c) {
            finish(c);
            return;
          }
          // The window was closed without connecting: give the callback one more poll, then stop.
          if (popup.current?.closed && ++closedChecks > 1) {
            stop.current();
            setWaiting(false);
            setStatus(null);
            setError('The sign-in window was closed before the account was connected.');
          }
        });
    }, POLL_MS);
    stop.current = () => {
      window.clearInterval(timer);
      window.removeEventListener('message', onMessage);
      stop.current = () => {};
    };
  };

  const nameId = `${idPrefix}-name`;
  const nameHelp = clientCredentials
    ? 'Switchboard fetches its own access token with the app credentials set on the server.'
    : `A window opens where you sign in to ${piece.name} and allow access.`;
  return (
    <form
      className="connect-form"
      aria-label={`Connect a new ${piece.name} account`}
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) {
          setError('Give the connection a name.');
          return;
        }
        void (clientCredentials ? connectClientCredentials() : connectPopup());
      }}
      noValidate
    >
      {piece.auth_help && <p className="muted small-text">{piece.auth_help}</p>}
      <FieldShell id={nameId} label="Connection name" required help={nameHelp}>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} aria-required aria-describedby={describedBy(nameId, nameHelp, null)} disabled={waiting} />
      </FieldShell>
      <p className="muted small-text" role="status">
        {status ?? ''}
      </p>
      {error && (
        <div className="message message-error" role="alert">
          <span>{error}</span>
        </div>
      )}
      <div className="toolbar">
        <button type="submit" className="button primary small" disabled={waiting}>
          {waiting ? 'Waiting…' : `Sign in with ${piece.name}`}
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => {
            stop.current();
            popup.current?.close();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
