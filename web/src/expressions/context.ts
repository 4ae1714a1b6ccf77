// The sample data a step's fields can use: the trigger's and the earlier steps' outputs, from the
// last test (the samples store) or, until a test has run, from the catalog's sample payloads.
// Built once per (document, step, samples, catalog) and shared by the data picker, autocomplete
// and the live preview.

import type { Piece } from '../api/types';
import { findStep } from '../flow/model';
import type { FlowDocument, JsonMap, Step } from '../flow/types';
import { dataScope, innermostLoop } from './ancestors';
import { renderTemplate, type Scope } from './evaluator';
import { dataTree, type DataNode } from './paths';

export interface DataContext {
  /** What expressions read in the preview. */
  scope: Scope;
  /** The picker's top-level entries: trigger, each earlier step, loop item and index. */
  roots: DataNode[];
  /** Step ids in scope (for autocomplete of `steps.`). */
  stepIds: string[];
  inLoop: boolean;
  /** Whether any shown data comes from the catalog's examples rather than a test. */
  fromExamples: boolean;
}

function nodeLabel(doc: FlowDocument, id: string, pieces: readonly Piece[] | null): string {
  if (id === doc.trigger.id) {
    const t = pieces?.find((p) => p.id === doc.trigger.piece)?.triggers.find((x) => x.name === doc.trigger.trigger);
    return doc.trigger.name ?? t?.label ?? 'Trigger';
  }
  const step = findStep(doc, id)?.step;
  if (!step) return id;
  if (step.name) return step.name;
  if (step.type === 'action') {
    return pieces?.find((p) => p.id === step.piece)?.actions.find((a) => a.name === step.action)?.label ?? id;
  }
  return id;
}

/** The catalog's example output of the trigger. */
export function triggerExample(doc: FlowDocument, pieces: readonly Piece[] | null): unknown {
  const t = pieces?.find((p) => p.id === doc.trigger.piece)?.triggers.find((x) => x.name === doc.trigger.trigger);
  if (!t) return undefined;
  if (t.sample_output !== undefined) return t.sample_output;
  // Call triggers: each sample has the trigger's output for it (what `trigger` holds).
  const first = t.samples?.[0] as { output?: unknown } | undefined;
  return first?.output;
}

function stepExample(step: Step, pieces: readonly Piece[] | null, scope: Scope): unknown {
  if (step.type === 'action') {
    return pieces?.find((p) => p.id === step.piece)?.actions.find((a) => a.name === step.action)?.sample_output;
  }
  if (step.type === 'set') {
    // A set step's output is its values, rendered against what came before.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(step.values ?? ({} as JsonMap))) {
      if (typeof v === 'string') {
        const r = renderTemplate(v, scope);
        out[k] = r.ok ? r.value : null;
      } else out[k] = v;
    }
    return out;
  }
  return undefined;
}

/** Everything `nodeId`'s fields can read, with sample values. */
export function buildDataContext(
  doc: FlowDocument,
  nodeId: string | null | undefined,
  samples: Readonly<Record<string, unknown>>,
  pieces: readonly Piece[] | null,
): DataContext {
  const ds = dataScope(doc, nodeId);
  let fromExamples = false;
  const pick = (id: string, example: () => unknown): unknown => {
    if (Object.hasOwn(samples, id)) return samples[id];
    const e = example();
    if (e !== undefined) fromExamples = true;
    return e;
  };
  const isTrigger = nodeId === doc.trigger.id;
  const trigger = isTrigger ? undefined : pick(doc.trigger.id, () => triggerExample(doc, pieces));
  const steps: Record<string, unknown> = {};
  const scope: Scope = { trigger, steps, vars: doc.vars ?? {} };
  const roots: DataNode[] = [];
  if (!isTrigger && nodeId) roots.push(dataTree(nodeLabel(doc, doc.trigger.id, pieces), ['trigger'], trigger));
  for (const id of ds.steps) {
    const step = findStep(doc, id)?.step;
    if (!step) continue;
    const value = pick(id, () => stepExample(step, pieces, scope));
    steps[id] = value;
    roots.push({ ...dataTree(nodeLabel(doc, id, pieces), ['steps', id], value) });
  }
  const loop = innermostLoop(doc, ds);
  if (loop) {
    let items: unknown = loop.items;
    if (typeof items === 'string') {
      const r = renderTemplate(items, scope);
      items = r.ok ? r.value : undefined;
    }
    const item = Array.isArray(items) ? items[0] : undefined;
    scope.item = item;
    scope.index = 0;
    roots.push(dataTree('Current item of the loop', ['item'], item));
    roots.push(dataTree('Position in the loop (from 0)', ['index'], 0));
  }
  if (doc.vars && Object.keys(doc.vars).length > 0) roots.push(dataTree('Flow variables', ['vars'], doc.vars));
  return { scope, roots, stepIds: ds.steps, inLoop: !!loop, fromExamples };
}
