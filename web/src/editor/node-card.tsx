import type { StepNodeData } from '../flow/graph';
import { NodeResultBadge } from '../testing/result-badge';
import { iconFor } from './builtin-icons';

/**
 * The face of a node: icon, label, detail line, and the validation message when invalid; in the
 * editor (`testResult`) also the node's result from the latest test.
 */
export function NodeCard({ data, testResult = false }: { data: StepNodeData; testResult?: boolean }) {
  return (
    <div className="node-card">
      <img className="node-icon" src={iconFor(data.kind, data.icon)} alt="" width={28} height={28} draggable={false} />
      <div className="node-text">
        <div className="node-label" title={data.label}>
          {data.label}
          {data.disabled && <span className="node-tag">off</span>}
        </div>
        <div className="node-detail" title={data.detail}>
          {data.detail || <span className="node-id">{data.stepId}</span>}
        </div>
      </div>
      {testResult && <NodeResultBadge nodeId={data.stepId} />}
      {data.problem && (
        <span className="node-problem" role="img" aria-label={`Problem: ${data.problem}`} title={data.problem}>
          !
        </span>
      )}
    </div>
  );
}
