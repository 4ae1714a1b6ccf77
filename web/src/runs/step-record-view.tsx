import type { StepRecord } from '../api/types';
import { formatDateTime, formatDuration } from './format';
import { JsonView } from './json-view';

const ERROR_KIND: Record<string, string> = {
  network: 'The service could not be reached',
  timeout: 'The step took too long',
  http: 'The service answered with an error',
  expression: 'A {{ }} expression could not be evaluated',
  invalid_input: 'A setting of the step is not valid',
  connection: 'The connection (account) did not work',
  unsupported: 'This is not supported',
  cancelled: 'The run was cancelled',
  other: 'The step failed',
};

/** One record of a step: status, attempts, timing, error, input and output. */
export function StepRecordView({ record }: { record: StepRecord }) {
  const ran = record.status !== 'skipped';
  const pause = (record as StepRecord & { pause?: { kind?: string; wake_at?: string; timeout_at?: string } }).pause;
  return (
    <div className="step-record">
      <dl className="facts">
        <dt>Attempts</dt>
        <dd>{record.attempts}</dd>
        {ran && (
          <>
            <dt>Started</dt>
            <dd>
              <time dateTime={record.started_at}>{formatDateTime(record.started_at)}</time>
            </dd>
            {record.status !== 'paused' && (
              <>
                <dt>Took</dt>
                <dd>{formatDuration(record.duration_ms)}</dd>
              </>
            )}
          </>
        )}
        {pause && (
          <>
            <dt>Waiting</dt>
            <dd>
              {pause.kind === 'delay' && pause.wake_at
                ? `until ${formatDateTime(pause.wake_at)}`
                : pause.timeout_at
                  ? `to be resumed, at most until ${formatDateTime(pause.timeout_at)}`
                  : 'to be resumed'}
            </dd>
          </>
        )}
        {record.reason && (
          <>
            <dt>Why skipped</dt>
            <dd>{record.reason}</dd>
          </>
        )}
      </dl>
      {record.error && (
        <div className="message message-error step-error" role="note">
          <span>
            <strong>{ERROR_KIND[record.error.kind] ?? 'Error'}{record.error.status ? ` (status ${record.error.status})` : ''}:</strong>{' '}
            {record.error.message}
            {record.error.retry_after ? ` Retry after ${record.error.retry_after} s.` : ''}
          </span>
        </div>
      )}
      {record.error?.details !== undefined && <JsonView title="Error details" value={record.error.details} open={false} />}
      {ran && <JsonView title="Input" value={record.input} />}
      {ran && <JsonView title="Output" value={record.output} />}
    </div>
  );
}
