import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { NodeCard } from '../editor/node-card';
import type { RunNode } from './run-graph';

/** A loop on a run's canvas: its box around the body steps, coloured by what the loop did. */
function RunLoopNodeView({ data, selected, width, height }: NodeProps<RunNode>) {
  const cls = ['flow-node', 'loop', 'run-node', `run-${data.runStatus}`, selected ? 'selected' : ''].join(' ');
  return (
    <div className={cls} style={{ width, height }} title={data.statusLabel}>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="loop-header">
        <NodeCard data={data} />
        <span className="run-node-status">{data.statusLabel}</span>
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

export const RunLoopNode = memo(RunLoopNodeView);
