import { describe, expect, it } from 'vitest';
import type { StepRecord, StepStatus } from '../api/types';
import { leadRouter } from '../test/fixtures';
import { firstProblemNode, flattenRecords, iterationSummary, nodeRunStatuses, nodeStatusLabel, stepIdOfPath } from './step-status';

function rec(status: StepStatus, extra: Partial<StepRecord> = {}): StepRecord {
  return { status, attempts: status === 'skipped' ? 0 : 1, started_at: '2024-05-01T10:00:00Z', duration_ms: 1, ...extra };
}

describe('stepIdOfPath', () => {
  it('takes the step id at the end of a path', () => {
    expect(stepIdOfPath('clean')).toBe('clean');
    expect(stepIdOfPath('score[2].points')).toBe('points');
    expect(stepIdOfPath('outer[0].inner[11].step')).toBe('step');
    expect(stepIdOfPath('outer[0].inner')).toBe('inner');
  });
});

describe('flattenRecords', () => {
  it('walks loop iterations, nested ones too, with their paths', () => {
    const steps = {
      outer: rec('succeeded', {
        iterations: [{ inner: rec('succeeded', { iterations: [{ leaf: rec('succeeded') }, { leaf: rec('failed') }] }) }],
      }),
    };
    expect(flattenRecords(steps).map((e) => e.path)).toEqual(['outer', 'outer[0].inner', 'outer[0].inner[0].leaf', 'outer[0].inner[1].leaf']);
  });
});

describe('nodeRunStatuses', () => {
  it('maps top-level records onto nodes, the trigger included, and marks the rest not reached', () => {
    const statuses = nodeRunStatuses(leadRouter(), {
      hook: rec('succeeded', { output: { body: {} } }),
      clean: rec('failed', { error: { kind: 'expression', message: 'bad phone' } }),
      total: rec('skipped', { reason: 'not reached' }),
    });
    expect(statuses.get('hook')?.status).toBe('succeeded');
    expect(statuses.get('clean')?.status).toBe('failed');
    expect(statuses.get('clean')?.entries[0]?.record.error?.message).toBe('bad phone');
    expect(statuses.get('total')?.status).toBe('skipped');
    expect(statuses.get('route')?.status).toBe('not_reached');
    expect(statuses.get('route')?.entries).toEqual([]);
    // Every node of the document has an entry, loop bodies included.
    expect([...statuses.keys()].sort()).toEqual(['answer', 'clean', 'hook', 'hot', 'points', 'route', 'scaled', 'score', 'total', 'warm']);
  });

  it('aggregates a loop body step over its iterations: any failure wins, then paused, then succeeded', () => {
    const statuses = nodeRunStatuses(leadRouter(), {
      score: rec('failed', {
        iterations: [
          { points: rec('succeeded'), scaled: rec('succeeded') },
          { points: rec('failed'), scaled: rec('skipped') },
          { points: rec('succeeded'), scaled: rec('paused') },
        ],
      }),
    });
    const points = statuses.get('points')!;
    expect(points.status).toBe('failed');
    expect(points.counts).toEqual({ succeeded: 2, failed: 1, skipped: 0, paused: 0 });
    expect(points.entries.map((e) => e.path)).toEqual(['score[0].points', 'score[1].points', 'score[2].points']);
    expect(statuses.get('scaled')!.status).toBe('paused');
    expect(iterationSummary(points)).toBe('3 runs: 1 failed, 2 succeeded');
  });

  it('is skipped only when every iteration skipped the step', () => {
    const statuses = nodeRunStatuses(leadRouter(), {
      score: rec('succeeded', { iterations: [{ points: rec('skipped') }, { points: rec('skipped') }] }),
    });
    expect(statuses.get('points')!.status).toBe('skipped');
    expect(statuses.get('scaled')!.status).toBe('not_reached');
  });

  it('reads path-keyed records (`loop[2].step`) in item order, without counting a record twice', () => {
    const statuses = nodeRunStatuses(leadRouter(), {
      score: rec('succeeded', { iterations: [{ points: rec('succeeded') }] }),
      'score[0].points': rec('succeeded'),
      'score[10].points': rec('succeeded'),
      'score[2].points': rec('failed'),
    });
    const points = statuses.get('points')!;
    expect(points.entries.map((e) => e.path)).toEqual(['score[0].points', 'score[2].points', 'score[10].points']);
    expect(points.status).toBe('failed');
  });

  it('ignores records of steps the document does not have', () => {
    const statuses = nodeRunStatuses(leadRouter(), { gone: rec('failed') });
    expect(statuses.has('gone')).toBe(false);
    expect(firstProblemNode(statuses, null)).toBeNull();
  });
});

describe('firstProblemNode', () => {
  it('prefers the step that failed the run, by id or by path', () => {
    const statuses = nodeRunStatuses(leadRouter(), { clean: rec('failed'), total: rec('failed') });
    expect(firstProblemNode(statuses, { step: 'total' })).toBe('total');
    expect(firstProblemNode(statuses, { step: 'score[1].points' })).toBe('points');
    expect(firstProblemNode(statuses, null)).toBe('clean');
  });
});

describe('nodeStatusLabel', () => {
  it('says "not run yet" while the run goes on', () => {
    expect(nodeStatusLabel('not_reached', 'running')).toBe('Not run yet');
    expect(nodeStatusLabel('not_reached', 'failed')).toBe('Not reached');
    expect(nodeStatusLabel('paused')).toBe('Paused');
  });
});
