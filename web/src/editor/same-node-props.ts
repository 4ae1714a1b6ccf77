import type { NodeProps } from '@xyflow/react';
import type { FlowNode } from '../flow/graph';

/**
 * Node components re-render only when what they show changes. Every document change rebuilds the
 * node list (a pure function of the document), so `data` is a new object each time; comparing its
 * fields keeps the other 199 nodes still when one step changes. Positions are not compared: the
 * canvas moves nodes without rendering them.
 */
export function sameNodeProps(a: NodeProps<FlowNode>, b: NodeProps<FlowNode>): boolean {
  if (a.selected !== b.selected || a.width !== b.width || a.height !== b.height || a.dragging !== b.dragging) return false;
  if (a.data === b.data) return true;
  const da = a.data as Record<string, unknown>;
  const db = b.data as Record<string, unknown>;
  const keys = Object.keys(da);
  if (keys.length !== Object.keys(db).length) return false;
  for (const k of keys) {
    const va = da[k];
    const vb = db[k];
    if (va === vb) continue;
    // `openBranches` is a fresh array each time.
    if (Array.isArray(va) && Array.isArray(vb) && va.length === vb.length && va.every((x, i) => x === vb[i])) continue;
    return false;
  }
  return true;
}
