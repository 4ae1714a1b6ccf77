import { describe, expect, it } from 'vitest';
import { chain, leadRouter } from '../test/fixtures';
import {
  addStepAfter,
  addStepInLoop,
  deleteStep,
  duplicateStep,
  EditError,
  insertStepOnEdge,
  renameStep,
  patchFlow,
  setName,
  setNodeName,
  setPositions,
  setTrigger,
  updateStep,
} from './edit';
import { layoutFlow, NODE_HEIGHT, ROW } from './layout';
import { allIds, findStep, isValidId, slugId, uniqueId } from './model';
import { newActionStep, newBuiltinStep } from './new-step';
import type { FlowDocument, LoopStep, Step } from './types';

const stop = (id: string): Step => ({ id, type: 'stop' });

function placed(doc: FlowDocument): FlowDocument {
  return { ...doc, ui: { positions: layoutFlow(doc).positions } };
}

describe('addStepAfter', () => {
  it('adds a child of the trigger at the top level, below it', () => {
    const doc = placed(chain(1));
    const next = addStepAfter(doc, 'start', stop('x'));
    expect(next.steps.map((s) => s.id)).toEqual(['s1', 'x']);
    expect(next.edges).toContainEqual({ from: 'start', to: 'x' });
    const [tx, ty] = doc.ui!.positions!.start!;
    // The trigger already has a child: the new one goes beside it, one row down.
    expect(next.ui!.positions!.x).toEqual([tx + 280, ty + ROW]);
    // The input is untouched.
    expect(doc.steps).toHaveLength(1);
  });

  it('adds inside a loop body when the parent is a body step', () => {
    const next = addStepAfter(leadRouter(), 'scaled', stop('x'));
    const loop = findStep(next, 'score')!.step as LoopStep;
    expect(loop.steps.map((s) => s.id)).toEqual(['points', 'scaled', 'x']);
    expect(loop.edges).toContainEqual({ from: 'scaled', to: 'x' });
    expect(next.edges.some((e) => e.to === 'x')).toBe(false);
    expect(next.steps.some((s) => s.id === 'x')).toBe(false);
  });

  it('needs a branch out of a router, and only there', () => {
    const doc = leadRouter();
    expect(() => addStepAfter(doc, 'route', stop('x'))).toThrow(EditError);
    expect(() => addStepAfter(doc, 'route', stop('x'), { branch: 'nope' })).toThrow(/no branch/);
    expect(() => addStepAfter(doc, 'clean', stop('x'), { branch: 'hot' })).toThrow(/only a router/);
    const next = addStepAfter(doc, 'route', stop('x'), { branch: 'cold' });
    expect(next.edges).toContainEqual({ from: 'route', to: 'x', branch: 'cold' });
  });

  it('refuses duplicate, invalid and unknown ids', () => {
    const doc = leadRouter();
    expect(() => addStepAfter(doc, 'clean', stop('points'))).toThrow(/already exists/);
    expect(() => addStepAfter(doc, 'clean', stop('9lives'))).toThrow(/not a valid/);
    expect(() => addStepAfter(doc, 'nowhere', stop('x'))).toThrow(/no step/);
  });

  it('shares unchanged steps with the previous document', () => {
    const doc = leadRouter();
    const next = addStepAfter(doc, 'answer', stop('x'));
    expect(next.steps[0]).toBe(doc.steps[0]);
    expect(next.steps[1]).toBe(doc.steps[1]);
  });
});

describe('addStepInLoop', () => {
  it('adds an entry step to the loop body', () => {
    const next = addStepInLoop(leadRouter(), 'score', stop('x'));
    const loop = findStep(next, 'score')!.step as LoopStep;
    expect(loop.steps.map((s) => s.id)).toEqual(['points', 'scaled', 'x']);
    expect(loop.edges).toEqual([{ from: 'points', to: 'scaled' }]);
    expect(next.ui!.positions!.x).toBeDefined();
    expect(() => addStepInLoop(leadRouter(), 'clean', stop('y'))).toThrow(/no loop/);
  });
});

