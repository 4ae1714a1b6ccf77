import { Link } from '../components/link';
import { setName } from '../flow/edit';
import { useEditorStore } from '../store/editor-store';
import { TestFlowButton } from '../testing/test-flow-dialog';
import { FlowRunsLink } from './publish/flow-runs-link';
import { PublishButton } from './publish/publish-button';

/** The editor's top bar: the flow's name, save state, undo/redo, save, publish, on/off. */
export function EditorHeader() {
  const doc = useEditorStore((s) => s.doc);
  const meta = useEditorStore((s) => s.meta);
  const dirty = useEditorStore((s) => s.dirty);
  const busy = useEditorStore((s) => s.busy);
  const canUndo = useEditorStore((s) => s.past.length > 0);
  const canRedo = useEditorStore((s) => s.future.length > 0);
  const problemCount = useEditorStore((s) => s.problems.length);
  const { apply, undo, redo, save, publish, setEnabled } = useEditorStore.getState();

  const state =
    busy === 'saving' ? 'Saving…' : busy === 'publishing' ? 'Publishing…' : dirty ? 'Unsaved changes' : 'All changes saved';
  const version = meta?.published_version;
  return (
    <header className="editor-header">
      <Link
        href="/"
        className="button ghost small"
        onClick={(e) => {
          if (dirty && !window.confirm('Leave without saving? Your changes will be lost.')) e.preventDefault();
        }}
      >
        ← Flows
      </Link>
      <label className="flow-name">
        <span className="visually-hidden">Flow name</span>
        <input value={doc?.name ?? ''} onChange={(e) => apply((d) => setName(d, e.target.value), { coalesce: 'name' })} disabled={!doc} />
      </label>
      <span className="muted save-state" aria-live="polite">
        {state}
      </span>
      <div className="toolbar">
        <FlowRunsLink flowId={meta?.id ?? null} dirty={dirty} />
        <TestFlowButton disabled={!meta || !doc} />
        <PublishButton disabled={!meta} />
        <button type="button" className="button small" onClick={undo} disabled={!canUndo} aria-keyshortcuts="Control+Z" title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" className="button small" onClick={redo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z" title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" className="button" onClick={() => void save()} disabled={!dirty || busy !== null} aria-keyshortcuts="Control+S" title="Save (Ctrl+S)">
          Save
        </button>
        <button
          type="button"
          className="button primary"
          onClick={() => void publish()}
          disabled={!doc || busy !== null}
          title={problemCount ? `${problemCount} problem${problemCount === 1 ? '' : 's'} to fix first` : 'Make this draft the live version'}
        >
          Publish
        </button>
        <span className="muted version">{version ? `v${version}${meta?.draft_changed || dirty ? ' + draft' : ''}` : 'never published'}</span>
        <button
          type="button"
          className={meta?.enabled ? 'switch on' : 'switch'}
          role="switch"
          aria-checked={meta?.enabled ?? false}
          onClick={() => void setEnabled(!meta?.enabled)}
          disabled={!meta || busy !== null || (!meta.enabled && !version)}
          title={!version ? 'Publish the flow before turning it on' : meta?.enabled ? 'Turn the flow off' : 'Turn the flow on'}
        >
          <span className="switch-knob" aria-hidden="true" />
          {meta?.enabled ? 'On' : 'Off'}
        </button>
      </div>
    </header>
  );
}
