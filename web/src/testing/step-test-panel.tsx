import { useState } from 'react';
import { errorMessage } from '../api/client';
import type { StepRecord } from '../api/types';
import { StatusBadge } from '../components/status-badge';
import type { JsonValue } from '../flow/types';
import { formatDuration } from '../runs/format';
import { JsonView } from '../runs/json-view';
import { useEditorStore } from '../store/editor-store';
import { useSamples, type TestResult } from '../store/samples-store';
import { testStep } from './test-api';
import { canTestStep, resultLabel, resultOf } from './test-run';

/**
 * The settings panel's test section for the selected node: "Test this step" for top-level steps
 * (the draft is saved first; earlier steps' sample data is used), and the node's latest result,
 * from this button or from testing the whole flow: status, duration, error, input and output.
 */
export function StepTestPanel({ nodeId }: { nodeId: string }) {
  const flowId = useEditorStore((s) => s.flowId);
  const testable = useEditorStore((s) => (s.doc ? canTestStep(s.doc, nodeId) : false));
  const isTrigger = useEditorStore((s) => s.doc?.trigger.id === nodeId);
  const result = useSamples((s) => s.results[nodeId]);
  const sample = useSamples((s) => s.samples[nodeId]);
  const [busy, setBusy] = useState<'saving' | 'running' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    if (!flowId || busy) return;
    setError(null);
    const store = useEditorStore.getState();
    if (store.dirty) {
      setBusy('saving');
      if (!(await store.save())) {
        setBusy(null);
        setError(useEditorStore.getState().notice?.text ?? 'The draft could not be saved, so the step was not tested.');
        return;
      }
    }
    setBusy('running');
    try {
      const record: StepRecord = await testStep(flowId, nodeId);
      // Answers for a flow that is no longer open are dropped.
      if (useSamples.getState().flowId === flowId) recordStepResult(nodeId, record);
    } catch (e) {
      setError(`The step could not be tested: ${errorMessage(e)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="step-test" aria-labelledby={`test-${nodeId}-title`}>
      <div className="panel-head">
        <h3 id={`test-${nodeId}-title`}>{isTrigger ? 'Test data' : 'Test'}</h3>
        {testable && (
          <button type="button" className="button small" onClick={() => void run()} disabled={!flowId || busy !== null} aria-describedby={`test-${nodeId}-help`}>
            {busy === 'saving' ? 'Saving…' : busy === 'running' ? 'Testing…' : 'Test this step'}
          </button>
        )}
      </div>
      <p id={`test-${nodeId}-help`} className="muted small-text">
        {isTrigger
          ? 'What the trigger received in the last test. Use “Test” at the top to run the whole flow.'
          : testable
            ? 'Runs only this step, with the data earlier steps produced in the last test. It really acts (sends, creates).'
            : 'Steps inside a loop are tested with the whole flow: use “Test” at the top.'}
      </p>
      <p className="visually-hidden" role="status" aria-live="polite">
        {busy === 'running' ? 'Testing the step…' : result && !busy ? `Last test: ${resultLabel(result.status).text}` : ''}
      </p>
      {error && (
        <div className="message message-error" role="alert">
          <span>{error}</span>
        </div>
      )}
      {result ? <ResultView result={result} /> : sample !== undefined ? <JsonView title="Sample data (last test)" value={sample as JsonValue} open={false} /> : null}
    </section>
  );
}

/**
 * Stores a step test's record: its output becomes the step's sample data (as the server saved it);
 * a step without output (failed) keeps its previous sample and only gets the result.
 */
export function recordStepResult(nodeId: string, record: StepRecord): void {
  const result = resultOf(record);
  if (record.output !== undefined) useSamples.getState().setSample(nodeId, record.output, result);
  else useSamples.setState((s) => ({ results: { ...s.results, [nodeId]: result } }));
}

/** One node's latest test result. */
export function ResultView({ result }: { result: TestResult }) {
  const { tone, text } = resultLabel(result.status);
  return (
    <div className="test-result">
      <p className="test-result-head">
        <StatusBadge tone={tone}>{text}</StatusBadge>
        {result.duration_ms !== undefined && result.duration_ms !== null && result.status !== 'skipped' && (
          <span className="muted small-text"> took {formatDuration(result.duration_ms)}</span>
        )}
      </p>
      {result.error && (
        <div className="message message-error" role="note">
          <span>{result.error.message}</span>
        </div>
      )}
      {result.status !== 'skipped' && (
        <>
          <JsonView title="Input" value={result.input as JsonValue | undefined} open={false} />
          <JsonView title="Output" value={result.output as JsonValue | undefined} />
        </>
      )}
    </div>
  );
}