describe('insertStepOnEdge', () => {
  it('splits the edge and moves everything below down a row', () => {
    const doc = placed(chain(3));
    const before = doc.ui!.positions!;
    const next = insertStepOnEdge(doc, { scope: [], from: 's1', to: 's2' }, stop('x'));
    expect(next.edges).toEqual([
      { from: 'start', to: 's1' },
      { from: 's1', to: 'x' },
      { from: 'x', to: 's2' },
      { from: 's2', to: 's3' },
    ]);
    const after = next.ui!.positions!;
    expect(after.x).toEqual(before.s2);
    expect(after.s2).toEqual([before.s2![0], before.s2![1] + ROW]);
    expect(after.s3).toEqual([before.s3![0], before.s3![1] + ROW]);
    expect(after.s1).toEqual(before.s1);
  });

  it('keeps the branch on the first half of a router edge', () => {
    const next = insertStepOnEdge(leadRouter(), { scope: [], from: 'route', to: 'hot', branch: 'hot' }, stop('x'));
    expect(next.edges).toContainEqual({ from: 'route', to: 'x', branch: 'hot' });
    expect(next.edges).toContainEqual({ from: 'x', to: 'hot' });
    expect(next.edges.some((e) => e.from === 'route' && e.to === 'hot')).toBe(false);
  });

  it('works on loop body edges', () => {
    const next = insertStepOnEdge(leadRouter(), { scope: ['score'], from: 'points', to: 'scaled' }, stop('x'));
    const loop = findStep(next, 'score')!.step as LoopStep;
    expect(loop.edges).toEqual([
      { from: 'points', to: 'x' },
      { from: 'x', to: 'scaled' },
    ]);
    expect(loop.steps.map((s) => s.id)).toContain('x');
  });

  it('refuses an edge that does not exist (or lost its branch)', () => {
    expect(() => insertStepOnEdge(leadRouter(), { scope: [], from: 'route', to: 'hot' }, stop('x'))).toThrow(/no longer exists/);
    expect(() => insertStepOnEdge(leadRouter(), { scope: ['nope'], from: 'a', to: 'b' }, stop('x'))).toThrow(EditError);
  });
});

describe('deleteStep', () => {
  it('reconnects a single parent to a single child', () => {
    const doc = placed(chain(3));
    const next = deleteStep(doc, 's2');
    expect(next.steps.map((s) => s.id)).toEqual(['s1', 's3']);
    expect(next.edges).toEqual([
      { from: 'start', to: 's1' },
      { from: 's1', to: 's3' },
    ]);
    expect(next.ui!.positions!.s2).toBeUndefined();
  });

  it('keeps the parent branch when reconnecting out of a router', () => {
    let doc = insertStepOnEdge(leadRouter(), { scope: [], from: 'route', to: 'hot', branch: 'hot' }, stop('x'));
    doc = deleteStep(doc, 'x');
    expect(doc.edges).toContainEqual({ from: 'route', to: 'hot', branch: 'hot' });
    expect(doc.edges.filter((e) => e.to === 'hot')).toHaveLength(1);
  });

  it('does not reconnect when it is ambiguous', () => {
    // `route` has one parent and two children; `answer` has two parents and none.
    const doc = deleteStep(leadRouter(), 'route');
    expect(doc.edges.some((e) => e.from === 'total')).toBe(false);
    expect(doc.edges.some((e) => e.to === 'hot' || e.to === 'warm')).toBe(false);
    const doc2 = deleteStep(leadRouter(), 'answer');
    expect(doc2.edges.some((e) => e.to === 'answer')).toBe(false);
    expect(doc2.edges).toHaveLength(6);
  });

  it('deletes a loop with its body (and the body positions)', () => {
    const doc = placed(leadRouter());
    const next = deleteStep(doc, 'score');
    expect(allIds(next).has('points')).toBe(false);
    expect(next.edges).toContainEqual({ from: 'clean', to: 'total' });
    expect(next.ui!.positions!.points).toBeUndefined();
    expect(next.ui!.positions!.score).toBeUndefined();
  });

  it('deletes body steps inside their loop', () => {
    const next = deleteStep(leadRouter(), 'points');
    const loop = findStep(next, 'score')!.step as LoopStep;
    expect(loop.steps.map((s) => s.id)).toEqual(['scaled']);
    expect(loop.edges).toEqual([]);
  });

  it('refuses the trigger and unknown steps', () => {
    expect(() => deleteStep(leadRouter(), 'hook')).toThrow(/trigger/);
    expect(() => deleteStep(leadRouter(), 'nope')).toThrow(/no step/);
  });
});

