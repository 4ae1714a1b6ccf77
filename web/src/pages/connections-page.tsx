import { useEffect, useMemo, useState } from 'react';
import type { Connection, Piece } from '../api/types';
import { AppHeader } from '../components/app-header';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Loading } from '../components/loading';
import { connectionGroups, type ConnectionSort } from '../connections/connection-list';
import { ConnectionsList } from '../connections/connections-list';
import { useConnections } from '../editor/settings/connections-store';
import { useCatalog } from '../store/catalog-store';

/**
 * The stored connections (accounts of the apps steps use): test, reconnect, delete. Connections are
 * created from a step's settings ("Connect a new account"); values are never shown, only the names
 * of the stored fields.
 */
export function ConnectionsPage() {
  return (
    <>
      <AppHeader />
      <ConnectionsContent />
    </>
  );
}

/** The page's content, wired to the connections and catalog stores. */
export function ConnectionsContent() {
  const list = useConnections((s) => s.list);
  const loading = useConnections((s) => s.loading);
  const error = useConnections((s) => s.error);
  const pieces = useCatalog((s) => s.pieces);
  const catalogError = useCatalog((s) => s.error);

  useEffect(() => {
    void useConnections.getState().load(true);
    void useCatalog.getState().load();
  }, []);

  return (
    <ConnectionsView
      list={list}
      loading={loading}
      error={error}
      pieces={pieces}
      catalogError={catalogError}
      onRetry={() => void useConnections.getState().load(true)}
      onRetryCatalog={() => void useCatalog.getState().load()}
      onChanged={(c) => useConnections.getState().add(c)}
      onDeleted={(id) => useConnections.setState((s) => ({ list: (s.list ?? []).filter((c) => c.id !== id) }))}
    />
  );
}

/** The states (loading, failed, empty), search and order, and the grouped list. */
export function ConnectionsView({
  list,
  loading,
  error,
  pieces,
  catalogError,
  onRetry,
  onRetryCatalog,
  onChanged,
  onDeleted,
}: {
  list: readonly Connection[] | null;
  loading: boolean;
  error: string | null;
  pieces: readonly Piece[] | null;
  catalogError: string | null;
  onRetry: () => void;
  onRetryCatalog: () => void;
  onChanged: (c: Connection) => void;
  onDeleted: (id: string) => void;
}) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<ConnectionSort>('name');
  const [notice, setNotice] = useState<string | null>(null);

  const groups = useMemo(() => connectionGroups(list ?? [], pieces, query, sort), [list, pieces, query, sort]);
  const total = list?.length ?? 0;
  const shown = groups.reduce((n, g) => n + g.items.length, 0);

  const deleted = (id: string) => {
    const gone = list?.find((c) => c.id === id);
    onDeleted(id);
    setNotice(gone ? `“${gone.name}” deleted.` : 'Connection deleted.');
  };

  return (
    <main className="page connections-page">
      <div className="page-title">
        <h1>Connections</h1>
      </div>
      <p className="muted">
        The accounts your steps use to reach other apps. Their passwords and keys are stored encrypted and never shown again.
      </p>
      {notice && (
        <div className="message message-info" role="status">
          <span>{notice}</span>
          <button type="button" className="button small ghost" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {catalogError && <ErrorMessage message={`The apps could not be loaded, so names and icons are missing: ${catalogError}`} onRetry={onRetryCatalog} />}
      {error && <ErrorMessage message={error} onRetry={onRetry} />}
      {list === null ? (
        loading || !error ? <Loading label="Loading the connections…" /> : null
      ) : total === 0 ? (
        <ConnectionsEmpty />
      ) : (
        <>
          <div className="filters">
            <label className="field inline">
              <span>Search</span>
              <input type="search" value={query} placeholder="Name or app" onChange={(e) => setQuery(e.target.value)} />
            </label>
            <label className="field inline">
              <span>Order</span>
              <select value={sort} onChange={(e) => setSort(e.target.value as ConnectionSort)}>
                <option value="name">By name</option>
                <option value="newest">Newest first</option>
                <option value="oldest">Oldest first</option>
              </select>
            </label>
            <span className="muted small-text" role="status" aria-live="polite">
              {shown === total ? `${total} connection${total === 1 ? '' : 's'}` : `${shown} of ${total} connections`}
            </span>
          </div>
          {shown === 0 ? (
            <p className="empty">No connection matches “{query}”.</p>
          ) : (
            <ConnectionsList groups={groups} pieces={pieces} onChanged={onChanged} onDeleted={deleted} />
          )}
        </>
      )}
    </main>
  );
}

/** No connections yet: where they come from. */
export function ConnectionsEmpty() {
  return (
    <div className="empty">
      <h2>No connections yet</h2>
      <p className="muted">
        A connection is created when a step needs an account: open a flow, select a step of an app such as HubSpot or Slack, and choose
        “Connect a new account” in its settings. It then appears here, where you can test, reconnect or delete it.
      </p>
      <Link href="/" className="button">
        Go to your flows
      </Link>
    </div>
  );
}
