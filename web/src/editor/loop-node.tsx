import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from '../flow/graph';
import { useEditorStore } from '../store/editor-store';
import { AddButtons } from './add-buttons';
import { NodeCard } from './node-card';
import { sameNodeProps } from './same-node-props';

/** A loop: a box around its body steps (child nodes), with its header on top. */
function LoopNodeView({ data, selected, width, height }: NodeProps<FlowNode>) {
  const openPicker = useEditorStore((s) => s.openPicker);
  const cls = ['flow-node', 'loop', selected ? 'selected' : '', data.problem ? 'invalid' : '', data.disabled ? 'disabled' : ''].join(' ');
  return (
    <div className={cls} style={{ width, height }}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="loop-header">
        <NodeCard data={data} testResult />
        <button
          type="button"
          className="node-corner-button nodrag nopan"
          onClick={() => openPicker({ kind: 'loop', loop: data.stepId })}
          aria-label={`Add a step inside ${data.label}`}
        >
          + inside
        </button>
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      <AddButtons nodeId={data.stepId} label={data.label} showPlain={!data.hasChildren} />
    </div>
  );
}

export const LoopNode = memo(LoopNodeView, sameNodeProps);
