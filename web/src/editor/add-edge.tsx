import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowEdge } from '../flow/graph';
import { useEditorStore } from '../store/editor-store';

/** An edge with its branch name (out of routers) and a "+" that inserts a step on it. */
function AddEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, label, markerEnd, selected }: EdgeProps<FlowEdge>) {
  const openPicker = useEditorStore((s) => s.openPicker);
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={selected ? 'edge-selected' : undefined} />
      <EdgeLabelRenderer>
        <div className="edge-label nodrag nopan" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
          {label && <span className="edge-branch">{label}</span>}
          {data && (
            <button
              type="button"
              className="add-button small"
              onClick={() => openPicker({ kind: 'edge', scope: data.scope, from: data.from, to: data.to, branch: data.branch })}
              aria-label={`Add a step between ${data.from} and ${data.to}`}
            >
              +
            </button>
          )}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const AddEdge = memo(AddEdgeView);
