import { useCallback, useEffect, useMemo, useRef, useState, type ChangeEvent } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/client';
import type { FlowListItem, FlowSummary } from '../api/types';
import { AppHeader } from '../components/app-header';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorMessage } from '../components/error-message';
import { FlowRow } from '../components/flow-row';
import { MoveFolderDialog } from '../components/move-folder-dialog';
import { Loading } from '../components/loading';
import { blankFlow } from '../flow/new-step';
import { ImportReportDialog } from '../import/import-report-dialog';
import type { ImportSummary } from '../import/types';
import { navigate } from '../router';

/** The flows list: search, folders, status, create, duplicate, delete, import and export. */
export function FlowsPage() {
  const [flows, setFlows] = useState<FlowListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [folder, setFolder] = useState('');
  const [confirmDelete, setConfirmDelete] = useState<FlowSummary | null>(null);
  const [moving, setMoving] = useState<FlowSummary | null>(null);
  const [busy, setBusy] = useState(false);
  const [imported, setImported] = useState<{ id: string; name: string; report: ImportSummary } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async (query: string, signal?: AbortSignal) => {
    setError(null);
    try {
      const list = await api.flows.list({ search: query || undefined });
      if (signal?.aborted) return;
      setFlows(list);
    } catch (e) {
      if (!signal?.aborted) setError(errorMessage(e));
    }
  }, []);

  // Search on the server, a moment after the user stops typing.
  useEffect(() => {
    const controller = new AbortController();
    const timer = window.setTimeout(() => void load(search.trim(), controller.signal), search ? 250 : 0);
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [search, load]);

  const folders = useMemo(() => {
    const set = new Set<string>();
    for (const f of flows ?? []) if (f.folder) set.add(f.folder);
    return [...set].sort((a, b) => a.localeCompare(b));
  }, [flows]);
  const shown = useMemo(() => (flows ?? []).filter((f) => !folder || f.folder === folder), [flows, folder]);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    run(async () => {
      const flow = await api.flows.create(blankFlow('Untitled flow'), folder || undefined);
      navigate(`/flows/${encodeURIComponent(flow.id)}`);
    });

  const duplicate = (f: FlowSummary) =>
    run(async () => {
      const doc = await api.flows.exportDocument(f.id);
      const copy = await api.flows.importDocument({ ...doc, name: `${doc.name} (copy)` }, f.folder ?? undefined);
      setNotice(`“${copy.name}” created.`);
      await load(search.trim());
    });

  const moveTo = (f: FlowSummary, target: string) =>
    run(async () => {
      setMoving(null);
      // The API moves a flow with its draft: the draft is sent back unchanged.
      const { document } = await api.flows.get(f.id);
      await api.flows.update(f.id, document, target);
      setNotice(target ? `“${f.name}” moved to ${target}.` : `“${f.name}” is in no folder now.`);
      await load(search.trim());
    });

  const exportFlow = (f: FlowSummary) =>
    run(async () => {
      const doc = await api.flows.exportDocument(f.id);
      download(`${slug(doc.name)}.json`, `${JSON.stringify(doc, null, 2)}\n`);
    });

  const remove = (f: FlowSummary) =>
    run(async () => {
      setConfirmDelete(null);
      await api.flows.remove(f.id);
      setNotice(`“${f.name}” deleted.`);
      await load(search.trim());
    });

  const importFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    void run(async () => {
      const text = await file.text();
      // Sent as is, so a broken file's error names its line and column.
      const flow = await api.flows.importDocument(text, folder || undefined);
      const problems = flow.problems.length;
      setNotice(
        `“${flow.name}” imported${problems ? ` with ${problems} problem${problems === 1 ? '' : 's'} to fix in the editor` : ''}.`,
      );
      // A converted n8n / ActivePieces file: say what became of each node.
      if (flow.import && flow.import.source !== 'switchboard') setImported({ id: flow.id, name: flow.name, report: flow.import });
      await load(search.trim());
    });
  };

  return (
    <>
      <AppHeader />
      <main className="page">
        <div className="page-title">
          <h1>Flows</h1>
          <div className="toolbar">
            <button
              type="button"
              className="button"
              onClick={() => fileInput.current?.click()}
              disabled={busy}
              title="A Switchboard flow, an n8n workflow or an ActivePieces flow (JSON)"
            >
              Import a file
            </button>
            <input ref={fileInput} type="file" accept="application/json,.json" hidden onChange={importFile} aria-label="Flow file to import (Switchboard, n8n or ActivePieces)" />
            <button type="button" className="button" onClick={() => navigate('/templates')}>
              Start from a template
            </button>
            <button type="button" className="button primary" onClick={() => void create()} disabled={busy}>
              New flow
            </button>
          </div>
        </div>

        <div className="filters">
          <label className="field inline">
            <span>Search</span>
            <input type="search" value={search} placeholder="Flow name" onChange={(e) => setSearch(e.target.value)} />
          </label>
          <label className="field inline">
            <span>Folder</span>
            <select value={folder} onChange={(e) => setFolder(e.target.value)}>
              <option value="">All folders</option>
              {folders.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </label>
        </div>

        {error && <ErrorMessage message={error} onRetry={() => void load(search.trim())} onDismiss={() => setError(null)} />}
        {notice && (
          <div className="message message-info" role="status">
            {notice}
          </div>
        )}

        {flows === null && !error ? (
          <Loading label="Loading flows…" />
        ) : shown.length === 0 ? (
          <div className="empty">
            {search || folder ? (
              <p>No flow matches. Try another name or folder.</p>
            ) : (
              <>
                <h2>No flows yet</h2>
                <p>A flow starts with a trigger (for example, “a call ended”) and runs the steps you add after it.</p>
                <div className="empty-actions">
                  <button type="button" className="button primary" onClick={() => void create()} disabled={busy}>
                    Create your first flow
                  </button>
                  <button type="button" className="button" onClick={() => navigate('/templates')}>
                    Start from a template
                  </button>
                </div>
                <p className="muted">Templates are ready-made flows for sales, recruiting, lead generation and more.</p>
              </>
            )}
          </div>
        ) : (
          <table className="flows-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Folder</th>
                <th scope="col">Status</th>
                <th scope="col">Last run</th>
                <th scope="col">Changed</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => (
                <FlowRow
                  key={f.id}
                  flow={f}
                  lastRun={f.last_run ?? undefined}
                  busy={busy}
                  onDuplicate={() => void duplicate(f)}
                  onMove={() => setMoving(f)}
                  onExport={() => void exportFlow(f)}
                  onDelete={() => setConfirmDelete(f)}
                />
              ))}
            </tbody>
          </table>
        )}

        {moving && (
          <MoveFolderDialog
            flowName={moving.name}
            current={moving.folder}
            folders={folders}
            onMove={(target) => void moveTo(moving, target)}
            onCancel={() => setMoving(null)}
          />
        )}
        {imported && (
          <ImportReportDialog
            title={`“${imported.name}” imported`}
            report={imported.report}
            onClose={() => setImported(null)}
            onOpen={() => navigate(`/flows/${encodeURIComponent(imported.id)}`)}
          />
        )}
        {confirmDelete && (
          <ConfirmDialog
            title={`Delete “${confirmDelete.name}”?`}
            message="The flow, its versions and its webhook URLs go away for good. Runs already stored stay in the history."
            confirmLabel="Delete flow"
            danger
            onConfirm={() => void remove(confirmDelete)}
            onCancel={() => setConfirmDelete(null)}
          />
        )}
      </main>
    </>
  );
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'flow'
  );
}

function download(filename: string, text: string): void {
  const blob = new Blob([text], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers read the URL after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}

