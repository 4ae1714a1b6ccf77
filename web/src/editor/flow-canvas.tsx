import {
  applyNodeChanges,
  Background,
  Controls,
  MarkerType,
  MiniMap,
  Panel,
  ReactFlow,
  useReactFlow,
  type NodeChange,
  type OnNodeDrag,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { setPositions } from '../flow/edit';
import { flowToGraph, type FlowEdge, type FlowNode } from '../flow/graph';
import type { Position } from '../flow/types';
import { useCatalog } from '../store/catalog-store';
import { useEditorStore } from '../store/editor-store';
import { AddEdge } from './add-edge';
import { LoopNode } from './loop-node';
import { StepNode } from './step-node';
import { TriggerNode } from './trigger-node';

// Stable objects: @xyflow/react warns and re-mounts nodes when these change between renders.
const nodeTypes = { step: StepNode, trigger: TriggerNode, loop: LoopNode };
const edgeTypes = { add: AddEdge };
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const proOptions = { hideAttribution: true };
/** Above this many steps the mini-map helps finding one's way. */
const MINIMAP_FROM = 15;

/**
 * The canvas: a view of the document. Nodes are recomputed from the document (and the catalog, the
 * problems and the selection) whenever one of them changes; while a node is dragged the canvas moves
 * it locally, and the drop writes the new positions into the document as one undoable edit.
 */
export function FlowCanvas() {
  const doc = useEditorStore((s) => s.doc);
  const selection = useEditorStore((s) => s.selection);
  const problems = useEditorStore((s) => s.problems);
  const apply = useEditorStore((s) => s.apply);
  const select = useEditorStore((s) => s.select);
  const autoLayout = useEditorStore((s) => s.autoLayout);
  const catalog = useCatalog((s) => s.index);
  const { fitView } = useReactFlow();

  const problemMap = useMemo(() => {
    const map = new Map<string, string[]>();
    for (const p of problems) {
      if (!p.node) continue;
      const list = map.get(p.node);
      if (list) list.push(p.message);
      else map.set(p.node, [p.message]);
    }
    return map;
  }, [problems]);

  const graph = useMemo(() => (doc ? flowToGraph(doc, catalog, problemMap) : { nodes: [] as FlowNode[], edges: [] as FlowEdge[] }), [doc, catalog, problemMap]);
  const derived = useMemo(
    () => (selection ? graph.nodes.map((n) => (n.id === selection ? { ...n, selected: true } : n)) : graph.nodes),
    [graph, selection],
  );
  const [nodes, setNodes] = useState<FlowNode[]>(derived);
  useEffect(() => setNodes(derived), [derived]);

  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) => {
      // Selection lives in the store (the settings panel follows it); the rest (drag positions,
      // measured sizes) is the canvas's own until the drop.
      const local: NodeChange<FlowNode>[] = [];
      for (const c of changes) {
        if (c.type === 'select') {
          if (c.selected) select(c.id);
          else if (useEditorStore.getState().selection === c.id) select(null);
        } else if (c.type !== 'remove') {
          local.push(c);
        }
      }
      if (local.length) setNodes((ns) => applyNodeChanges(local, ns));
    },
    [select],
  );

  const onNodeDragStop: OnNodeDrag<FlowNode> = useCallback(
    (_e, _node, dragged) => {
      const moved: Record<string, Position> = {};
      for (const n of dragged) moved[n.id] = [Math.round(n.position.x), Math.round(n.position.y)];
      apply((d) => setPositions(d, moved));
    },
    [apply],
  );

  // Fit the flow once it is first shown.
  const fitted = useRef(false);
  useEffect(() => {
    if (!fitted.current && nodes.length > 0) {
      fitted.current = true;
      window.requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1 }));
    }
  }, [nodes.length, fitView]);

  const tidy = () => {
    autoLayout();
    window.requestAnimationFrame(() => void fitView({ padding: 0.2, maxZoom: 1, duration: 200 }));
  };

  const steps = graph.nodes.length - 1;
  return (
    <ReactFlow<FlowNode, FlowEdge>
      nodes={nodes}
      edges={graph.edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      defaultEdgeOptions={defaultEdgeOptions}
      onNodesChange={onNodesChange}
      onNodeDragStop={onNodeDragStop}
      onPaneClick={() => select(null)}
      nodesConnectable={false}
      // Deleting goes through the store (undoable, reconnects the chain), not the canvas.
      deleteKeyCode={null}
      // Large flows: only what is on screen is rendered.
      onlyRenderVisibleElements={steps > 60}
      minZoom={0.1}
      maxZoom={2}
      proOptions={proOptions}
      aria-label="Flow canvas"
    >
      <Background gap={24} size={1} />
      <Controls showInteractive={false} fitViewOptions={{ padding: 0.2, maxZoom: 1 }} />
      {steps > MINIMAP_FROM && <MiniMap pannable zoomable ariaLabel="Mini-map of the flow" />}
      <Panel position="top-left">
        <div className="canvas-toolbar">
          <button type="button" className="button small" onClick={tidy}>
            Auto-layout
          </button>
          <button type="button" className="button small" onClick={() => void fitView({ padding: 0.2, maxZoom: 1, duration: 200 })}>
            Zoom to fit
          </button>
        </div>
      </Panel>
    </ReactFlow>
  );
}
