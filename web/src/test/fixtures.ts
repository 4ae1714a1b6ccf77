// Documents the tests share. `leadRouter` is flows/examples/lead-router.json (a loop, a router with a
// fallback branch, a join); `chain(n)` is a straight line of n steps.

import type { FlowDocument } from '../flow/types';

export function leadRouter(): FlowDocument {
  return {
    schema_version: 1,
    name: 'Lead router with scoring',
    trigger: { id: 'hook', piece: 'webhook', trigger: 'catch' },
    steps: [
      { id: 'clean', type: 'set', values: { phone: '{{ e164(trigger.body.phone, "DE") }}' } },
      {
        id: 'score',
        type: 'loop',
        items: '{{ trigger.body.answers }}',
        parallelism: 4,
        steps: [
          { id: 'points', type: 'code', script: 'if item.value == true { item.weight } else { 0 }' },
          { id: 'scaled', type: 'code', script: 'steps.points * 2' },
        ],
        edges: [{ from: 'points', to: 'scaled' }],
      },
      { id: 'total', type: 'code', script: 'let t = 0;\nfor r in steps.score { t += r.points; }\nt' },
      {
        id: 'route',
        type: 'router',
        mode: 'first_match',
        branches: [{ name: 'hot', condition: 'steps.total >= 50' }, { name: 'warm', condition: 'steps.total >= 20' }, { name: 'cold' }],
      },
      { id: 'hot', type: 'set', values: { tier: 'hot', message: 'Call {{ steps.clean.name }} today' } },
      { id: 'warm', type: 'set', values: { tier: 'warm' } },
      { id: 'answer', type: 'respond', body: { score: '{{ steps.total }}', route: '{{ steps.route.branches[0] }}' } },
    ],
    edges: [
      { from: 'hook', to: 'clean' },
      { from: 'clean', to: 'score' },
      { from: 'score', to: 'total' },
      { from: 'total', to: 'route' },
      { from: 'route', to: 'hot', branch: 'hot' },
      { from: 'route', to: 'warm', branch: 'warm' },
      { from: 'hot', to: 'answer' },
      { from: 'warm', to: 'answer' },
    ],
  };
}

/** A trigger and `n` set steps in a line: start → s1 → s2 → … → sn. */
export function chain(n: number, withPositions = false): FlowDocument {
  const doc: FlowDocument = {
    schema_version: 1,
    name: `Chain of ${n}`,
    trigger: { id: 'start', piece: 'webhook', trigger: 'catch' },
    steps: [],
    edges: [],
  };
  const positions: Record<string, [number, number]> = { start: [0, 0] };
  let prev = 'start';
  for (let i = 1; i <= n; i++) {
    const id = `s${i}`;
    doc.steps.push({ id, type: 'set', values: { n: i } });
    doc.edges.push({ from: prev, to: id });
    positions[id] = [0, i * 120];
    prev = id;
  }
  if (withPositions) doc.ui = { positions };
  return doc;
}

/** A wide flow of `n` steps: a router fanning out into rows of filters and actions that join again. */
export function big(n: number): FlowDocument {
  const doc: FlowDocument = {
    schema_version: 1,
    name: `Big flow of ${n}`,
    trigger: { id: 'start', piece: 'call', trigger: 'vapi' },
    steps: [{ id: 'route', type: 'router', branches: Array.from({ length: 8 }, (_, i) => ({ name: `b${i}`, condition: `trigger.n == ${i}` })) }],
    edges: [{ from: 'start', to: 'route' }],
  };
  const tails: string[] = [];
  for (let b = 0; b < 8; b++) {
    let prev = 'route';
    for (let i = 0; doc.steps.length < n - 1 && i < Math.ceil((n - 2) / 8); i++) {
      const id = `b${b}_${i}`;
      doc.steps.push(i % 3 === 0 ? { id, type: 'filter', condition: 'true' } : { id, type: 'action', piece: 'slack', action: 'send_message', props: { text: `{{ steps.${prev}.ok }}` } });
      doc.edges.push(prev === 'route' ? { from: prev, to: id, branch: `b${b}` } : { from: prev, to: id });
      prev = id;
    }
    if (prev !== 'route') tails.push(prev);
  }
  doc.steps.push({ id: 'done', type: 'respond', body: {} });
  for (const t of tails) doc.edges.push({ from: t, to: 'done' });
  return doc;
}
