// Which steps' data a step can read: the steps that run before it. At the top level those are the
// steps with a path of edges to it (so a step on one router branch does not see the other
// branches); inside a loop body, the body's earlier steps plus everything before the loop (and
// its own `item` and `index`). A loop's own output (a list) is readable only after the loop.

import { findStep, containerAt } from '../flow/model';
import type { Container, FlowDocument, LoopStep } from '../flow/types';

export interface DataScope {
  /** Step ids whose output can be read, in flow order (outer containers first). */
  steps: string[];
  /** The enclosing loops, outermost first: `item` and `index` are the innermost's. */
  loops: string[];
}

/** Step ids with a path of edges to `id` in one container, in the container's order. */
function before(container: Container, id: string): string[] {
  const seen = new Set<string>();
  const queue = [id];
  while (queue.length) {
    const current = queue.pop()!;
    for (const e of container.edges) {
      if (e.to === current && !seen.has(e.from)) {
        seen.add(e.from);
        queue.push(e.from);
      }
    }
  }
  seen.delete(id);
  return container.steps.map((s) => s.id).filter((s) => seen.has(s));
}

/** What step `nodeId` can read (the trigger, any of its earlier steps; nothing for the trigger itself). */
export function dataScope(doc: FlowDocument, nodeId: string | null | undefined): DataScope {
  if (!nodeId || nodeId === doc.trigger.id) return { steps: [], loops: [] };
  const location = findStep(doc, nodeId);
  if (!location) return { steps: [], loops: [] };
  const steps: string[] = [];
  const loops = [...location.scope];
  // From the outermost container in: what runs before each enclosing loop, then before the step.
  for (let depth = 0; depth <= loops.length; depth++) {
    const container = containerAt(doc, loops.slice(0, depth));
    if (!container) break;
    const target = depth < loops.length ? loops[depth]! : nodeId;
    steps.push(...before(container, target));
  }
  return { steps, loops };
}

/** The loop step of the innermost enclosing loop, when there is one. */
export function innermostLoop(doc: FlowDocument, scope: DataScope): LoopStep | undefined {
  const id = scope.loops[scope.loops.length - 1];
  if (!id) return undefined;
  const step = findStep(doc, id)?.step;
  return step?.type === 'loop' ? step : undefined;
}
