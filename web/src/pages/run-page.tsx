import { ReactFlowProvider } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { AppHeader } from '../components/app-header';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Loading } from '../components/loading';
import { StatusBadge } from '../components/status-badge';
import { formatDateTime, formatDuration } from '../runs/format';
import { RunActions } from '../runs/run-actions';
import { RunCanvas } from '../runs/run-canvas';
import { runGraph } from '../runs/run-graph';
import { RunOverview } from '../runs/run-overview';
import { RunStatusBadge } from '../runs/run-status-badge';
import { StepDetails } from '../runs/step-details';
import { firstProblemNode, nodeRunStatuses, type NodeRun } from '../runs/step-status';
import { isActive, useRun } from '../runs/use-run';
import { useCatalog } from '../store/catalog-store';

/**
 * One run: its status and error, the flow's canvas with every step coloured by what it did, and the
 * selected step's input, output, error, attempts and timing. Refreshes itself while it runs.
 */
export function RunPage({ runId }: { runId: string }) {
  const { run, error, doc, docError, refresh, reloadDoc } = useRun(runId);
  const catalog = useCatalog((s) => s.index);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    void useCatalog.getState().load();
  }, []);

  const statuses = useMemo(() => {
    if (!run) return new Map<string, NodeRun>();
    if (doc) return nodeRunStatuses(doc, run.steps);
    // Without the document (a deleted flow), the top-level records still say what happened.
    return new Map(
      Object.entries(run.steps).map(([id, record]) => [
        id,
        { status: record.status, entries: [{ path: id, record }], counts: { succeeded: 0, failed: 0, skipped: 0, paused: 0, [record.status]: 1 } },
      ]),
    );
  }, [doc, run]);

  const graph = useMemo(() => (doc && run ? runGraph(doc, statuses, run.status, catalog) : null), [doc, run, statuses, catalog]);
  const labels = useMemo(() => new Map((graph?.nodes ?? []).map((n) => [n.id, n.data.label])), [graph]);

  // Open on the step that failed, once.
  const preselected = useRef(false);
  useEffect(() => {
    if (preselected.current || !run || !doc) return;
    preselected.current = true;
    const problem = firstProblemNode(statuses, run.error);
    if (problem) setSelected(problem);
  }, [run, doc, statuses]);

  const select = useCallback((id: string | null) => setSelected(id), []);

  if (!run) {
    return (
      <>
        <AppHeader />
        <main className="page">
          {error ? (
            <>
              <ErrorMessage message={error} onRetry={() => void refresh()} />
              <Link href="/runs">Back to the runs</Link>
            </>
          ) : (
            <Loading label="Loading the run…" />
          )}
        </main>
      </>
    );
  }

  const flowName = doc?.name || 'this flow';
  const started = run.started_at ?? run.created_at;
  return (
    <div className="run-page">
      <AppHeader />
      <div className="run-head">
        <div className="run-title">
          <p className="breadcrumb">
            <Link href="/runs">Runs</Link> ›{' '}
            <Link href={`/flows/${encodeURIComponent(run.flow_id)}/runs`}>{doc?.name || 'This flow'}</Link>
          </p>
          <h1>
            Run of {doc ? `“${flowName}”` : 'a flow'} <RunStatusBadge status={run.status} />
            {run.test && <StatusBadge tone="neutral">Test run</StatusBadge>}
          </h1>
          <p className="muted run-facts">
            Started <time dateTime={started}>{formatDateTime(started)}</time>
            {run.finished_at && <> · took {formatDuration(run.duration_ms)}</>}
            {run.version !== null ? <> · version {run.version}</> : <> · the draft</>}
            {isActive(run.status) && <span aria-live="polite"> · refreshing every few seconds</span>}
          </p>
        </div>
        <div className="run-head-actions">
          <RunActions run={run} onDone={refresh} />
          <Link className="button" href={`/flows/${encodeURIComponent(run.flow_id)}`}>
            Open the flow
          </Link>
        </div>
      </div>
      {run.error && (
        <div className="message message-error run-error-banner" role="alert">
          <span>
            <strong>Why it failed:</strong> {run.error.message}
          </span>
          {run.error.step && (
            <button type="button" className="button small" onClick={() => setSelected(firstProblemNode(statuses, run.error))}>
              Show the step
            </button>
          )}
        </div>
      )}
      {error && <ErrorMessage message={`Could not refresh the run: ${error}`} onRetry={() => void refresh()} />}
      {run.test && doc && <p className="muted run-note">A test run: shown on the flow’s current draft, which may have changed since.</p>}
      <div className="run-body">
        <main className="canvas-area">
          {graph ? (
            <ReactFlowProvider>
              <RunCanvas nodes={graph.nodes} edges={graph.edges} selected={selected} onSelect={select} />
            </ReactFlowProvider>
          ) : docError ? (
            <div className="center-page">
              <ErrorMessage message={`The flow could not be shown: ${docError}`} onRetry={() => void reloadDoc()} />
            </div>
          ) : (
            <Loading label="Loading the flow…" fullPage />
          )}
        </main>
        <div className="side">
          {selected ? (
            <StepDetails
              stepId={selected}
              label={labels.get(selected) ?? selected}
              node={statuses.get(selected)}
              runStatus={run.status}
              onClose={() => setSelected(null)}
            />
          ) : (
            <RunOverview run={run} triggerId={doc?.trigger.id ?? null} steps={statuses} labels={labels} onSelect={select} />
          )}
        </div>
      </div>
    </div>
  );
}
