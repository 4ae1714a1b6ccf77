// Editing operations: pure functions from a document to a new document. They copy only what they
// change (the path from the document down to the edited container), so unchanged steps keep their
// identity and memoised canvas nodes do not re-render. Invalid requests throw an `EditError` with a
// plain-words message the editor shows as is.

import { COLUMN, LOOP_HEADER, LOOP_PADDING, NODE_HEIGHT, ROW } from './layout';
import { allIds, containerAt, findStep, incoming, isValidId, outgoing } from './model';
import type { Container, Edge, FlowDocument, JsonMap, JsonValue, LoopStep, Position, Scope, Settings, Step } from './types';

export class EditError extends Error {}

/** One edge as the canvas knows it: the container it is in and its ends. */
export interface EdgeRef {
  scope: Scope;
  from: string;
  to: string;
  branch?: string;
}

/** Replaces the container at `scope` with `fn(container)`, copying the loops on the way down. */
export function updateContainer(
  doc: FlowDocument,
  scope: Scope,
  fn: (c: Container) => Container,
): FlowDocument {
  const go = (container: Container, depth: number): Container => {
    if (depth === scope.length) return fn(container);
    const loopId = scope[depth];
    const i = container.steps.findIndex((s) => s.id === loopId && s.type === 'loop');
    if (i < 0) throw new EditError(`there is no loop \`${loopId}\``);
    const loop = container.steps[i] as LoopStep;
    const inner = go({ steps: loop.steps ?? [], edges: loop.edges ?? [] }, depth + 1);
    const steps = container.steps.slice();
    steps[i] = { ...loop, steps: inner.steps, edges: inner.edges };
    return { ...container, steps };
  };
  const top = go({ steps: doc.steps, edges: doc.edges }, 0);
  return { ...doc, steps: top.steps, edges: top.edges };
}

/** Replaces one step (anywhere) with `fn(step)`; the id must stay the same (see `renameStep`). */
export function updateStep(doc: FlowDocument, id: string, fn: (s: Step) => Step): FlowDocument {
  const loc = findStep(doc, id);
  if (!loc) throw new EditError(`there is no step \`${id}\``);
  return updateContainer(doc, loc.scope, (c) => {
    const steps = c.steps.slice();
    const next = fn(c.steps[loc.index]!);
    if (next.id !== id) throw new EditError('use rename to change a step id');
    steps[loc.index] = next;
    return { ...c, steps };
  });
}

/** Sets positions (`ui.positions[id] = [x, y]`), keeping every other `ui` key. */
export function setPositions(doc: FlowDocument, positions: Record<string, Position>): FlowDocument {
  const current = doc.ui?.positions ?? {};
  const changed = Object.entries(positions).some(([id, p]) => {
    const c = current[id];
    return !c || c[0] !== p[0] || c[1] !== p[1];
  });
  if (!changed) return doc;
  return { ...doc, ui: { ...doc.ui, positions: { ...current, ...positions } } };
}

function removePositions(doc: FlowDocument, ids: Iterable<string>): FlowDocument {
  const current = doc.ui?.positions;
  if (!current) return doc;
  const next = { ...current };
  let changed = false;
  for (const id of ids) {
    if (id in next) {
      delete next[id];
      changed = true;
    }
  }
  return changed ? { ...doc, ui: { ...doc.ui, positions: next } } : doc;
}

function position(doc: FlowDocument, id: string): Position | undefined {
  return doc.ui?.positions?.[id];
}

/** The ids of a step and, for loops, of everything in its body (at any depth). */
function subtreeIds(step: Step): string[] {
  const out = [step.id];
  if (step.type === 'loop') for (const s of step.steps ?? []) out.push(...subtreeIds(s));
  return out;
}

function assertNewIds(doc: FlowDocument, step: Step): void {
  const taken = allIds(doc);
  for (const id of subtreeIds(step)) {
    if (!isValidId(id)) throw new EditError(`\`${id}\` is not a valid step id`);
    if (taken.has(id)) throw new EditError(`a step with id \`${id}\` already exists`);
    taken.add(id);
  }
}

/** The scope a node's outgoing edges live in: the trigger's is the top level. */
function scopeOf(doc: FlowDocument, id: string): Scope {
  if (id === doc.trigger.id) return [];
  const loc = findStep(doc, id);
  if (!loc) throw new EditError(`there is no step \`${id}\``);
  return loc.scope;
}

/**
 * Adds `step` as a new child of node `fromId` (the trigger or a step), in the same container. Out of
 * a router, `branch` names the branch and is required. The new step is placed below its parent, to
 * the right of the parent's other children.
 */
