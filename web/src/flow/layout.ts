// Node geometry and the top-to-bottom auto-layout (dagre). Positions follow the shape documented on
// `FlowUi` in ./types.ts: `[x, y]` top-left corners, loop body steps relative to their loop's box.

import { Graph, layout } from '@dagrejs/dagre';
import type { Container, FlowDocument, LoopStep, Position } from './types';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 64;
/** Vertical distance between a node's top and the top of a node placed below it. */
export const ROW = NODE_HEIGHT + 56;
/** Horizontal distance between siblings placed side by side. */
export const COLUMN = NODE_WIDTH + 40;
/** A loop's box: room for its header above the body and a margin around it. */
export const LOOP_HEADER = 52;
export const LOOP_PADDING = 24;

export interface Size {
  width: number;
  height: number;
}

type Positions = Record<string, Position>;

/**
 * The size of a loop's box, from where its body steps sit (so moving a body step grows the box).
 * An empty body keeps room for one step (the box shows an "add a step" button there).
 */
export function loopSize(loop: LoopStep, positions: Positions, sizes: ReadonlyMap<string, Size>): Size {
  let right = LOOP_PADDING + NODE_WIDTH;
  let bottom = LOOP_HEADER + NODE_HEIGHT;
  for (const step of loop.steps ?? []) {
    const p = positions[step.id];
    if (!p) continue;
    const size = sizes.get(step.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
    right = Math.max(right, p[0] + size.width);
    bottom = Math.max(bottom, p[1] + size.height);
  }
  return { width: right + LOOP_PADDING, height: bottom + LOOP_PADDING };
}

/**
 * Lays out one container with dagre, top to bottom: `nodes` (ids with their sizes) and the
 * container's edges between them. Returns top-left corners, the topmost-leftmost at `origin`.
 */
function dagreLayout(
  nodes: ReadonlyArray<{ id: string; size: Size }>,
  edges: Container['edges'],
  origin: Position,
): Positions {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 56, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.size.width, height: n.size.height });
  edges.forEach((e, i) => {
    if (g.hasNode(e.from) && g.hasNode(e.to) && e.from !== e.to) g.setEdge(e.from, e.to, {}, `e${i}`);
  });
  layout(g);
  const out: Positions = {};
  let minX = Infinity;
  let minY = Infinity;
  for (const n of nodes) {
    const d = g.node(n.id);
    const x = d.x - n.size.width / 2;
    const y = d.y - n.size.height / 2;
    out[n.id] = [x, y];
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
  }
  for (const id of Object.keys(out)) {
    const p = out[id]!;
    out[id] = [Math.round(p[0] - minX + origin[0]), Math.round(p[1] - minY + origin[1])];
  }
  return out;
}

/**
 * Positions for every node of the flow.
 *
 * With `keep` (the default), nodes that already have a position keep it, and only missing ones are
 * placed: below their first placed parent (side by side when a parent has several new children), or,
 * in a container where nothing is placed yet, by a full dagre layout. Without `keep` (the
 * "auto-layout" button) everything is laid out afresh. Loop bodies are laid out first, innermost
 * first, because a loop's box size depends on its body.
 */
export function layoutFlow(doc: FlowDocument, options: { keep?: boolean } = {}): {
  positions: Positions;
  sizes: Map<string, Size>;
} {
  const keep = options.keep ?? true;
  const given: Positions = keep ? (doc.ui?.positions ?? {}) : {};
  const positions: Positions = {};
  const sizes = new Map<string, Size>();

  const place = (container: Container, extraId: string | null, origin: Position) => {
    // Bodies first: their boxes' sizes are needed below.
    for (const step of container.steps) {
      if (step.type === 'loop') {
        place(step, null, [LOOP_PADDING, LOOP_HEADER]);
        sizes.set(step.id, loopSize(step, positions, sizes));
      }
    }
    const ids: string[] = [];
    if (extraId) ids.push(extraId);
    for (const s of container.steps) ids.push(s.id);
    const sizeOf = (id: string) => sizes.get(id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };

    const missing = ids.filter((id) => !isPosition(given[id]));
    for (const id of ids) if (isPosition(given[id])) positions[id] = given[id];
    if (missing.length === 0) return;
    if (missing.length === ids.length) {
      Object.assign(
        positions,
        dagreLayout(
          ids.map((id) => ({ id, size: sizeOf(id) })),
          container.edges,
          origin,
        ),
      );
      return;
    }
    // Some nodes are placed: put each missing one under its first placed parent, in edge order, so
    // that chains of new steps follow each other; what has no placed parent gets dagre's spot.
    const missingSet = new Set(missing);
    const childrenPlaced = new Map<string, number>();
    let progress = true;
    while (missingSet.size > 0 && progress) {
      progress = false;
      for (const e of container.edges) {
        if (!missingSet.has(e.to) || !positions[e.from]) continue;
        const parent = positions[e.from]!;
        const n = childrenPlaced.get(e.from) ?? 0;
        childrenPlaced.set(e.from, n + 1);
        positions[e.to] = [parent[0] + n * COLUMN, parent[1] + sizeOf(e.from).height + (ROW - NODE_HEIGHT)];
        missingSet.delete(e.to);
        progress = true;
      }
    }
    if (missingSet.size > 0) {
      const fallback = dagreLayout(
        ids.map((id) => ({ id, size: sizeOf(id) })),
        container.edges,
        origin,
      );
      // Orphans go to the right of everything placed, so they never cover a placed node.
      let right = -Infinity;
      for (const id of ids) {
        const p = positions[id];
        if (p) right = Math.max(right, p[0] + sizeOf(id).width);
      }
      for (const id of missingSet) {
        const p = fallback[id]!;
        positions[id] = [right === -Infinity ? p[0] : right + COLUMN - NODE_WIDTH + p[0] - origin[0], p[1]];
      }
    }
  };

  place(doc, doc.trigger.id, [0, 0]);
  return { positions, sizes };
}

function isPosition(p: unknown): p is Position {
  return Array.isArray(p) && p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}
