import type { FlowSummary, LastRun } from '../api/types';
import { Link } from './link';
import { StatusBadge } from './status-badge';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One row of the flows list. */
export function FlowRow({
  flow,
  lastRun,
  busy,
  onDuplicate,
  onMove,
  onExport,
  onDelete,
}: {
  flow: FlowSummary;
  lastRun?: LastRun;
  busy: boolean;
  onDuplicate: () => void;
  onMove: () => void;
  onExport: () => void;
  onDelete: () => void;
}) {
  return (
    <tr>
      <th scope="row">
        <Link href={`/flows/${encodeURIComponent(flow.id)}`}>{flow.name || 'Untitled flow'}</Link>
      </th>
      <td>{flow.folder ?? <span className="muted">—</span>}</td>
      <td>
        <div className="badges">
          {flow.enabled ? <StatusBadge tone="good">Enabled</StatusBadge> : <StatusBadge tone="neutral">Off</StatusBadge>}
          {flow.published_version === null ? (
            <StatusBadge tone="warn">Not published</StatusBadge>
          ) : flow.draft_changed ? (
            <StatusBadge tone="warn">Draft changes</StatusBadge>
          ) : null}
        </div>
      </td>
      <td>
        {lastRun ? (
          <Link href={`/flows/${encodeURIComponent(flow.id)}/runs`} className="last-run-link" aria-label={`Last run ${lastRun.status}: see the runs of ${flow.name}`}>
            <StatusBadge tone={lastRun.status === 'succeeded' ? 'good' : lastRun.status === 'failed' ? 'bad' : 'neutral'}>
              {lastRun.status}
            </StatusBadge>
          </Link>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      <td>
        <time dateTime={flow.updated_at}>{dateFormat.format(new Date(flow.updated_at))}</time>
      </td>
      <td className="row-actions">
        <button type="button" className="button small ghost" onClick={onDuplicate} disabled={busy} aria-label={`Duplicate ${flow.name}`}>
          Duplicate
        </button>
        <button type="button" className="button small ghost" onClick={onMove} disabled={busy} aria-label={`Move ${flow.name} to a folder`}>
          Move
        </button>
        <button type="button" className="button small ghost" onClick={onExport} disabled={busy} aria-label={`Export ${flow.name}`}>
          Export
        </button>
        <button type="button" className="button small ghost danger-text" onClick={onDelete} disabled={busy} aria-label={`Delete ${flow.name}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}
