import { useState } from 'react';
import { patchStep } from '../forms/prop-value';
import { deleteStep, duplicateStep, renameStep, setNodeName } from '../flow/edit';
import { FlowSettingsPanel } from './flow-settings-panel';
import { findStep } from '../flow/model';
import { builtinInfo } from '../flow/new-step';
import type { PropMeta } from '../api/types';
import type { Step, Trigger } from '../flow/types';
import { useCatalog } from '../store/catalog-store';
import { useEditorStore } from '../store/editor-store';
import { StepTestPanel } from '../testing/step-test-panel';
import { ActionForm } from './settings/action-form';
import { BehaviourSettings } from './settings/behaviour-settings';
import { BuiltinForm } from './settings/builtin-form';
import { TriggerForm } from './settings/trigger-form';

/** Step types whose failures the behaviour settings (retry, on_error, timeout) govern. */
const WITH_BEHAVIOUR: ReadonlySet<Step['type']> = new Set(['action', 'code', 'subflow']);

/**
 * The right-hand panel for the selected node: its id (renamable), Duplicate/Delete, and its
 * settings — forms generated from the piece metadata for triggers and actions (with the connection
 * selector), the built-in steps' own forms, and the retry / on-error / timeout settings. Every
 * change goes through the editor store's `apply`, so undo/redo covers it; typing in one field
 * coalesces into one undo step.
 */
export function SettingsPanel() {
  const doc = useEditorStore((s) => s.doc);
  const selection = useEditorStore((s) => s.selection);
  const pieces = useCatalog((s) => s.pieces);
  if (!doc || !selection) return <FlowSettingsPanel />;
  const isTrigger = selection === doc.trigger.id;
  const step = isTrigger ? undefined : findStep(doc, selection)?.step;
  if (!isTrigger && !step) return null;
  const pieceId = isTrigger ? doc.trigger.piece : step?.type === 'action' ? step.piece : undefined;
  const piece = pieceId ? pieces?.find((p) => p.id === pieceId) : undefined;
  const catalogLoading = pieceId !== undefined && pieces === null;
  const title = isTrigger
    ? 'Trigger'
    : step!.type === 'action'
      ? `${piece?.name ?? step!.piece}: ${piece?.actions.find((a) => a.name === step!.action)?.label ?? step!.action}`
      : (builtinInfo(step!.type)?.label ?? step!.type);
  const onPatch = (patch: Record<string, unknown>, coalesce?: string) =>
    useEditorStore.getState().apply((d) => patchStep(d, selection, patch), coalesce ? { coalesce } : undefined);

  return (
    <aside className="side-panel settings-panel" aria-label="Step settings">
      <h2>{title}</h2>
      <NameField
        key={`name-${selection}`}
        id={selection}
        name={(isTrigger ? doc.trigger.name : step?.name) ?? ''}
        placeholder={isTrigger ? (piece?.triggers.find((t) => t.name === doc.trigger.trigger)?.label ?? title) : title}
      />
      <RenameField key={`rename-${selection}`} id={selection} />
      {!isTrigger && (
        <div className="toolbar">
          <button type="button" className="button small" onClick={() => useEditorStore.getState().apply((d) => duplicateStep(d, selection).doc)}>
            Duplicate
          </button>
          <button
            type="button"
            className="button small"
            aria-pressed={step?.disabled === true}
            title="A step that is off is skipped; the steps after it still run."
            onClick={() => onPatch({ disabled: step?.disabled === true ? undefined : true })}
          >
            {step?.disabled === true ? 'Turn on' : 'Turn off'}
          </button>
          <button type="button" className="button small danger" onClick={() => useEditorStore.getState().apply((d) => deleteStep(d, selection))} aria-keyshortcuts="Delete">
            Delete
          </button>
        </div>
      )}
      {step?.disabled === true && (
        <p className="message message-warn" role="status">
          This step is off: runs skip it and go on with the steps after it.
        </p>
      )}
      {/* Keyed by node: the fields' drafts (text being typed) belong to one node. */}
      <div key={`body-${selection}`} className="settings-body">
        {catalogLoading ? (
          <p className="muted" role="status">
            Loading the apps…
          </p>
        ) : isTrigger ? (
          <TriggerForm trigger={doc.trigger} piece={piece} />
        ) : step!.type === 'action' ? (
          <ActionForm step={step!} piece={piece} />
        ) : (
          <BuiltinForm step={step!} onPatch={onPatch} />
        )}
        {step && WITH_BEHAVIOUR.has(step.type) && <BehaviourSettings id={`behaviour-${step.id}`} step={step} onPatch={onPatch} />}
        <StepTestPanel nodeId={selection} />
        <details className="json-details">
          <summary>Show as JSON</summary>
          <pre className="json-view" tabIndex={0} aria-label="The step as JSON">
            {JSON.stringify(isTrigger ? redactSecrets(doc.trigger, piece?.triggers.find((t) => t.name === doc.trigger.trigger)?.props) : step, null, 2)}
          </pre>
        </details>
      </div>
    </aside>
  );
}

/** The trigger with its secret props masked (the JSON view is for reading, not for copying secrets). */
function redactSecrets(trigger: Trigger, props: readonly PropMeta[] | undefined): Trigger {
  const secret = (props ?? []).filter((p) => p.secret && trigger.props?.[p.name] !== undefined);
  if (!secret.length) return trigger;
  const masked = { ...trigger.props };
  for (const p of secret) masked[p.name] = '••••••••';
  return { ...trigger, props: masked };
}

/** The name the canvas shows; typing edits it at once (one undo step per burst of typing). */
function NameField({ id, name, placeholder }: { id: string; name: string; placeholder: string }) {
  return (
    <label className="field">
      <span>Name</span>
      <input
        value={name}
        placeholder={placeholder}
        onChange={(e) => useEditorStore.getState().apply((d) => setNodeName(d, id, e.target.value), { coalesce: `name-${id}` })}
        aria-describedby="name-help"
      />
      <small id="name-help" className="muted">
        Shown on the canvas and in runs; empty shows “{placeholder}”.
      </small>
    </label>
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
