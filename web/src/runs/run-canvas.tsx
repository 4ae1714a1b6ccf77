import { applyNodeChanges, Background, Controls, MarkerType, MiniMap, ReactFlow, useReactFlow, type NodeChange } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RunEdge, RunNode } from './run-graph';
import { RunLoopNode } from './run-loop-node';
import { RunStepNode } from './run-step-node';

const nodeTypes = { 'run-step': RunStepNode, 'run-loop': RunLoopNode };
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const proOptions = { hideAttribution: true };

/** A run's flow, read-only: nodes coloured by step status; a click (or Enter on a node) selects a step. */
export function RunCanvas({
  nodes: graphNodes,
  edges,
  selected,
  onSelect,
}: {
  nodes: RunNode[];
  edges: RunEdge[];
  selected: string | null;
  onSelect: (id: string | null) => void;
}) {
  const { fitView } = useReactFlow();
  const derived = useMemo(() => graphNodes.map((n) => (n.id === selected ? { ...n, selected: true } : n)), [graphNodes, selected]);
  const [nodes, setNodes] = useState<RunNode[]>(derived);
  useEffect(() => setNodes(derived), [derived]);

  const onNodesChange = useCallback(
    (changes: NodeChange<RunNode>[]) => {
      const local: NodeChange<RunNode>[] = [];
      for (const c of changes) {
        if (c.type === 'select') {
          if (c.selected) onSelect(c.id);
        } else if (c.type !== 'remove') local.push(c);
      }
      if (local.length) setNodes((ns) => applyNodeChanges(local, ns));
    },
    [onSelect],
  );

  const fitted = useRef(false);
  useEffect(() => {
    if (!fitted.current && nodes.length > 0) {
      fitted.current = true;
      window.requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1 }));
    }
  }, [nodes.length, fitView]);

  return (
    <ReactFlow<RunNode, RunEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      defaultEdgeOptions={defaultEdgeOptions}
      onNodesChange={onNodesChange}
      onPaneClick={() => onSelect(null)}
      nodesDraggable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      deleteKeyCode={null}
      onlyRenderVisibleElements={nodes.length > 60}
      minZoom={0.1}
      maxZoom={2}
      proOptions={proOptions}
      aria-label="The run's flow: each step coloured by its status"
    >
      <Background gap={24} size={1} />
      <Controls showInteractive={false} fitViewOptions={{ padding: 0.2, maxZoom: 1 }} />
      {nodes.length > 15 && <MiniMap pannable zoomable ariaLabel="Mini-map of the flow" />}
    </ReactFlow>
  );
}
