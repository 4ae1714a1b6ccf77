import { describe, expect, it } from 'vitest';
import type { StepRecord, StepStatus } from '../api/types';
import { leadRouter } from '../test/fixtures';
import { runGraph } from './run-graph';
import { nodeRunStatuses } from './step-status';

const rec = (status: StepStatus, extra: Partial<StepRecord> = {}): StepRecord => ({
  status,
  attempts: 1,
  started_at: '2024-05-01T10:00:00Z',
  duration_ms: 2,
  ...extra,
});

describe('runGraph', () => {
  const doc = leadRouter();
  const steps = {
    hook: rec('succeeded'),
    clean: rec('succeeded'),
    score: rec('failed', { iterations: [{ points: rec('succeeded'), scaled: rec('succeeded') }, { points: rec('failed') }] }),
    total: rec('skipped', { reason: 'run stopped' }),
  };
  const graph = runGraph(doc, nodeRunStatuses(doc, steps), 'failed');
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));

  it('puts each node’s run status and its words in the node data, with read-only node types', () => {
    expect(byId.get('hook')!.data.runStatus).toBe('succeeded');
    expect(byId.get('score')!.type).toBe('run-loop');
    expect(byId.get('score')!.data.statusLabel).toBe('Failed');
    expect(byId.get('clean')!.type).toBe('run-step');
    expect(byId.get('route')!.data.statusLabel).toBe('Not reached');
    expect(byId.get('total')!.data.runStatus).toBe('skipped');
    expect(graph.nodes.every((n) => n.draggable === false)).toBe(true);
  });

  it('summarises loop body steps over their iterations, and keeps them inside their loop box', () => {
    expect(byId.get('points')!.data.iterations).toBe('2 runs: 1 failed, 1 succeeded');
    expect(byId.get('points')!.data.runStatus).toBe('failed');
    expect(byId.get('points')!.parentId).toBe('score');
    expect(byId.get('clean')!.data.iterations).toBeUndefined();
  });

  it('marks the edges the run took, keeps router labels, and has no "+" edges', () => {
    const edge = (s: string, t: string) => graph.edges.find((e) => e.source === s && e.target === t)!;
    expect(edge('hook', 'clean').className).toBe('run-edge taken');
    expect(edge('score', 'total').className).toBe('run-edge');
    expect(edge('route', 'hot').label).toBe('hot');
    expect(graph.edges.every((e) => e.type === 'smoothstep')).toBe(true);
  });
});
