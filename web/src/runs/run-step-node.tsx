import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { NodeCard } from '../editor/node-card';
import type { RunNode } from './run-graph';

/** A step (or the trigger) on a run's canvas, coloured by what it did in the run. */
function RunStepNodeView({ data, selected }: NodeProps<RunNode>) {
  const cls = ['flow-node', 'run-node', `run-${data.runStatus}`, data.kind === 'trigger' ? 'trigger' : '', selected ? 'selected' : ''].join(' ');
  return (
    <div className={cls} title={data.iterations ? `${data.statusLabel} (${data.iterations})` : data.statusLabel}>
      {data.kind !== 'trigger' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <NodeCard data={data} />
      <span className="run-node-status">
        {data.statusLabel}
        {data.iterations && <span className="visually-hidden"> ({data.iterations})</span>}
      </span>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

export const RunStepNode = memo(RunStepNodeView);
