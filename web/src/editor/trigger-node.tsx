import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from '../flow/graph';
import { useEditorStore } from '../store/editor-store';
import { AddButtons } from './add-buttons';
import { NodeCard } from './node-card';
import { sameNodeProps } from './same-node-props';

/** The trigger: what starts the flow. It has no input, cannot be deleted, and can be changed. */
function TriggerNodeView({ data, selected }: NodeProps<FlowNode>) {
  const openPicker = useEditorStore((s) => s.openPicker);
  const cls = ['flow-node', 'trigger', selected ? 'selected' : '', data.problem ? 'invalid' : ''].join(' ');
  return (
    <div className={cls}>
      <NodeCard data={data} testResult />
      <button type="button" className="node-corner-button nodrag nopan" onClick={() => openPicker({ kind: 'trigger' })} aria-label="Change the trigger">
        Change
      </button>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      <AddButtons nodeId={data.stepId} label={data.label} showPlain={!data.hasChildren} />
    </div>
  );
}

export const TriggerNode = memo(TriggerNodeView, sameNodeProps);
