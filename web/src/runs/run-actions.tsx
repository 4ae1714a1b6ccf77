import { useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/client';
import type { RunRecord } from '../api/types';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorMessage } from '../components/error-message';

/** "Retry from the failed step" (failed runs) and "Cancel" (queued, running, paused runs), each confirmed. */
export function RunActions({ run, onDone }: { run: RunRecord; onDone: () => Promise<void> | void }) {
  const [confirm, setConfirm] = useState<'retry' | 'cancel' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canRetry = run.status === 'failed';
  const canCancel = run.status === 'queued' || run.status === 'running' || run.status === 'paused';

  const act = async (what: 'retry' | 'cancel') => {
    setConfirm(null);
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      if (what === 'retry') await api.runActions.retry(run.run_id, 'failed');
      else await api.runActions.cancel(run.run_id);
      setNotice(what === 'retry' ? 'The run is queued again from the failed step.' : 'The run is cancelled.');
      await onDone();
    } catch (e) {
      setError(`${what === 'retry' ? 'Not retried' : 'Not cancelled'}: ${errorMessage(e)}`);
      await onDone();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="toolbar">
        {canRetry && (
          <button type="button" className="button primary" onClick={() => setConfirm('retry')} disabled={busy}>
            Retry from the failed step
          </button>
        )}
        {canCancel && (
          <button type="button" className="button danger-text" onClick={() => setConfirm('cancel')} disabled={busy}>
            Cancel run
          </button>
        )}
      </div>
      {error && <ErrorMessage message={error} onDismiss={() => setError(null)} />}
      {notice && !error && (
        <div className="message message-info" role="status">
          <span>{notice}</span>
        </div>
      )}
      {confirm === 'retry' && (
        <ConfirmDialog
          title="Retry from the failed step?"
          message="The steps that finished keep their results; the failed step and everything after it run again, on the same version of the flow. Services the flow calls may be called again."
          confirmLabel="Retry"
          onConfirm={() => void act('retry')}
          onCancel={() => setConfirm(null)}
        />
      )}
      {confirm === 'cancel' && (
        <ConfirmDialog
          title="Cancel this run?"
          message="No further step of this run will start. A step that is running now may still finish. This cannot be undone."
          confirmLabel="Yes, cancel the run"
          danger
          onConfirm={() => void act('cancel')}
          onCancel={() => setConfirm(null)}
        />
      )}
    </>
  );
}
