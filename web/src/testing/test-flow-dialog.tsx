import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import type { RunRecord, TriggerMeta } from '../api/types';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status-badge';
import { RunStatusBadge } from '../runs/run-status-badge';
import { useCatalog } from '../store/catalog-store';
import { useEditorStore } from '../store/editor-store';
import { useSamples } from '../store/samples-store';
import { testFlow } from './test-api';
import { describeRun, hasSampleEvents, initialChoice, jsonChoice, runToSamples, testBody, type TestChoice } from './test-run';

type Phase = { kind: 'idle' } | { kind: 'saving' } | { kind: 'running'; runId?: string } | { kind: 'done'; record: RunRecord };

/**
 * "Test the flow": choose what the trigger receives (a call platform's sample event, or a value as
 * JSON), save the draft when it has changes, run it, and show the outcome. Each step's result is
 * then shown on the canvas and its output becomes sample data for the data picker.
 */
export function TestFlowDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const flowId = useEditorStore((s) => s.flowId);
  const doc = useEditorStore((s) => s.doc);
  const pieces = useCatalog((s) => s.pieces);
  const triggerId = doc?.trigger.id ?? '';
  const lastTrigger = useSamples((s) => s.samples[triggerId]);
  const meta: TriggerMeta | undefined = pieces?.find((p) => p.id === doc?.trigger.piece)?.triggers.find((t) => t.name === doc?.trigger.trigger);
  const [choice, setChoice] = useState<TestChoice>(() => initialChoice(meta, lastTrigger));
  const [error, setError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const live = useRef(true);
  // The catalog may arrive after the dialog opened: the untouched choice follows it.
  const touched = useRef(false);
  useEffect(() => {
    if (!touched.current) setChoice(initialChoice(meta, lastTrigger));
  }, [meta]);

  useEffect(() => {
    live.current = true;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      live.current = false;
      dialog?.close();
    };
  }, []);

  const busy = phase.kind === 'saving' || phase.kind === 'running';
  // Closing while the run goes on is fine (its results still land on the canvas); not mid-save.
  const closable = phase.kind !== 'saving';
  const pick = (next: TestChoice) => {
    touched.current = true;
    setChoice(next);
    setError(null);
  };

  const run = async () => {
    const built = testBody(choice, meta);
    if ('error' in built) {
      setError(built.error);
      return;
    }
    setError(null);
    const store = useEditorStore.getState();
    if (!flowId) return;
    if (store.dirty) {
      setPhase({ kind: 'saving' });
      if (!(await store.save())) {
        if (!live.current) return;
        setPhase({ kind: 'idle' });
        setError(useEditorStore.getState().notice?.text ?? 'The draft could not be saved, so it was not tested.');
        return;
      }
    }
    // What the server runs: the draft as last saved.
    const tested = useEditorStore.getState().saved ?? useEditorStore.getState().doc;
    setPhase({ kind: 'running' });
    try {
      const record = await testFlow(flowId, built.body, { onRunning: (runId) => live.current && setPhase({ kind: 'running', runId }) });
      if (tested && useSamples.getState().flowId === flowId) {
        const { samples, results } = runToSamples(tested, record);
        useSamples.getState().setRun(samples, results);
      }
      if (live.current) setPhase({ kind: 'done', record });
    } catch (e) {
      if (!live.current) return;
      setPhase({ kind: 'idle' });
      setError(`The test could not run: ${errorMessage(e)}`);
    }
  };

  const outcome = phase.kind === 'done' ? describeRun(phase.record) : null;
  const sampleId = 'test-sample';
  const jsonId = 'test-json';
  return (
    <dialog
      ref={ref}
      className="dialog test-dialog"
      aria-labelledby="test-title"
      aria-busy={busy}
      onCancel={(e) => {
        e.preventDefault();
        if (closable) onClose();
      }}
    >
      <div className="panel-head">
        <h2 id="test-title">Test the flow</h2>
        <button type="button" className="button small ghost" onClick={onClose} aria-label="Close" disabled={!closable}>
          ×
        </button>
      </div>
      <p className="muted small-text">
        Runs the draft once, as if the trigger had received the data below. Steps really act: messages are sent and records are created.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void run();
        }}
        noValidate
      >
        {hasSampleEvents(meta) && (
          <fieldset className="form-field test-source">
            <legend className="field-label">Test with</legend>
            <label className="radio-row">
              <input
                type="radio"
                name="test-source"
                checked={choice.kind === 'sample'}
                onChange={() => pick(initialChoice(meta, undefined))}
                disabled={busy}
              />{' '}
              A sample event from {meta?.label ?? 'the platform'}
            </label>
            <label className="radio-row">
              <input
                type="radio"
                name="test-source"
                checked={choice.kind === 'json'}
                onChange={() => pick(jsonChoice(meta, lastTrigger))}
                disabled={busy}
              />{' '}
              My own data (JSON)
            </label>
          </fieldset>
        )}
        {choice.kind === 'sample' && meta?.samples ? (
          <div className="form-field">
            <label className="field-label" htmlFor={sampleId}>
              Sample event
            </label>
            <select id={sampleId} value={choice.event} onChange={(e) => pick({ kind: 'sample', event: e.target.value })} disabled={busy}>
              {meta.samples.map((s) => (
                <option key={s.event} value={s.event}>
                  {s.label}
                </option>
              ))}
            </select>
            <small className="field-help muted">What {meta.label} sends; the flow receives it exactly as from the platform.</small>
          </div>
        ) : (
          <div className="form-field">
            <label className="field-label" htmlFor={jsonId}>
              What the trigger receives (JSON)
            </label>
            <textarea
              id={jsonId}
              className="code-input"
              rows={10}
              spellCheck={false}
              value={choice.kind === 'json' ? choice.text : ''}
              onChange={(e) => pick({ kind: 'json', text: e.target.value })}
              aria-invalid={error ? true : undefined}
              aria-describedby={`${jsonId}-help`}
              disabled={busy}
            />
            <small id={`${jsonId}-help`} className="field-help muted">
              Prefilled with the last test’s data or the trigger’s example. Steps read it as trigger.…
            </small>
          </div>
        )}
        {error && (
          <div className="message message-error" role="alert">
            <span>{error}</span>
          </div>
        )}
        <p className="muted small-text" role="status" aria-live="polite">
          {phase.kind === 'saving' ? 'Saving the draft…' : phase.kind === 'running' ? 'Running the test… this can take a few seconds.' : ''}
        </p>
        {phase.kind === 'done' && outcome && (
          <div className={`test-outcome message ${outcome.tone === 'bad' ? 'message-error' : 'message-info'}`} role={outcome.tone === 'bad' ? 'alert' : 'status'}>
            <span>
              <RunStatusBadge status={phase.record.status} /> {outcome.text}
            </span>
            <Link href={`/runs/${encodeURIComponent(phase.record.run_id)}`} className="button small">
              See the full run
            </Link>
          </div>
        )}
        {phase.kind === 'running' && phase.runId && (
          <p className="small-text">
            <StatusBadge tone="neutral">Running</StatusBadge>{' '}
            <Link href={`/runs/${encodeURIComponent(phase.runId)}`}>Follow it on its run page</Link>
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={!closable}>
            {phase.kind === 'done' || phase.kind === 'running' ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" className="button primary" disabled={busy || !flowId}>
            {busy ? 'Testing…' : phase.kind === 'done' ? 'Test again' : 'Run the test'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The header's "Test" button and its dialog. */
export function TestFlowButton({ disabled }: { disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} disabled={disabled} title="Run the draft once with sample data">
        Test
      </button>
      {open && <TestFlowDialog onClose={() => setOpen(false)} />}
    </>
  );
}