export function addStepAfter(
  doc: FlowDocument,
  fromId: string,
  step: Step,
  options: { branch?: string } = {},
): FlowDocument {
  assertNewIds(doc, step);
  const scope = scopeOf(doc, fromId);
  const from = fromId === doc.trigger.id ? undefined : findStep(doc, fromId)?.step;
  if (from?.type === 'router') {
    if (!options.branch) throw new EditError('choose which branch of the router the step goes on');
    if (!from.branches.some((b) => b.name === options.branch)) {
      throw new EditError(`the router has no branch \`${options.branch}\``);
    }
  } else if (options.branch) {
    throw new EditError('only a router has branches');
  }
  const edge: Edge = options.branch ? { from: fromId, to: step.id, branch: options.branch } : { from: fromId, to: step.id };
  let siblings = 0;
  let next = updateContainer(doc, scope, (c) => {
    siblings = outgoing(c.edges, fromId).length;
    return { steps: [...c.steps, step], edges: [...c.edges, edge] };
  });
  const p = position(doc, fromId);
  if (p) {
    const height = from?.type === 'loop' ? loopHeight(doc, from) : NODE_HEIGHT;
    next = setPositions(next, { [step.id]: [p[0] + siblings * COLUMN, p[1] + height + ROW - NODE_HEIGHT] });
  }
  return next;
}

function loopHeight(doc: FlowDocument, loop: LoopStep): number {
  // A rough height for placing what follows a loop: its lowest body step plus the margins.
  let bottom = NODE_HEIGHT;
  for (const s of loop.steps ?? []) bottom = Math.max(bottom, (position(doc, s.id)?.[1] ?? 0) + NODE_HEIGHT);
  return bottom + 76;
}

/** Adds `step` to a loop's body as an entry step (no incoming body edge). */
export function addStepInLoop(doc: FlowDocument, loopId: string, step: Step): FlowDocument {
  assertNewIds(doc, step);
  const loc = findStep(doc, loopId);
  if (!loc || loc.step.type !== 'loop') throw new EditError(`there is no loop \`${loopId}\``);
  const scope = [...loc.scope, loopId];
  let count = 0;
  const next = updateContainer(doc, scope, (c) => {
    count = c.steps.filter((s) => incoming(c.edges, s.id).length === 0).length;
    return { ...c, steps: [...c.steps, step] };
  });
  return setPositions(next, { [step.id]: [LOOP_PADDING + count * COLUMN, LOOP_HEADER] });
}

function sameEdge(e: Edge, ref: EdgeRef): boolean {
  return e.from === ref.from && e.to === ref.to && (e.branch ?? undefined) === (ref.branch ?? undefined);
}

/**
 * Inserts `step` on an edge: `from → to` becomes `from → step → to` (the branch stays on the first
 * half). The new step takes the old target's place and everything below the target in the same
 * container moves down one row, so nothing overlaps.
 */
export function insertStepOnEdge(doc: FlowDocument, ref: EdgeRef, step: Step): FlowDocument {
  assertNewIds(doc, step);
  const container = containerAt(doc, ref.scope);
  if (!container) throw new EditError('that connection no longer exists');
  const i = container.edges.findIndex((e) => sameEdge(e, ref));
  if (i < 0) throw new EditError('that connection no longer exists');
  let next = updateContainer(doc, ref.scope, (c) => {
    const edges = c.edges.slice();
    const first: Edge = ref.branch ? { from: ref.from, to: step.id, branch: ref.branch } : { from: ref.from, to: step.id };
    edges.splice(i, 1, first, { from: step.id, to: ref.to });
    return { steps: [...c.steps, step], edges };
  });
  const target = position(doc, ref.to);
  if (target) {
    const moved: Record<string, Position> = { [step.id]: target };
    for (const id of descendants(container.edges, ref.to)) {
      const p = position(doc, id);
      if (p) moved[id] = [p[0], p[1] + ROW];
    }
    next = setPositions(next, moved);
  }
  return next;
}

/** `start` and every node reachable from it through `edges`. */
function descendants(edges: readonly Edge[], start: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const e of edges) {
    const list = children.get(e.from);
    if (list) list.push(e.to);
    else children.set(e.from, [e.to]);
  }
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    for (const c of children.get(stack.pop()!) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  return seen;
}

/**
 * Deletes a step (a loop with its body). When the step had exactly one parent and one child, the
 * parent is connected to the child (on the parent's branch), so deleting a step from the middle of a
 * chain keeps the chain; otherwise its edges just go. The trigger cannot be deleted.
 */
