import type { RunStatus } from '../api/types';
import { StatusBadge } from '../components/status-badge';

const TONE: Record<RunStatus, 'good' | 'bad' | 'warn' | 'neutral'> = {
  succeeded: 'good',
  failed: 'bad',
  paused: 'warn',
  running: 'neutral',
  queued: 'neutral',
  cancelled: 'neutral',
};

const LABEL: Record<RunStatus, string> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  paused: 'Paused',
  running: 'Running',
  queued: 'Queued',
  cancelled: 'Cancelled',
};

/** A run's status as a coloured label. */
export function RunStatusBadge({ status }: { status: RunStatus }) {
  return <StatusBadge tone={TONE[status] ?? 'neutral'}>{LABEL[status] ?? status}</StatusBadge>;
}

/** The words for a run status, for filters and sentences. */
export function runStatusLabel(status: RunStatus): string {
  return LABEL[status] ?? status;
}
