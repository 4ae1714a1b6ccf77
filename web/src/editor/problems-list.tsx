import { useReactFlow } from '@xyflow/react';
import { useEditorStore } from '../store/editor-store';

/** The draft's validation problems; a click selects the step and brings it into view. */
export function ProblemsList() {
  const problems = useEditorStore((s) => s.problems);
  const select = useEditorStore((s) => s.select);
  const { getInternalNode, setCenter } = useReactFlow();
  if (problems.length === 0) return null;

  const show = (id: string) => {
    select(id);
    const node = getInternalNode(id);
    if (node) {
      const { x, y } = node.internals.positionAbsolute;
      void setCenter(x + (node.measured.width ?? 240) / 2, y + (node.measured.height ?? 64) / 2, { zoom: 1, duration: 250 });
    }
  };

  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">
        {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before publishing
      </h2>
      <ul>
        {problems.map((p, i) => (
          <li key={`${p.path}:${i}`}>
            {p.node ? (
              <button type="button" className="problem-link" onClick={() => show(p.node!)}>
                <strong>{p.node}</strong>: {p.message}
              </button>
            ) : (
              <span>{p.message}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