export function deleteStep(doc: FlowDocument, id: string): FlowDocument {
  if (id === doc.trigger.id) throw new EditError('the trigger cannot be deleted; change it instead');
  const loc = findStep(doc, id);
  if (!loc) throw new EditError(`there is no step \`${id}\``);
  const next = updateContainer(doc, loc.scope, (c) => {
    const ins = incoming(c.edges, id);
    const outs = outgoing(c.edges, id);
    const edges = c.edges.filter((e) => e.from !== id && e.to !== id);
    if (ins.length === 1 && outs.length === 1) {
      const parent = ins[0]!;
      const child = outs[0]!;
      const bridge: Edge = parent.branch ? { from: parent.from, to: child.to, branch: parent.branch } : { from: parent.from, to: child.to };
      const exists = edges.some((e) => e.from === bridge.from && e.to === bridge.to && e.branch === bridge.branch);
      if (!exists && bridge.from !== bridge.to) {
        // Keep the bridge where the parent's edge was, so edge order (and the layout) stays stable.
        const at = c.edges.indexOf(parent);
        const before = c.edges.slice(0, at).filter((e) => e.from !== id && e.to !== id).length;
        edges.splice(before, 0, bridge);
      }
    }
    return { steps: c.steps.filter((s) => s.id !== id), edges };
  });
  return removePositions(next, subtreeIds(loc.step));
}

/** A deep copy of `step` with new unique ids (a loop's body too, its edges remapped). */
function cloneWithNewIds(step: Step, taken: Set<string>): Step {
  const id = uniqueCopyId(step.id, taken);
  const copy = structuredClone(step);
  copy.id = id;
  if (copy.type === 'loop') {
    const map = new Map<string, string>();
    copy.steps = (copy.steps ?? []).map((s) => {
      const c = cloneWithNewIds(s, taken);
      map.set(s.id, c.id);
      return c;
    });
    copy.edges = (copy.edges ?? []).map((e) => ({ ...e, from: map.get(e.from) ?? e.from, to: map.get(e.to) ?? e.to }));
  }
  return copy;
}

function uniqueCopyId(id: string, taken: Set<string>): string {
  const stem = id.replace(/_\d+$/, '');
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${n}`;
    if (!taken.has(candidate) && isValidId(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
}

/**
 * Duplicates a step: the copy gets a new unique id (its loop body too), the same parents (same
 * branches), no children, and sits beside the original. Returns the new document and the copy's id.
 */
export function duplicateStep(doc: FlowDocument, id: string): { doc: FlowDocument; id: string } {
  const loc = findStep(doc, id);
  if (!loc) throw new EditError(`there is no step \`${id}\``);
  const taken = allIds(doc);
  const copy = cloneWithNewIds(loc.step, taken);
  let next = updateContainer(doc, loc.scope, (c) => {
    const steps = c.steps.slice();
    steps.splice(loc.index + 1, 0, copy);
    const edges = [...c.edges];
    for (const e of incoming(c.edges, id)) edges.push({ ...e, to: copy.id });
    return { steps, edges };
  });
  const positions: Record<string, Position> = {};
  const p = position(doc, id);
  if (p) positions[copy.id] = [p[0] + COLUMN, p[1]];
  // Body steps keep their places inside the copied box.
  const copyBody = (orig: Step, dup: Step) => {
    if (orig.type !== 'loop' || dup.type !== 'loop') return;
    orig.steps.forEach((s, i) => {
      const d = dup.steps[i]!;
      const sp = position(doc, s.id);
      if (sp) positions[d.id] = sp;
      copyBody(s, d);
    });
  };
  copyBody(loc.step, copy);
  next = setPositions(next, positions);
  return { doc: next, id: copy.id };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rewrites `steps.<from>` (and `steps["from"]`) references inside every string of `value`. */
function rewriteRefs(value: JsonValue | undefined, re: RegExp, to: string): JsonValue | undefined {
  if (typeof value === 'string') {
    re.lastIndex = 0;
    return re.test(value) ? value.replace(re, (_m, pre: string, q: string | undefined) => (q ? `${pre}steps[${q}${to}${q}]` : `${pre}steps.${to}`)) : value;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = rewriteRefs(v, re, to);
      if (r !== v) changed = true;
      return r as JsonValue;
    });
    return changed ? out : value;
  }
  if (value && typeof value === 'object') {
    let changed = false;
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rewriteRefs(v, re, to);
      if (r !== v) changed = true;
      out[k] = r as JsonValue;
    }
    return changed ? out : value;
  }
  return value;
}

/**
 * Renames a node (a step or the trigger): its edges follow, its position follows, and every
 * `steps.<old id>` reference in the flow's expressions and templates is rewritten to the new id.
 */
