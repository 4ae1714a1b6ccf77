import type { RunStatus } from '../api/types';
import { RUN_STATUSES, type RunFilter } from './run-filter';
import { runStatusLabel } from './run-status-badge';

/** The runs list's filters: status, flow (on the overall list), and a day range. */
export function RunFilters({
  filter,
  flows,
  onChange,
}: {
  filter: RunFilter;
  /** The flows to choose from; absent on a flow's own runs page. */
  flows?: ReadonlyArray<{ id: string; name: string }>;
  onChange: (filter: RunFilter) => void;
}) {
  const set = (patch: Partial<RunFilter>) => {
    const next: RunFilter = { ...filter, ...patch };
    for (const k of Object.keys(next) as (keyof RunFilter)[]) if (!next[k]) delete next[k];
    onChange(next);
  };
  const any = Boolean(filter.status || filter.from || filter.to || (flows && filter.flowId));
  return (
    <div className="filters" role="group" aria-label="Filter runs">
      <label className="field inline">
        <span>Status</span>
        <select value={filter.status ?? ''} onChange={(e) => set({ status: (e.target.value || undefined) as RunStatus | undefined })}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {runStatusLabel(s)}
            </option>
          ))}
        </select>
      </label>
      {flows && (
        <label className="field inline">
          <span>Flow</span>
          <select value={filter.flowId ?? ''} onChange={(e) => set({ flowId: e.target.value || undefined })}>
            <option value="">All flows</option>
            {filter.flowId && !flows.some((f) => f.id === filter.flowId) && <option value={filter.flowId}>{filter.flowId}</option>}
            {flows.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name || 'Untitled flow'}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="field inline">
        <span>From</span>
        <input type="date" value={filter.from ?? ''} max={filter.to} onChange={(e) => set({ from: e.target.value || undefined })} />
      </label>
      <label className="field inline">
        <span>To</span>
        <input type="date" value={filter.to ?? ''} min={filter.from} onChange={(e) => set({ to: e.target.value || undefined })} />
      </label>
      {any && (
        <button type="button" className="button small ghost" onClick={() => onChange(flows ? {} : { flowId: filter.flowId })}>
          Clear filters
        </button>
      )}
    </div>
  );
}
