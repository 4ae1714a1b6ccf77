import { Link } from '../../components/link';

/** The editor header's link to the flow's run history. */
export function FlowRunsLink({ flowId, dirty }: { flowId: string | null; dirty: boolean }) {
  if (!flowId) return null;
  return (
    <Link
      href={`/flows/${encodeURIComponent(flowId)}/runs`}
      className="button"
      onClick={(e) => {
        if (dirty && !window.confirm('Leave without saving? Your changes will be lost.')) e.preventDefault();
      }}
    >
      Runs
    </Link>
  );
}
