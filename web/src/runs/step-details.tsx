import { useEffect, useState } from 'react';
import type { RunStatus } from '../api/types';
import { nodeStatusLabel, type NodeRun } from './step-status';
import { StepRecordView } from './step-record-view';

/** "score[2].points" → "Item 3"; nested loops: "Item 1 › item 3". */
function iterationName(path: string): string {
  const items = [...path.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]) + 1);
  return items.length ? items.map((n, i) => `${i === 0 ? 'Item' : 'item'} ${n}`).join(' › ') : 'The step';
}

/** The selected step of a run: its status and, per loop iteration if inside a loop, its record. */
export function StepDetails({
  stepId,
  label,
  node,
  runStatus,
  onClose,
}: {
  stepId: string;
  label: string;
  node: NodeRun | undefined;
  runStatus: RunStatus;
  onClose: () => void;
}) {
  const entries = node?.entries ?? [];
  // Show the first failed iteration first: that is usually what one looks for.
  const firstFailed = Math.max(0, entries.findIndex((e) => e.record.status === 'failed'));
  const [index, setIndex] = useState(firstFailed);
  useEffect(() => setIndex(firstFailed), [stepId, firstFailed]);
  const entry = entries[Math.min(index, entries.length - 1)];
  const status = node?.status ?? 'not_reached';

  return (
    <section className="side-panel step-details" aria-labelledby="step-details-title">
      <div className="panel-head">
        <h2 id="step-details-title">{label}</h2>
        <button type="button" className="button small ghost" onClick={onClose} aria-label="Close the step's details">
          ×
        </button>
      </div>
      <p className="muted">
        <span className="node-id">{stepId}</span> · <span className={`run-status-text run-${status}`}>{nodeStatusLabel(status, runStatus)}</span>
      </p>
      {entries.length === 0 ? (
        <p className="muted">
          {runStatus === 'queued' || runStatus === 'running'
            ? 'The run has not got to this step yet.'
            : 'The run did not get to this step, so there is nothing to show.'}
        </p>
      ) : (
        <>
          {entries.length > 1 || entry?.path.includes('[') ? (
            <label className="field">
              <span>Loop item</span>
              <select value={index} onChange={(e) => setIndex(Number(e.target.value))}>
                {entries.map((e, i) => (
                  <option key={e.path} value={i}>
                    {`${iterationName(e.path)}: ${nodeStatusLabel(e.record.status)}`}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {entry && <StepRecordView key={entry.path} record={entry.record} />}
        </>
      )}
    </section>
  );
}
