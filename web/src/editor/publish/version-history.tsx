import { useCallback, useEffect, useState } from 'react';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { VersionSummary } from '../../api/types';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Loading } from '../../components/loading';
import { StatusBadge } from '../../components/status-badge';
import { formatDateTime } from '../../runs/format';

/**
 * The flow's published versions, newest first, each with "Restore as the draft". The server has no
 * restore endpoint: the version's document is fetched and handed to `onRestore`, which makes it the
 * draft (as an undoable edit that is then saved).
 */
export function VersionHistory({
  flowId,
  live,
  refreshKey,
  onRestore,
}: {
  flowId: string;
  /** The published (live) version. */
  live: number | null;
  /** Changes when a new version is published, to load the list again. */
  refreshKey: unknown;
  onRestore: (version: number) => Promise<void>;
}) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<VersionSummary | null>(null);
  const [busy, setBusy] = useState<number | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const list = await api.flows.versions(flowId);
      setVersions([...list].sort((a, b) => b.version - a.version));
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [flowId]);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  const restore = async (v: VersionSummary) => {
    setConfirm(null);
    setBusy(v.version);
    setError(null);
    try {
      await onRestore(v.version);
    } catch (e) {
      setError(`Version ${v.version} was not restored: ${errorMessage(e)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="versions-title">
      <h3 id="versions-title">Version history</h3>
      {error && <ErrorMessage message={error} onRetry={versions ? undefined : () => void load()} onDismiss={() => setError(null)} />}
      {versions === null && !error ? (
        <Loading label="Loading versions…" />
      ) : versions && versions.length === 0 ? (
        <p className="muted">No version yet. Each time you publish, the flow as published is kept here.</p>
      ) : versions ? (
        <ul className="version-list">
          {versions.map((v) => (
            <li key={v.version}>
              <div>
                <strong>Version {v.version}</strong> {v.version === live && <StatusBadge tone="good">Live</StatusBadge>}
                <div className="muted">
                  Published <time dateTime={v.created_at}>{formatDateTime(v.created_at)}</time>
                  {v.name ? ` · “${v.name}”` : ''}
                </div>
              </div>
              <button
                type="button"
                className="button small"
                onClick={() => setConfirm(v)}
                disabled={busy !== null}
                aria-label={`Restore version ${v.version} as the draft`}
              >
                {busy === v.version ? 'Restoring…' : 'Restore as the draft'}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {confirm && (
        <ConfirmDialog
          title={`Restore version ${confirm.version} as the draft?`}
          message={`The draft becomes version ${confirm.version} and is saved. The live version does not change until you publish. “Undo” in the editor brings back the draft you have now.`}
          confirmLabel="Restore"
          onConfirm={() => void restore(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}
