// The run view's canvas graph: the editor's graph of the run's document (./flow/graph.ts) with each
// node's run status in its data, read-only node types, and plain edges (no "+" buttons).

import type { Edge, Node } from '@xyflow/react';
import type { RunStatus } from '../api/types';
import { flowToGraph, type CatalogIndex, type StepNodeData } from '../flow/graph';
import type { FlowDocument } from '../flow/types';
import { iterationSummary, nodeStatusLabel, type NodeRun, type NodeRunStatus } from './step-status';

export type RunNodeData = StepNodeData & {
  runStatus: NodeRunStatus;
  /** "Succeeded", "Not reached", … */
  statusLabel: string;
  /** For steps inside loops: `3 runs: 2 succeeded, 1 failed`. */
  iterations?: string;
};

export type RunNode = Node<RunNodeData, 'run-step' | 'run-loop'>;
export type RunEdge = Edge<Record<string, never>, 'smoothstep'>;

export function runGraph(
  doc: FlowDocument,
  statuses: ReadonlyMap<string, NodeRun>,
  runStatus: RunStatus,
  catalog?: CatalogIndex,
): { nodes: RunNode[]; edges: RunEdge[] } {
  const graph = flowToGraph(doc, catalog);
  const nodes: RunNode[] = graph.nodes.map((n) => {
    const run = statuses.get(n.id);
    const status = run?.status ?? 'not_reached';
    const data: RunNodeData = { ...n.data, runStatus: status, statusLabel: nodeStatusLabel(status, runStatus) };
    const summary = run ? iterationSummary(run) : null;
    if (summary) data.iterations = summary;
    const { type, deletable: _d, ...rest } = n;
    return { ...rest, type: type === 'loop' ? 'run-loop' : 'run-step', data, draggable: false, connectable: false };
  });
  const edges: RunEdge[] = graph.edges.map((e) => {
    const target = statuses.get(e.target)?.status ?? 'not_reached';
    const source = statuses.get(e.source)?.status ?? 'not_reached';
    const taken = source !== 'not_reached' && source !== 'skipped' && target !== 'not_reached' && target !== 'skipped';
    const edge: RunEdge = { id: e.id, source: e.source, target: e.target, type: 'smoothstep', className: taken ? 'run-edge taken' : 'run-edge' };
    if (e.label !== undefined) edge.label = e.label;
    if (e.zIndex !== undefined) edge.zIndex = e.zIndex;
    return edge;
  });
  return { nodes, edges };
}