describe('duplicateStep', () => {
  it('copies a step with a new id, the same parents, beside the original', () => {
    const doc = placed(leadRouter());
    const { doc: next, id } = duplicateStep(doc, 'hot');
    expect(id).toBe('hot_2');
    const copy = findStep(next, id)!.step;
    expect(copy).toEqual({ ...findStep(doc, 'hot')!.step, id: 'hot_2' });
    expect(next.edges).toContainEqual({ from: 'route', to: 'hot_2', branch: 'hot' });
    expect(next.edges.some((e) => e.from === 'hot_2')).toBe(false);
    const p = doc.ui!.positions!.hot!;
    expect(next.ui!.positions!.hot_2).toEqual([p[0] + 280, p[1]]);
    // A deep copy: editing the copy leaves the original alone.
    (copy as { values: Record<string, unknown> }).values.tier = 'changed';
    expect((findStep(next, 'hot')!.step as { values: Record<string, unknown> }).values.tier).toBe('hot');
  });

  it('gives a loop body new ids and remaps its edges', () => {
    const { doc: next, id } = duplicateStep(placed(leadRouter()), 'score');
    const loop = findStep(next, id)!.step as LoopStep;
    expect(loop.steps.map((s) => s.id)).toEqual(['points_2', 'scaled_2']);
    expect(loop.edges).toEqual([{ from: 'points_2', to: 'scaled_2' }]);
    expect(next.ui!.positions!.points_2).toEqual(next.ui!.positions!.points);
    // Ids stay unique.
    const ids: string[] = [];
    const walk = (steps: Step[]) => steps.forEach((s) => (ids.push(s.id), s.type === 'loop' && walk(s.steps)));
    walk(next.steps);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('skips ids already taken', () => {
    let doc = leadRouter();
    doc = duplicateStep(doc, 'hot').doc;
    const { id } = duplicateStep(doc, 'hot');
    expect(id).toBe('hot_3');
  });
});

describe('renameStep', () => {
  it('renames the step, its edges, its position and references to it', () => {
    const doc = placed(leadRouter());
    const next = renameStep(doc, 'total', 'sum');
    expect(findStep(next, 'total')).toBeUndefined();
    expect(findStep(next, 'sum')!.step.type).toBe('code');
    expect(next.edges).toContainEqual({ from: 'score', to: 'sum' });
    expect(next.edges).toContainEqual({ from: 'sum', to: 'route' });
    expect(next.ui!.positions!.sum).toEqual(doc.ui!.positions!.total);
    expect(next.ui!.positions!.total).toBeUndefined();
    const route = findStep(next, 'route')!.step;
    expect(route.type === 'router' && route.branches[0]!.condition).toBe('steps.sum >= 50');
    const answer = findStep(next, 'answer')!.step;
    expect(answer.type === 'respond' && answer.body).toEqual({ score: '{{ steps.sum }}', route: '{{ steps.route.branches[0] }}' });
    // Untouched steps keep their identity.
    expect(findStep(next, 'clean')!.step).toBe(findStep(doc, 'clean')!.step);
  });

  it('rewrites only whole references', () => {
    const doc: FlowDocument = {
      ...chain(0),
      steps: [
        { id: 'a', type: 'set', values: {} },
        { id: 'a_2', type: 'set', values: {} },
        {
          id: 'b',
          type: 'code',
          script: 'steps.a + steps.a_2 + mysteps.a + x.steps.a + steps["a"] + steps.a.b',
        },
      ],
    };
    const next = renameStep(doc, 'a', 'z');
    const b = findStep(next, 'b')!.step;
    expect(b.type === 'code' && b.script).toBe('steps.z + steps.a_2 + mysteps.a + x.steps.a + steps["z"] + steps.z.b');
  });

  it('rewrites references inside loop bodies and renames body steps', () => {
    const next = renameStep(leadRouter(), 'points', 'pts');
    const loop = findStep(next, 'score')!.step as LoopStep;
    expect(loop.steps.map((s) => s.id)).toEqual(['pts', 'scaled']);
    expect(loop.edges).toEqual([{ from: 'pts', to: 'scaled' }]);
    expect(loop.steps[1]!.type === 'code' && loop.steps[1]!.script).toBe('steps.pts * 2');
  });

  it('renames the trigger and its edges', () => {
    const next = renameStep(leadRouter(), 'hook', 'call');
    expect(next.trigger.id).toBe('call');
    expect(next.edges[0]).toEqual({ from: 'call', to: 'clean' });
  });

  it('refuses invalid, reserved and taken ids', () => {
    expect(() => renameStep(leadRouter(), 'total', 'hot')).toThrow(/already exists/);
    expect(() => renameStep(leadRouter(), 'total', 'two words')).toThrow(/cannot be an id/);
    expect(() => renameStep(leadRouter(), 'total', 'trigger')).toThrow(/cannot be an id/);
    expect(renameStep(leadRouter(), 'total', 'total').steps).toHaveLength(7);
  });
});

describe('positions, trigger, name, updateStep', () => {
  it('setPositions writes [x, y] and returns the same document when nothing moved', () => {
    const doc = placed(chain(2));
    expect(setPositions(doc, { s1: doc.ui!.positions!.s1! })).toBe(doc);
    const next = setPositions(doc, { s1: [10, 20] });
    expect(next.ui!.positions!.s1).toEqual([10, 20]);
    expect(next.ui!.positions!.s2).toEqual(doc.ui!.positions!.s2);
  });

  it('setPositions keeps other ui keys', () => {
    const doc: FlowDocument = { ...chain(1), ui: { viewport: { zoom: 2 } } };
    expect(setPositions(doc, { s1: [1, 2] }).ui).toEqual({ viewport: { zoom: 2 }, positions: { s1: [1, 2] } });
  });

  it('setTrigger keeps the id and drops the old settings', () => {
    const doc: FlowDocument = { ...chain(1), trigger: { id: 'start', piece: 'webhook', trigger: 'catch', props: { a: 1 } } };
    const next = setTrigger(doc, 'call', 'vapi');
    expect(next.trigger).toEqual({ id: 'start', piece: 'call', trigger: 'vapi' });
    expect(setTrigger(next, 'call', 'vapi')).toBe(next);
  });

  it('setName and updateStep', () => {
    const doc = leadRouter();
    expect(setName(doc, doc.name)).toBe(doc);
    expect(setName(doc, 'New').name).toBe('New');
    const next = updateStep(doc, 'points', (s) => ({ ...s, name: 'Points' }));
    expect(findStep(next, 'points')!.step.name).toBe('Points');
    expect(() => updateStep(doc, 'points', (s) => ({ ...s, id: 'other' }))).toThrow(/rename/);
  });

  it('patchFlow sets and removes the description, variables and run settings', () => {
    const doc = leadRouter();
    const next = patchFlow(doc, { description: 'Leads', vars: { tz: 'Europe/Berlin' }, settings: { timeout_sec: 60 } });
    expect(next.description).toBe('Leads');
    expect(next.vars).toEqual({ tz: 'Europe/Berlin' });
    expect(next.settings).toEqual({ timeout_sec: 60 });
    const more = patchFlow(next, { settings: { error_flow: 'f1' } });
    expect(more.settings).toEqual({ timeout_sec: 60, error_flow: 'f1' });
    const cleared = patchFlow(more, { description: '', vars: {}, settings: { timeout_sec: undefined, error_flow: undefined } });
    expect('description' in cleared || 'vars' in cleared || 'settings' in cleared).toBe(false);
    expect(patchFlow(next, { description: 'Leads' })).toBe(next);
  });

  it('setNodeName names the trigger or a step, and an empty name removes it', () => {
    const doc = leadRouter();
    const named = setNodeName(doc, 'points', 'Score the lead');
    expect(findStep(named, 'points')!.step.name).toBe('Score the lead');
    expect(setNodeName(named, 'points', 'Score the lead')).toBe(named);
    expect('name' in findStep(setNodeName(named, 'points', '  '), 'points')!.step).toBe(false);
    const trig = setNodeName(doc, doc.trigger.id, 'Call ended');
    expect(trig.trigger.name).toBe('Call ended');
    expect('name' in setNodeName(trig, doc.trigger.id, '').trigger).toBe(false);
    expect(setNodeName(doc, 'nope', 'x')).toBe(doc);
  });
});

describe('ids and new steps', () => {
  it('validates ids like the engine', () => {
    expect(isValidId('send_message')).toBe(true);
    expect(isValidId('_x1')).toBe(true);
    for (const bad of ['', '1a', 'a-b', 'a b', 'trigger', 'steps', 'item', 'index', 'vars', 'run']) {
      expect(isValidId(bad), bad).toBe(false);
    }
  });

  it('makes unique ids from labels', () => {
    expect(slugId('Send a message!')).toBe('send_a_message');
    expect(slugId('2 things')).toBe('step_2_things');
    expect(slugId('Café')).toBe('cafe');
    expect(slugId('trigger')).toBe('trigger_step');
    expect(uniqueId('filter', new Set(['filter', 'filter_2']))).toBe('filter_3');
    expect(uniqueId('filter', new Set())).toBe('filter');
  });

  it('creates built-in steps with fields the engine requires', () => {
    const taken = new Set(['filter']);
    expect(newBuiltinStep('filter', taken)).toEqual({ id: 'filter_2', type: 'filter', condition: 'true' });
    const loop = newBuiltinStep('loop', taken);
    expect(loop).toMatchObject({ type: 'loop', steps: [], edges: [], parallelism: 1 });
    const router = newBuiltinStep('router', taken);
    expect(router.type === 'router' && router.branches.filter((b) => !b.condition)).toHaveLength(1);
    expect(newActionStep('slack', 'send_message', new Set(['send_message']))).toEqual({
      id: 'send_message_2',
      type: 'action',
      piece: 'slack',
      action: 'send_message',
      props: {},
    });
  });

  it('places a step added after a loop below the loop box', () => {
    const doc = placed(leadRouter());
    const next = addStepAfter(doc, 'score', stop('x'));
    const loopTop = doc.ui!.positions!.score![1];
    expect(next.ui!.positions!.x![1]).toBeGreaterThan(loopTop + NODE_HEIGHT * 2);
  });
});
