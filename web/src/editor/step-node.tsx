import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { FlowNode } from '../flow/graph';
import { AddButtons } from './add-buttons';
import { NodeCard } from './node-card';
import { sameNodeProps } from './same-node-props';

/** A step on the canvas (every type but loops, which are groups). */
function StepNodeView({ data, selected }: NodeProps<FlowNode>) {
  const cls = ['flow-node', selected ? 'selected' : '', data.problem ? 'invalid' : '', data.disabled ? 'disabled' : ''].join(' ');
  return (
    <div className={cls}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <NodeCard data={data} testResult />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
      <AddButtons nodeId={data.stepId} label={data.label} showPlain={!data.hasChildren} branches={data.kind === 'router' ? data.openBranches : undefined} />
    </div>
  );
}

export const StepNode = memo(StepNodeView, sameNodeProps);
