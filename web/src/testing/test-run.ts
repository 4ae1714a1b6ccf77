// Testing a flow or one step from the editor: what to send (a call platform's sample event or a
// trigger value typed as JSON), and how the answer (a run record, or one step's record) becomes the
// editor's sample data and the inline results on the canvas. Pure; the calls are in ./test-api.ts.

import type { RunRecord, RunStatus, StepRecord, TriggerMeta } from '../api/types';
import { runStatusLabel } from '../runs/run-status-badge';
import { nodeRunStatuses } from '../runs/step-status';
import type { FlowDocument, JsonValue } from '../flow/types';
import type { TestResult } from '../store/samples-store';

/** What `POST /api/v1/flows/{id}/test` takes: exactly one of the two. */
export type FlowTestBody = { sample: string } | { trigger: JsonValue };

/** The dialog's choice: one of the trigger's sample events, or a value typed as JSON. */
export type TestChoice = { kind: 'sample'; event: string } | { kind: 'json'; text: string };

/** Whether the trigger offers sample deliveries to choose from (call platforms). */
export function hasSampleEvents(meta: Pick<TriggerMeta, 'samples'> | undefined): boolean {
  return (meta?.samples?.length ?? 0) > 0;
}

/**
 * The choice the dialog starts with: the first sample event for call-platform triggers; otherwise
 * the trigger value as JSON, from the last test's trigger sample, else the trigger's documented
 * sample output, else an empty object.
 */
export function initialChoice(meta: Pick<TriggerMeta, 'samples' | 'sample_output'> | undefined, lastTriggerSample: unknown): TestChoice {
  const samples = meta?.samples ?? [];
  if (lastTriggerSample !== undefined && samples.length > 0) {
    // The sample event last tested with (or a template's), else the user's own data from last time
    // (a template's hand-made sample, or JSON typed before).
    const last = JSON.stringify(lastTriggerSample);
    const same = samples.find((s) => s.output !== undefined && JSON.stringify(s.output) === last);
    return same ? { kind: 'sample', event: same.event } : jsonChoice(meta, lastTriggerSample);
  }
  const first = samples[0];
  if (first) return { kind: 'sample', event: first.event };
  return jsonChoice(meta, lastTriggerSample);
}

/** A JSON choice prefilled with the last tested trigger value, else the trigger's sample output. */
export function jsonChoice(meta: Pick<TriggerMeta, 'sample_output'> | undefined, lastTriggerSample: unknown): TestChoice {
  const value = lastTriggerSample !== undefined ? lastTriggerSample : meta?.sample_output !== undefined ? meta.sample_output : {};
  return { kind: 'json', text: JSON.stringify(value, null, 2) };
}

/** The request body for a choice, or the reason it cannot be sent (in plain words). */
export function testBody(choice: TestChoice, meta?: Pick<TriggerMeta, 'samples'>): { body: FlowTestBody } | { error: string } {
  if (choice.kind === 'sample') {
    if (!choice.event) return { error: 'Choose a sample event to test with.' };
    if (meta?.samples && !meta.samples.some((s) => s.event === choice.event)) {
      return { error: `The trigger has no sample event “${choice.event}”. Choose another one.` };
    }
    return { body: { sample: choice.event } };
  }
  const text = choice.text.trim();
  if (!text) return { error: 'Enter the trigger value as JSON, for example {"name": "Ada"}.' };
  try {
    return { body: { trigger: JSON.parse(text) as JsonValue } };
  } catch (e) {
    const detail = e instanceof Error ? e.message : '';
    return { error: `The trigger value is not valid JSON${detail ? ` (${detail})` : ''}. Check quotes, commas and brackets.` };
  }
}

/** One step record as the inline result the canvas and the settings panel show. */
export function resultOf(record: StepRecord): TestResult {
  const result: TestResult = { status: record.status };
  if (record.input !== undefined) result.input = record.input;
  if (record.output !== undefined) result.output = record.output;
  if (record.error) result.error = { message: record.error.message, kind: record.error.kind };
  if (record.duration_ms !== undefined) result.duration_ms = record.duration_ms;
  return result;
}

/**
 * A test run's record as sample data and results by node id. Samples: the output of every top-level
 * record that has one (the trigger's included), as the server stores them. Results: every node of
 * the document the run reached, loop body steps included (their latest iteration's record, with the
 * aggregate status: any failed iteration makes the step failed). Skipped steps get a result (no
 * sample); steps the run did not reach get neither.
 */
export function runToSamples(
  doc: FlowDocument,
  record: Pick<RunRecord, 'steps'>,
): { samples: Record<string, unknown>; results: Record<string, TestResult> } {
  const samples: Record<string, unknown> = {};
  for (const [id, step] of Object.entries(record.steps ?? {})) {
    if (step.output !== undefined && step.status !== 'skipped') samples[id] = step.output;
  }
  const results: Record<string, TestResult> = {};
  for (const [id, node] of nodeRunStatuses(doc, record.steps ?? {})) {
    const last = node.entries[node.entries.length - 1];
    if (!last || node.status === 'not_reached') continue;
    results[id] = { ...resultOf(last.record), status: node.status };
  }
  return { samples, results };
}

/** The run's outcome in plain words, for the dialog. */
export function describeRun(record: Pick<RunRecord, 'status' | 'error'>): { tone: 'good' | 'bad' | 'warn' | 'neutral'; text: string } {
  const status: RunStatus = record.status;
  switch (status) {
    case 'succeeded':
      return { tone: 'good', text: 'The test run succeeded. Each step’s result is shown on the canvas; select a step to see its data.' };
    case 'failed': {
      const where = record.error?.step ? ` at the step “${record.error.step}”` : '';
      return { tone: 'bad', text: `The test run failed${where}: ${record.error?.message ?? 'no reason was given'}.` };
    }
    case 'paused':
      return { tone: 'warn', text: 'The test run is paused: a step waits (a delay, or a wait for a resume). See the full run for when it goes on.' };
    case 'cancelled':
      return { tone: 'neutral', text: 'The test run was cancelled.' };
    default:
      return { tone: 'neutral', text: `The test run is ${runStatusLabel(status).toLowerCase()}…` };
  }
}

/** The run id in the server's "did not respond in time; run `…` goes on" timeout message. */
export function runIdFromTimeout(message: string): string | null {
  return /run `([^`]+)`/.exec(message)?.[1] ?? null;
}

/** Whether "Test this step" works for a node: top-level steps only (not the trigger, not inside a loop). */
export function canTestStep(doc: FlowDocument, id: string): boolean {
  if (id === doc.trigger.id) return false;
  return doc.steps.some((s) => s.id === id);
}

/** The words and tone of a node's result status. */
export function resultLabel(status: string): { tone: 'good' | 'bad' | 'warn' | 'neutral'; text: string } {
  switch (status) {
    case 'succeeded':
      return { tone: 'good', text: 'Succeeded' };
    case 'failed':
      return { tone: 'bad', text: 'Failed' };
    case 'skipped':
      return { tone: 'neutral', text: 'Skipped' };
    case 'paused':
      return { tone: 'warn', text: 'Paused' };
    default:
      return { tone: 'neutral', text: status };
  }
}
