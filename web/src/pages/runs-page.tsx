import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/client';
import type { FlowListItem, RunSummary } from '../api/types';
import { AppHeader } from '../components/app-header';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Loading } from '../components/loading';
import { navigate } from '../router';
import { filterFromSearch, filterProblem, filterToQuery, filterToSearch, type RunFilter } from '../runs/run-filter';
import { RunFilters } from '../runs/run-filters';
import { RunRow } from '../runs/run-row';

const PAGE_SIZE = 50;

/**
 * The run history, newest first, a page at a time ("Load more"): every flow's (`/runs`) or one
 * flow's (`/flows/{id}/runs`). The filters live in the page address, so a filtered list can be
 * bookmarked and "back" returns to it.
 */
export function RunsPage({ flowId }: { flowId?: string }) {
  const [filter, setFilter] = useState<RunFilter>(() => {
    const f = filterFromSearch(window.location.search);
    return flowId ? { ...f, flowId } : f;
  });
  const [flows, setFlows] = useState<FlowListItem[] | null>(null);
  const [flowsError, setFlowsError] = useState<string | null>(null);
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // Each new filter starts a new list; answers for an older one are dropped.
  const generation = useRef(0);

  useEffect(() => {
    let live = true;
    api.flows
      .list()
      .then((list) => live && setFlows(list))
      .catch((e: unknown) => live && setFlowsError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, []);

  const problem = filterProblem(filter);

  const loadFirst = useCallback(async () => {
    const token = ++generation.current;
    setRuns(null);
    setCursor(null);
    setError(null);
    try {
      const page = await api.runs.list({ ...filterToQuery(filter), limit: PAGE_SIZE });
      if (token !== generation.current) return;
      setRuns(page.runs);
      setCursor(page.next_cursor);
    } catch (e) {
      if (token === generation.current) setError(errorMessage(e));
    }
  }, [filter]);

  useEffect(() => {
    if (problem) {
      generation.current++;
      setRuns([]);
      setCursor(null);
      return;
    }
    void loadFirst();
  }, [loadFirst, problem]);

  const loadMore = async () => {
    if (!cursor) return;
    const token = generation.current;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await api.runs.list({ ...filterToQuery(filter), limit: PAGE_SIZE, cursor });
      if (token !== generation.current) return;
      setRuns((rs) => [...(rs ?? []), ...page.runs]);
      setCursor(page.next_cursor);
    } catch (e) {
      if (token === generation.current) setError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const changeFilter = (next: RunFilter) => {
    const f = flowId ? { ...next, flowId } : next;
    setFilter(f);
    navigate(`${window.location.pathname}${filterToSearch(f, { includeFlow: !flowId })}`, { replace: true });
  };

  const names = useMemo(() => new Map((flows ?? []).map((f) => [f.id, f.name || 'Untitled flow'])), [flows]);
  const nameOf = (id: string) => names.get(id) ?? (flows ? 'Deleted flow' : '…');
  const flowName = flowId ? names.get(flowId) : undefined;
  const filtered = Boolean(filter.status || filter.from || filter.to || (!flowId && filter.flowId));

  return (
    <>
      <AppHeader />
      <main className="page">
        <div className="page-title">
          <div>
            {flowId && (
              <p className="breadcrumb">
                <Link href="/runs">All runs</Link>
              </p>
            )}
            <h1>{flowId ? `Runs of “${flowName ?? (flows ? 'a deleted flow' : '…')}”` : 'Runs'}</h1>
          </div>
          <div className="toolbar">
            {flowId && flowName && (
              <Link className="button" href={`/flows/${encodeURIComponent(flowId)}`}>
                Open in the editor
              </Link>
            )}
            <button type="button" className="button" onClick={() => void loadFirst()} disabled={runs === null || Boolean(problem)}>
              Refresh
            </button>
          </div>
        </div>

        <RunFilters filter={filter} flows={flowId ? undefined : (flows ?? [])} onChange={changeFilter} />
        {problem && <ErrorMessage message={problem} />}
        {flowsError && <ErrorMessage message={`Flow names could not be loaded: ${flowsError}`} onDismiss={() => setFlowsError(null)} />}
        {error && <ErrorMessage message={error} onRetry={() => void (runs && runs.length ? loadMore() : loadFirst())} onDismiss={() => setError(null)} />}

        {runs === null && !error ? (
          <Loading label="Loading runs…" />
        ) : runs && runs.length === 0 && !problem ? (
          <div className="empty">
            {filtered ? (
              <p>No run matches these filters. Try another status or a wider date range.</p>
            ) : (
              <>
                <h2>No runs yet</h2>
                <p>
                  {flowId
                    ? 'When this flow’s trigger fires, or you test it, its runs show up here.'
                    : 'When a flow’s trigger fires, or you test a flow, its runs show up here.'}
                </p>
              </>
            )}
          </div>
        ) : runs && runs.length > 0 ? (
          <>
            <table className="flows-table runs-table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  {!flowId && <th scope="col">Flow</th>}
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <RunRow key={r.run_id} run={r} flowName={nameOf(r.flow_id)} showFlow={!flowId} />
                ))}
              </tbody>
            </table>
            <div className="load-more">
              {cursor ? (
                <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>
                  {loadingMore ? 'Loading…' : 'Load more'}
                </button>
              ) : (
                <span className="muted">
                  {runs.length} run{runs.length === 1 ? '' : 's'}, that is all.
                </span>
              )}
            </div>
          </>
        ) : null}
      </main>
    </>
  );
}