export function renameStep(doc: FlowDocument, oldId: string, newId: string): FlowDocument {
  if (oldId === newId) return doc;
  if (!isValidId(newId)) {
    throw new EditError(`\`${newId}\` cannot be an id: use letters, digits and underscores, starting with a letter`);
  }
  if (allIds(doc).has(newId)) throw new EditError(`a step with id \`${newId}\` already exists`);
  const renameEdges = (edges: Edge[]) =>
    edges.map((e) => (e.from === oldId || e.to === oldId ? { ...e, from: e.from === oldId ? newId : e.from, to: e.to === oldId ? newId : e.to } : e));

  let next: FlowDocument;
  if (oldId === doc.trigger.id) {
    next = { ...doc, trigger: { ...doc.trigger, id: newId }, edges: renameEdges(doc.edges) };
  } else {
    const loc = findStep(doc, oldId);
    if (!loc) throw new EditError(`there is no step \`${oldId}\``);
    next = updateContainer(doc, loc.scope, (c) => ({
      steps: c.steps.map((s) => (s.id === oldId ? { ...s, id: newId } : s)),
      edges: renameEdges(c.edges),
    }));
    // References: `steps.old` not preceded by a word character or a dot (so `x.steps.old` and
    // `mysteps.old` stay) and not followed by one (so `steps.old_2` stays); and `steps["old"]`.
    const re = new RegExp(`(^|[^\\w.])steps(?:\\.${escapeRegExp(oldId)}(?![\\w])|\\[(["'])${escapeRegExp(oldId)}\\2\\])`, 'g');
    const fixStep = (s: Step): Step => {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s)) {
        if (k === 'id' || k === 'type') {
          out[k] = v;
        } else if (k === 'steps' && s.type === 'loop') {
          const inner = s.steps.map(fixStep);
          if (inner.some((x, i) => x !== s.steps[i])) changed = true;
          out[k] = inner;
        } else if (k === 'edges' && s.type === 'loop') {
          out[k] = v;
        } else {
          const r = rewriteRefs(v as JsonValue, re, newId);
          if (r !== v) changed = true;
          out[k] = r;
        }
      }
      return changed ? (out as unknown as Step) : s;
    };
    const steps = next.steps.map(fixStep);
    if (steps.some((s, i) => s !== next.steps[i])) next = { ...next, steps };
  }
  const positions = next.ui?.positions;
  if (positions && oldId in positions) {
    const { [oldId]: p, ...rest } = positions;
    next = { ...next, ui: { ...next.ui, positions: { ...rest, [newId]: p! } } };
  }
  return next;
}

/** Changes what starts the flow; the trigger keeps its id (so edges stay) and loses old props. */
export function setTrigger(doc: FlowDocument, piece: string, trigger: string): FlowDocument {
  if (doc.trigger.piece === piece && doc.trigger.trigger === trigger) return doc;
  const { props: _props, connection: _connection, ...rest } = doc.trigger;
  return { ...doc, trigger: { ...rest, piece, trigger } };
}

/**
 * Sets the display name of the trigger or a step (what the canvas shows); an empty name removes it,
 * so the action's own label shows again. The id, which expressions use, does not change.
 */
export function setNodeName(doc: FlowDocument, id: string, name: string): FlowDocument {
  const next = name.trim() === '' ? undefined : name;
  if (id === doc.trigger.id) {
    if ((doc.trigger.name ?? undefined) === next) return doc;
    const { name: _old, ...rest } = doc.trigger;
    return { ...doc, trigger: next === undefined ? rest : { ...rest, name: next } };
  }
  const loc = findStep(doc, id);
  if (!loc || (loc.step.name ?? undefined) === next) return doc;
  return updateStep(doc, id, (s) => {
    const { name: _old, ...rest } = s;
    return (next === undefined ? rest : { ...rest, name: next }) as Step;
  });
}

/**
 * Sets flow-level fields (description, variables, run settings); `undefined` (or an empty
 * object/text) removes one, so the document keeps only what was chosen.
 */
export function patchFlow(
  doc: FlowDocument,
  patch: { description?: string; vars?: JsonMap; settings?: Partial<Settings> },
): FlowDocument {
  let next = doc;
  const set = <K extends 'description' | 'vars' | 'settings'>(key: K, value: FlowDocument[K] | undefined) => {
    const empty = value === undefined || value === '' || (typeof value === 'object' && Object.keys(value).length === 0);
    if (empty) {
      if (key in next) {
        const { [key]: _gone, ...rest } = next;
        next = rest as FlowDocument;
      }
    } else if (JSON.stringify(next[key]) !== JSON.stringify(value)) {
      next = { ...next, [key]: value };
    }
  };
  if ('description' in patch) set('description', patch.description);
  if ('vars' in patch) set('vars', patch.vars);
  if (patch.settings) {
    const merged: Record<string, unknown> = { ...doc.settings, ...patch.settings };
    for (const [k, v] of Object.entries(merged)) if (v === undefined || v === '') delete merged[k];
    set('settings', merged as Settings);
  }
  return next;
}

export function setName(doc: FlowDocument, name: string): FlowDocument {
  return doc.name === name ? doc : { ...doc, name };
}
