// Read-only helpers over a flow document: finding steps across loop bodies, parents and children,
// identifier rules, and where a validation problem's JSON path points.

import type { Container, Edge, FlowDocument, LoopStep, Scope, Step } from './types';

/** Where one step sits in the document. */
export interface StepLocation {
  step: Step;
  /** The loop ids enclosing it, outermost first (empty at the top level). */
  scope: Scope;
  /** Its index in its container's `steps`. */
  index: number;
  /** The JSON path of the step (`steps[3]`, `steps[1].steps[0]`), as the validator reports it. */
  path: string;
}

/** Every step of the flow by id, loop bodies included; one pass, O(steps). */
export function indexSteps(doc: FlowDocument): Map<string, StepLocation> {
  const out = new Map<string, StepLocation>();
  const walk = (steps: Step[], scope: Scope, prefix: string) => {
    steps.forEach((step, index) => {
      const path = `${prefix}steps[${index}]`;
      // The first occurrence wins: duplicate ids are a validation problem the API reports.
      if (!out.has(step.id)) out.set(step.id, { step, scope, index, path });
      if (step.type === 'loop') walk(step.steps ?? [], [...scope, step.id], `${path}.`);
    });
  };
  walk(doc.steps, [], '');
  return out;
}

export function findStep(doc: FlowDocument, id: string): StepLocation | undefined {
  return indexSteps(doc).get(id);
}

/** The container (the document or a loop body) at `scope`. */
export function containerAt(doc: FlowDocument, scope: Scope): Container | undefined {
  let container: Container = doc;
  for (const loopId of scope) {
    const loop = container.steps.find((s): s is LoopStep => s.id === loopId && s.type === 'loop');
    if (!loop) return undefined;
    container = loop;
  }
  return container;
}

/** Every node id in use: the trigger's and every step's, loop bodies included. */
export function allIds(doc: FlowDocument): Set<string> {
  const ids = new Set<string>([doc.trigger.id]);
  for (const id of indexSteps(doc).keys()) ids.add(id);
  return ids;
}

const RESERVED = new Set(['trigger', 'steps', 'vars', 'run', 'item', 'index']);

/**
 * Whether `id` is a valid node id: what expressions can read as `steps.<id>` (the engine's rule in
 * engine/src/compile/mod.rs `is_identifier`).
 */
export function isValidId(id: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(id) && !RESERVED.has(id);
}

/** Turns any label into an id candidate: `Send message!` → `send_message`. */
export function slugId(text: string): string {
  let s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/_+/g, '_');
  if (!s) s = 'step';
  if (/^[0-9]/.test(s)) s = `step_${s}`;
  if (RESERVED.has(s)) s = `${s}_step`;
  return s.slice(0, 48);
}

/** A valid id based on `base` that is not in `taken`: `base`, `base_2`, `base_3` … */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const root = isValidId(base) ? base : slugId(base);
  if (!taken.has(root)) return root;
  const stem = root.replace(/_\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function incoming(edges: readonly Edge[], id: string): Edge[] {
  return edges.filter((e) => e.to === id);
}

export function outgoing(edges: readonly Edge[], id: string): Edge[] {
  return edges.filter((e) => e.from === id);
}

/**
 * The node a validation problem is about, from its JSON path (`steps[2].props.email`,
 * `steps[1].steps[0].script`, `edges[4]`, `trigger.props`): the innermost step the path goes
 * through, the trigger, or for an edge its target (its source when the target does not exist).
 * `undefined` for problems about the whole document.
 */
export function problemNode(doc: FlowDocument, path: string): string | undefined {
  if (path === 'trigger' || path.startsWith('trigger.') || path.startsWith('trigger[')) {
    return doc.trigger.id;
  }
  let container: Container = doc;
  let node: string | undefined;
  let rest = path;
  for (;;) {
    const m = /^\.?(steps|edges)\[(\d+)\]/.exec(rest);
    if (!m) break;
    const index = Number(m[2]);
    if (m[1] === 'edges') {
      const edge = container.edges[index];
      if (!edge) return node;
      const ids = allIds(doc);
      return ids.has(edge.to) ? edge.to : ids.has(edge.from) ? edge.from : node;
    }
    const step: Step | undefined = container.steps[index];
    if (!step) return node;
    node = step.id;
    if (step.type !== 'loop') break;
    container = step;
    rest = rest.slice(m[0].length);
  }
  return node;
}
