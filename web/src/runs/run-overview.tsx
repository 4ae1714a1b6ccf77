import type { RunRecord } from '../api/types';
import type { JsonValue } from '../flow/types';
import { formatDateTime } from './format';
import { JsonView } from './json-view';
import { nodeStatusLabel, type NodeRun } from './step-status';

/** The run as a whole, beside the canvas when no step is selected: trigger data, response, output, the steps. */
export function RunOverview({
  run,
  triggerId,
  steps,
  labels,
  onSelect,
}: {
  run: RunRecord;
  triggerId: string | null;
  steps: ReadonlyMap<string, NodeRun>;
  labels: ReadonlyMap<string, string>;
  onSelect: (id: string) => void;
}) {
  const trigger = triggerId ? run.steps[triggerId]?.output : undefined;
  return (
    <section className="side-panel run-overview" aria-labelledby="run-overview-title">
      <h2 id="run-overview-title">This run</h2>
      <p className="muted">Select a step on the canvas, or in the list below, to see its input, output and error.</p>
      <h3>Steps</h3>
      <ul className="run-steps">
        {[...steps].map(([id, node]) => (
          <li key={id}>
            <button type="button" className="run-step-link" onClick={() => onSelect(id)}>
              <span className={`run-dot run-${node.status}`} aria-hidden="true" />
              <span className="run-step-name">{labels.get(id) ?? id}</span>
              <span className="muted">{nodeStatusLabel(node.status, run.status)}</span>
            </button>
          </li>
        ))}
      </ul>
      <JsonView title="Trigger data" value={trigger} open={false} />
      {run.response !== null && run.response !== undefined && <JsonView title="Response sent back" value={run.response} />}
      {run.output !== null && run.output !== undefined && <JsonView title="Flow output" value={run.output} open={false} />}
      {run.pauses.length > 0 && (
        <>
          <h3>Waiting on</h3>
          <ul className="run-pauses">
            {run.pauses.map((p, i) => (
              <li key={i}>{pauseText(p)}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function pauseText(p: JsonValue): string {
  if (p && typeof p === 'object' && !Array.isArray(p)) {
    const step = typeof p.step === 'string' ? p.step : 'a step';
    if (p.kind === 'delay' && typeof p.wake_at === 'string') return `${step}: a delay, until ${formatDateTime(p.wake_at)}`;
    if (p.kind === 'wait') return `${step}: waiting to be resumed${typeof p.timeout_at === 'string' ? `, at most until ${formatDateTime(p.timeout_at)}` : ''}`;
    return step;
  }
  return JSON.stringify(p);
}
