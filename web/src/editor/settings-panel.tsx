import { useState } from 'react';
import { deleteStep, duplicateStep, renameStep } from '../flow/edit';
import { findStep } from '../flow/model';
import { useEditorStore } from '../store/editor-store';

/**
 * The right-hand panel for the selected node. For now a placeholder: the step's id (renamable), its
 * actions, and its JSON, read-only. The generated forms (props, connection, retry, data picker)
 * replace the JSON view in the next step of the editor issue.
 */
export function SettingsPanel() {
  const doc = useEditorStore((s) => s.doc);
  const selection = useEditorStore((s) => s.selection);
  if (!doc || !selection) {
    return (
      <aside className="side-panel" aria-label="Step settings">
        <p className="muted">Select a step to see its settings, or use a + to add one.</p>
      </aside>
    );
  }
  const isTrigger = selection === doc.trigger.id;
  const value = isTrigger ? doc.trigger : findStep(doc, selection)?.step;
  if (!value) return null;
  return (
    <aside className="side-panel" aria-label="Step settings">
      <h2>{isTrigger ? 'Trigger' : 'Step'}</h2>
      <RenameField key={selection} id={selection} />
      {!isTrigger && (
        <div className="toolbar">
          <button type="button" className="button small" onClick={() => useEditorStore.getState().apply((d) => duplicateStep(d, selection).doc)}>
            Duplicate
          </button>
          <button type="button" className="button small danger" onClick={() => useEditorStore.getState().apply((d) => deleteStep(d, selection))} aria-keyshortcuts="Delete">
            Delete
          </button>
        </div>
      )}
      <h3>Settings (read-only for now)</h3>
      <pre className="json-view" tabIndex={0} aria-label="The step as JSON">
        {JSON.stringify(value, null, 2)}
      </pre>
    </aside>
  );
}

/** The step id, renamed on Enter or when leaving the field (references follow). */
function RenameField({ id }: { id: string }) {
  const [value, setValue] = useState(id);
  const commit = () => {
    const next = value.trim();
    if (next === id) return;
    const ok = useEditorStore.getState().apply((d) => renameStep(d, id, next), { select: next });
    if (!ok) setValue(id);
  };
  return (
    <label className="field">
      <span>Step id</span>
      <input
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setValue(id);
        }}
        spellCheck={false}
        aria-describedby="rename-help"
      />
      <small id="rename-help" className="muted">
        Used in expressions as steps.{id}; renaming updates them.
      </small>
    </label>
  );
}
