import { describe, expect, it } from 'vitest';
import { big, chain, leadRouter } from '../test/fixtures';
import { flowToGraph, indexCatalog, problemsByNode } from './graph';
import { layoutFlow, NODE_HEIGHT, NODE_WIDTH } from './layout';
import { problemNode } from './model';
import type { FlowDocument } from './types';

const catalog = indexCatalog({
  pieces: [
    {
      id: 'webhook',
      name: 'Webhook',
      icon: 'data:image/svg+xml,hook',
      category: 'Core',
      actions: [],
      triggers: [{ name: 'catch', label: 'Catch a webhook' }],
    },
    {
      id: 'slack',
      name: 'Slack',
      icon: 'data:image/svg+xml,slack',
      category: 'Communication',
      actions: [{ name: 'send_message', label: 'Send a message' }],
      triggers: [],
    },
  ],
});

function overlaps(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('flowToGraph', () => {
  it('makes the trigger and every step a node and every edge an edge', () => {
    const g = flowToGraph(leadRouter(), catalog);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(
      ['hook', 'clean', 'score', 'points', 'scaled', 'total', 'route', 'hot', 'warm', 'answer'].sort(),
    );
    expect(g.edges).toHaveLength(9);
    const trigger = g.nodes.find((n) => n.id === 'hook')!;
    expect(trigger.type).toBe('trigger');
    expect(trigger.data.label).toBe('Catch a webhook');
    expect(trigger.data.icon).toBe('data:image/svg+xml,hook');
    expect(trigger.deletable).toBe(false);
    const edge = g.edges.find((e) => e.source === 'hook')!;
    expect(edge).toMatchObject({ target: 'clean', type: 'add', data: { scope: [], from: 'hook', to: 'clean' } });
  });

  it('labels router edges with their branch and lists branches without an edge', () => {
    const g = flowToGraph(leadRouter(), catalog);
    const fromRouter = g.edges.filter((e) => e.source === 'route');
    expect(fromRouter.map((e) => [e.target, e.label, e.data?.branch])).toEqual([
      ['hot', 'hot', 'hot'],
      ['warm', 'warm', 'warm'],
    ]);
    expect(g.nodes.find((n) => n.id === 'route')!.data.openBranches).toEqual(['cold']);
    // Edges out of other steps carry no label.
    expect(g.edges.find((e) => e.source === 'hot')!.label).toBeUndefined();
  });

  it('shows a loop as a group containing its body steps', () => {
    const g = flowToGraph(leadRouter(), catalog);
    const ids = g.nodes.map((n) => n.id);
    const loop = g.nodes.find((n) => n.id === 'score')!;
    expect(loop.type).toBe('loop');
    for (const child of ['points', 'scaled']) {
      const n = g.nodes.find((x) => x.id === child)!;
      expect(n.parentId).toBe('score');
      expect(n.extent).toBe('parent');
      expect(n.data.scopeKey).toBe('score');
      // @xyflow/react needs parents before their children.
      expect(ids.indexOf('score')).toBeLessThan(ids.indexOf(child));
      // The body fits in the group box.
      expect(n.position.x).toBeGreaterThanOrEqual(0);
      expect(n.position.y).toBeGreaterThan(0);
      expect(n.position.x + NODE_WIDTH).toBeLessThanOrEqual(loop.width!);
      expect(n.position.y + NODE_HEIGHT).toBeLessThanOrEqual(loop.height!);
    }
    const body = g.edges.find((e) => e.source === 'points')!;
    expect(body.data).toEqual({ scope: ['score'], from: 'points', to: 'scaled' });
    expect(body.zIndex).toBe(1);
    expect(g.nodes.find((n) => n.id === 'total')!.parentId).toBeUndefined();
  });

  it('reads positions from ui.positions', () => {
    const doc = chain(3, true);
    doc.ui!.positions!.s2 = [500, 321];
    const g = flowToGraph(doc);
    expect(g.nodes.find((n) => n.id === 's2')!.position).toEqual({ x: 500, y: 321 });
    expect(g.nodes.find((n) => n.id === 's3')!.position).toEqual({ x: 0, y: 360 });
  });

  it('lays out a flow without positions top to bottom, without overlaps', () => {
    const g = flowToGraph(leadRouter(), catalog);
    const top = g.nodes.filter((n) => !n.parentId);
    const pos = (id: string) => g.nodes.find((n) => n.id === id)!.position;
    // Every edge goes downwards.
    for (const e of g.edges.filter((x) => x.data!.scope.length === 0)) {
      expect(pos(e.target).y).toBeGreaterThan(pos(e.source).y);
    }
    expect(pos('scaled').y).toBeGreaterThan(pos('points').y);
    for (let i = 0; i < top.length; i++) {
      for (let j = i + 1; j < top.length; j++) {
        const a = top[i]!;
        const b = top[j]!;
        const box = (n: typeof a) => ({ x: n.position.x, y: n.position.y, w: n.width!, h: n.height! });
        expect(overlaps(box(a), box(b)), `${a.id} overlaps ${b.id}`).toBe(false);
      }
    }
  });

  it('fills only the missing positions, below the placed parent', () => {
    const doc = chain(4, true);
    delete doc.ui!.positions!.s3;
    delete doc.ui!.positions!.s4;
    doc.ui!.positions!.s2 = [400, 250];
    const { positions } = layoutFlow(doc);
    expect(positions.s1).toEqual([0, 120]);
    expect(positions.s2).toEqual([400, 250]);
    expect(positions.s3![0]).toBe(400);
    expect(positions.s3![1]).toBeGreaterThan(250 + NODE_HEIGHT);
    expect(positions.s4![1]).toBeGreaterThan(positions.s3![1] + NODE_HEIGHT);
  });

  it('places unconnected new steps beside what is placed, never on top of it', () => {
    const doc = chain(2, true);
    doc.steps.push({ id: 'orphan', type: 'stop' });
    const { positions } = layoutFlow(doc);
    const o = positions.orphan!;
    for (const id of ['start', 's1', 's2']) {
      const p = positions[id]!;
      expect(overlaps({ x: o[0], y: o[1], w: NODE_WIDTH, h: NODE_HEIGHT }, { x: p[0], y: p[1], w: NODE_WIDTH, h: NODE_HEIGHT })).toBe(false);
    }
  });

  it('marks invalid steps with their validation messages', () => {
    const doc = leadRouter();
    const problems = problemsByNode(doc, [
      { path: 'steps[1].steps[1].script', message: 'bad expression' },
      { path: 'steps[3].branches[0].condition', message: 'unknown step `nope`' },
      { path: 'steps[3]', message: 'second' },
      { path: 'trigger.props', message: 'trigger problem' },
      { path: 'edges[6]', message: 'edge problem' },
      { path: '', message: 'whole flow' },
    ]);
    const g = flowToGraph(doc, catalog, problems);
    const data = (id: string) => g.nodes.find((n) => n.id === id)!.data;
    expect(data('scaled').problem).toBe('bad expression');
    expect(data('route').problem).toBe('unknown step `nope` · second');
    expect(data('hook').problem).toBe('trigger problem');
    expect(data('answer').problem).toBe('edge problem');
    expect(data('clean').problem).toBeUndefined();
    expect(problems.get('')).toEqual(['whole flow']);
  });

  it('labels action steps from the catalog, and falls back to the raw names', () => {
    const doc: FlowDocument = {
      ...chain(0),
      steps: [
        { id: 'a', type: 'action', piece: 'slack', action: 'send_message' },
        { id: 'b', type: 'action', piece: 'gone', action: 'do_it', name: 'My step' },
        { id: 'c', type: 'filter', condition: 'trigger.body.ok', disabled: true },
      ],
    };
    const g = flowToGraph(doc, catalog);
    const data = (id: string) => g.nodes.find((n) => n.id === id)!.data;
    expect(data('a')).toMatchObject({ label: 'Send a message', detail: 'Slack · Send a message', icon: 'data:image/svg+xml,slack' });
    expect(data('b')).toMatchObject({ label: 'My step', detail: 'gone · do_it', icon: undefined });
    expect(data('c')).toMatchObject({ label: 'Filter', detail: 'trigger.body.ok', disabled: true });
  });

  it('keeps node data equal for unchanged steps, so memoised nodes skip rendering', () => {
    const doc = withAllPositions(leadRouter());
    const a = flowToGraph(doc, catalog);
    const b = flowToGraph({ ...doc, name: 'renamed' }, catalog);
    for (let i = 0; i < a.nodes.length; i++) expect(b.nodes[i]!.data).toEqual(a.nodes[i]!.data);
  });
});

describe('problemNode', () => {
  it('finds steps inside loop bodies and edges in bodies', () => {
    const doc = leadRouter();
    expect(problemNode(doc, 'steps[1].steps[0]')).toBe('points');
    expect(problemNode(doc, 'steps[1].edges[0]')).toBe('scaled');
    expect(problemNode(doc, 'steps[1].items')).toBe('score');
    expect(problemNode(doc, 'steps[99]')).toBeUndefined();
    expect(problemNode(doc, 'name')).toBeUndefined();
  });
});

function withAllPositions(doc: FlowDocument): FlowDocument {
  return { ...doc, ui: { positions: layoutFlow(doc).positions } };
}

describe('performance', () => {
  it('converts a 200-step document in well under 50 ms', () => {
    const doc = withAllPositions(big(200));
    expect(doc.steps.length).toBe(200);
    flowToGraph(doc, catalog); // warm up the JIT
    const runs = 5;
    const start = performance.now();
    for (let i = 0; i < runs; i++) flowToGraph(doc, catalog);
    const each = (performance.now() - start) / runs;
    expect(each).toBeLessThan(25);
    const g = flowToGraph(doc, catalog);
    expect(g.nodes).toHaveLength(201);
  });

  it('lays out a 200-step document without positions in reasonable time', () => {
    const doc = big(200);
    const start = performance.now();
    const { positions } = layoutFlow(doc);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(Object.keys(positions)).toHaveLength(201);
  });
});
