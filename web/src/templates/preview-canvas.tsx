import { Background, Controls, Handle, MarkerType, Position, ReactFlow, ReactFlowProvider, type Edge, type NodeProps } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { NodeCard } from '../editor/node-card';
import { flowToGraph, type CatalogIndex, type FlowNode } from '../flow/graph';
import type { FlowDocument } from '../flow/types';

function PreviewStepView({ data }: NodeProps<FlowNode>) {
  const cls = ['flow-node', 'preview-node', data.kind === 'trigger' ? 'trigger' : '', data.disabled ? 'disabled' : ''].join(' ');
  return (
    <div className={cls}>
      {data.kind !== 'trigger' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <NodeCard data={data} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function PreviewLoopView({ data, width, height }: NodeProps<FlowNode>) {
  return (
    <div className="flow-node loop preview-node" style={{ width, height }}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="loop-header">
        <NodeCard data={data} />
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const PreviewStep = memo(PreviewStepView);
const PreviewLoop = memo(PreviewLoopView);
const nodeTypes = { trigger: PreviewStep, step: PreviewStep, loop: PreviewLoop };
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const proOptions = { hideAttribution: true };
const fitViewOptions = { padding: 0.15, maxZoom: 1 };

/** The graph a template's flow is previewed with: the editor's nodes, plain edges (no "+" on them). */
export function previewGraph(doc: FlowDocument, index: CatalogIndex): { nodes: FlowNode[]; edges: Edge[] } {
  const graph = flowToGraph(doc, index);
  const nodes = graph.nodes.map((n) => ({ ...n, draggable: false, selectable: false, focusable: false }));
  const edges = graph.edges.map((e) => {
    const edge: Edge = { id: e.id, source: e.source, target: e.target, type: 'smoothstep', focusable: false };
    if (e.label !== undefined) edge.label = e.label;
    if (e.zIndex !== undefined) edge.zIndex = e.zIndex;
    return edge;
  });
  return { nodes, edges };
}

/** A template's flow, read-only: what starts it and each step, as the editor will show them. */
export function PreviewCanvas({ doc, index, label }: { doc: FlowDocument; index: CatalogIndex; label: string }) {
  const { nodes, edges } = useMemo(() => previewGraph(doc, index), [doc, index]);
  return (
    <div className="template-preview-canvas">
      <ReactFlowProvider>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          defaultEdgeOptions={defaultEdgeOptions}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={fitViewOptions}
          minZoom={0.2}
          maxZoom={1.5}
          proOptions={proOptions}
          aria-label={label}
        >
          <Background gap={24} size={1} />
          <Controls showInteractive={false} fitViewOptions={fitViewOptions} />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
