import type { RunSummary } from '../api/types';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { formatDateTime, formatDuration } from './format';
import { RunStatusBadge } from './run-status-badge';

/** One run in the history: status, flow, when, how long, and why it failed. */
export function RunRow({ run, flowName, showFlow }: { run: RunSummary; flowName: string; showFlow: boolean }) {
  const started = run.started_at ?? run.created_at;
  const href = `/runs/${encodeURIComponent(run.run_id)}`;
  return (
    <tr>
      <td>
        <div className="badges">
          <RunStatusBadge status={run.status} />
          {run.test && <StatusBadge tone="neutral">Test</StatusBadge>}
        </div>
      </td>
      {showFlow && (
        <td>
          <Link href={`/flows/${encodeURIComponent(run.flow_id)}/runs`} title="This flow's runs">
            {flowName}
          </Link>
        </td>
      )}
      <th scope="row">
        <Link href={href} aria-label={`Run of ${formatDateTime(started)}, ${run.status}: open`}>
          <time dateTime={started}>{formatDateTime(started)}</time>
        </Link>
        {run.version !== null && <span className="muted run-version">{` · v${run.version}`}</span>}
      </th>
      <td className="run-duration">{run.status === 'queued' || run.status === 'running' ? <span className="muted">{run.status === 'queued' ? 'waiting' : 'running…'}</span> : formatDuration(run.duration_ms)}</td>
      <td className="run-error">{run.error ? <span title={run.error.message}>{run.error.message}</span> : <span className="muted">—</span>}</td>
    </tr>
  );
}
