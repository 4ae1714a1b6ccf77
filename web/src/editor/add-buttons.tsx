import { useEditorStore } from '../store/editor-store';

/**
 * The "+" buttons under a node's output: one for a leaf, one per branch without an edge for a
 * router. They open the piece picker for a step after this node.
 */
export function AddButtons({ nodeId, label, showPlain, branches }: { nodeId: string; label: string; showPlain: boolean; branches?: readonly string[] }) {
  const openPicker = useEditorStore((s) => s.openPicker);
  if (branches) {
    if (branches.length === 0) return null;
    return (
      <div className="node-add-row nodrag nopan">
        {branches.map((b) => (
          <button
            key={b}
            type="button"
            className="add-button with-label"
            onClick={() => openPicker({ kind: 'after', from: nodeId, branch: b })}
            aria-label={`Add a step on branch ${b} of ${label}`}
          >
            + {b}
          </button>
        ))}
      </div>
    );
  }
  if (!showPlain) return null;
  return (
    <div className="node-add-row nodrag nopan">
      <button type="button" className="add-button" onClick={() => openPicker({ kind: 'after', from: nodeId })} aria-label={`Add a step after ${label}`}>
        +
      </button>
    </div>
  );
}
