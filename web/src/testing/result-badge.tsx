import { useSamples } from '../store/samples-store';
import { resultLabel } from './test-run';

/**
 * A node's result from the latest test in this session, as a small label on its card: succeeded,
 * failed, skipped. Selecting the node shows the data in the settings panel.
 */
export function NodeResultBadge({ nodeId }: { nodeId: string }) {
  const result = useSamples((s) => s.results[nodeId]);
  if (!result) return null;
  const { tone, text } = resultLabel(result.status);
  const title = result.error?.message ? `${text} in the last test: ${result.error.message}` : `${text} in the last test. Select the step to see its data.`;
  return (
    <span className={`node-test-result node-test-${tone}`} role="img" aria-label={`Last test: ${text}`} title={title}>
      {text}
    </span>
  );
}
