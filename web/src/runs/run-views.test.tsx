import { ReactFlowProvider } from '@xyflow/react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRecord } from '../api/types';
import { leadRouter } from '../test/fixtures';
import { RunCanvas } from './run-canvas';
import { runGraph } from './run-graph';
import { RunOverview } from './run-overview';
import { RunRow } from './run-row';
import { StepDetails } from './step-details';
import { nodeRunStatuses } from './step-status';

const rec = (status: StepRecord['status'], extra: Partial<StepRecord> = {}): StepRecord => ({
  status,
  attempts: 1,
  started_at: '2024-05-01T10:00:00Z',
  duration_ms: 1500,
  ...extra,
});

const run: RunRecord = {
  run_id: 'r1',
  flow_id: 'f1',
  version: 3,
  test: false,
  status: 'failed',
  error: { step: 'clean', message: 'step `clean` failed: bad phone' },
  created_at: '2024-05-01T10:00:00Z',
  started_at: '2024-05-01T10:00:00Z',
  finished_at: '2024-05-01T10:00:02Z',
  duration_ms: 2000,
  steps: {
    hook: rec('succeeded', { output: { body: { phone: 'x' } } }),
    clean: rec('failed', { attempts: 3, input: { phone: 'x' }, error: { kind: 'expression', message: 'bad phone' } }),
    score: rec('succeeded', { iterations: [{ points: rec('succeeded', { output: 30 }) }, { points: rec('failed', { error: { kind: 'other', message: 'no weight' } }) }] }),
  },
  response: { status: 200, headers: {}, body: { ok: true } },
  output: null,
  pauses: [],
};

describe('run views', () => {
  const doc = leadRouter();
  const statuses = nodeRunStatuses(doc, run.steps);

  it('draws every node with its status words', () => {
    const { nodes, edges } = runGraph(doc, statuses, run.status);
    const html = renderToString(
      <ReactFlowProvider initialNodes={nodes} initialEdges={edges} initialWidth={1600} initialHeight={1600}>
        <RunCanvas nodes={nodes} edges={edges} selected="clean" onSelect={() => {}} />
      </ReactFlowProvider>,
    );
    expect(html).toContain('run-failed');
    expect(html).toContain('Not reached');
    expect(html).toContain('2 runs: 1 failed, 1 succeeded');
    // Read-only: none of the editor's "+" buttons.
    expect(html).not.toContain('Add a step');
  });

  it('shows a failed step’s error, attempts, timing and input', () => {
    const html = renderToString(<StepDetails stepId="clean" label="Clean up" node={statuses.get('clean')} runStatus="failed" onClose={() => {}} />);
    expect(html).toContain('Clean up');
    expect(html).toContain('A {{ }} expression could not be evaluated');
    expect(html).toContain('bad phone');
    expect(html).toContain('<dd>3</dd>');
    expect(html).toContain('1.5 s');
    expect(html).toContain('Input');
    expect(html).toContain('Copy JSON');
  });

  it('lets one pick the loop item of a step inside a loop, starting on the failed one', () => {
    const html = renderToString(<StepDetails stepId="points" label="Points" node={statuses.get('points')} runStatus="failed" onClose={() => {}} />);
    expect(html).toContain('Loop item');
    expect(html).toContain('Item 1: Succeeded');
    expect(html).toMatch(/<option value="1" selected="">Item 2: Failed<\/option>/);
    expect(html).toContain('no weight');
  });

  it('says so when the run never got to a step', () => {
    const html = renderToString(<StepDetails stepId="route" label="Route" node={statuses.get('route')} runStatus="failed" onClose={() => {}} />);
    expect(html).toContain('The run did not get to this step');
  });

  it('lists the steps, the trigger data and the response in the overview', () => {
    const labels = new Map([['clean', 'Clean up']]);
    const html = renderToString(<RunOverview run={run} triggerId="hook" steps={statuses} labels={labels} onSelect={() => {}} />);
    expect(html).toContain('Clean up');
    expect(html).toContain('Trigger data');
    expect(html).toContain('Response sent back');
  });

  it('renders a history row with its status, flow, duration and error', () => {
    const html = renderToString(
      <table>
        <tbody>
          <RunRow run={run} flowName="Lead router" showFlow />
        </tbody>
      </table>,
    );
    expect(html).toContain('Failed');
    expect(html).toContain('Lead router');
    expect(html).toContain('2 s');
    expect(html).toContain('bad phone');
    expect(html).toContain('href="/runs/r1"');
    expect(html).toContain('v3');
  });
});
