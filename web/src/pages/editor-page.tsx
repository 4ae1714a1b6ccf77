import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { ErrorMessage } from '../components/error-message';
import { Link } from '../components/link';
import { Loading } from '../components/loading';
import { addStepAfter, addStepInLoop, insertStepOnEdge, setTrigger } from '../flow/edit';
import { allIds } from '../flow/model';
import { newActionStep, newBuiltinStep } from '../flow/new-step';
import type { FlowDocument, Step } from '../flow/types';
import { EditorHeader } from '../editor/editor-header';
import { FlowCanvas } from '../editor/flow-canvas';
import { ImportBanner } from '../import/import-banner';
import { PiecePicker, type PickerChoice } from '../editor/piece-picker';
import { ProblemsList } from '../editor/problems-list';
import { SettingsPanel } from '../editor/settings-panel';
import { useEditorShortcuts } from '../editor/use-editor-shortcuts';
import { useCatalog } from '../store/catalog-store';
import { useEditorStore, type PickerTarget } from '../store/editor-store';
import { useSamples } from '../store/samples-store';

/** The flow editor: header, canvas, problems and the settings panel for the selection. */
export function EditorPage({ flowId }: { flowId: string }) {
  const loading = useEditorStore((s) => s.loading);
  const loadError = useEditorStore((s) => s.loadError);
  const hasDoc = useEditorStore((s) => s.doc !== null);
  const dirty = useEditorStore((s) => s.dirty);
  const notice = useEditorStore((s) => s.notice);
  const picker = useEditorStore((s) => s.picker);
  const load = useEditorStore((s) => s.load);
  const catalog = useCatalog();

  useEffect(() => {
    void load(flowId);
    void useCatalog.getState().load();
    // The flow's sample data (its last test) for the data picker and the test results.
    void useSamples.getState().load(flowId);
    return () => useEditorStore.getState().reset();
  }, [flowId, load]);

  // Closing the tab with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  useEditorShortcuts();

  if (loadError) {
    return (
      <main className="center-page">
        <ErrorMessage message={loadError} onRetry={() => void load(flowId)} />
        <Link href="/">Back to your flows</Link>
      </main>
    );
  }
  if (loading || !hasDoc) return <Loading label="Opening the flow…" fullPage />;

  return (
    <ReactFlowProvider>
      <div className="editor">
        <EditorHeader />
        {notice && (
          <div className={`message message-${notice.kind} editor-notice`} role={notice.kind === 'error' ? 'alert' : 'status'}>
            <span>{notice.text}</span>
            <button type="button" className="button small ghost" onClick={() => useEditorStore.getState().dismissNotice()} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
        <ImportBanner />
        {catalog.error && <ErrorMessage message={`The apps could not be loaded: ${catalog.error}`} onRetry={() => void catalog.load()} />}
        <div className="editor-body">
          <main className="canvas-area">
            <FlowCanvas />
          </main>
          <div className="side">
            <ProblemsList />
            <SettingsPanel />
          </div>
        </div>
        {picker && (
          <PiecePicker
            pieces={catalog.pieces}
            loading={catalog.loading}
            error={catalog.error}
            mode={picker.kind === 'trigger' ? 'trigger' : 'step'}
            onPick={(choice) => pick(picker, choice)}
            onClose={() => useEditorStore.getState().openPicker(null)}
          />
        )}
      </div>
    </ReactFlowProvider>
  );
}

/** Applies a picker choice to where the picker was opened, and selects the new step. */
function pick(target: PickerTarget, choice: PickerChoice): void {
  const store = useEditorStore.getState();
  store.openPicker(null);
  if (choice.kind === 'trigger') {
    store.apply((d) => setTrigger(d, choice.piece, choice.trigger), { select: store.doc?.trigger.id ?? null });
    return;
  }
  const make = (d: FlowDocument): Step => {
    const taken = allIds(d);
    return choice.kind === 'builtin' ? newBuiltinStep(choice.type, taken) : newActionStep(choice.piece, choice.action, taken);
  };
  let newId: string | null = null;
  const edit = (d: FlowDocument): FlowDocument => {
    const step = make(d);
    newId = step.id;
    switch (target.kind) {
      case 'after':
        return addStepAfter(d, target.from, step, { branch: target.branch });
      case 'edge':
        return insertStepOnEdge(d, target, step);
      case 'loop':
        return addStepInLoop(d, target.loop, step);
      case 'trigger':
        return d;
    }
  };
  if (store.apply(edit) && newId) store.select(newId);
}
