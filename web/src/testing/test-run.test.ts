import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRecord, TriggerMeta } from '../api/types';
import { leadRouter } from '../test/fixtures';
import { canTestStep, describeRun, initialChoice, jsonChoice, resultOf, runIdFromTimeout, runToSamples, testBody } from './test-run';

const rec = (status: StepRecord['status'], extra: Partial<StepRecord> = {}): StepRecord => ({
  status,
  attempts: 1,
  started_at: '2024-05-01T10:00:00Z',
  duration_ms: 12,
  ...extra,
});

const callTrigger: TriggerMeta = {
  name: 'call_event',
  label: 'Vapi call event',
  description: '',
  props: [],
  sample_output: { type: 'fallback' },
  samples: [
    { event: 'end-of-call-report', label: 'End of call report', payload: {}, output: { call: { status: 'ended' } } },
    { event: 'tool-calls', label: 'Tool call', payload: {}, output: { tool: { name: 'lookup' } } },
  ],
};
const hookTrigger: TriggerMeta = { name: 'catch', label: 'Webhook', description: '', props: [], sample_output: { body: { name: 'Ada' } } };

describe('mapping a test run into samples and results', () => {
  const record: Pick<RunRecord, 'steps'> = {
    steps: {
      hook: rec('succeeded', { output: { body: { phone: '+49' } } }),
      clean: rec('succeeded', { input: { phone: '+49' }, output: { phone: '+49 1' }, duration_ms: 7 }),
      score: rec('succeeded', {
        output: [{ points: 3 }],
        iterations: [{ points: rec('succeeded', { output: 3 }) }, { points: rec('failed', { error: { kind: 'other', message: 'no weight' } }) }],
      }),
      total: rec('failed', { input: { x: 1 }, error: { kind: 'expression', message: 'bad sum' } }),
      hot: rec('skipped', { reason: 'branch not taken' }),
      unknown_old_step: rec('succeeded', { output: 1 }),
    },
  };
  const { samples, results } = runToSamples(leadRouter(), record);

  it('keeps every top-level output as sample data, the trigger’s included', () => {
    expect(samples).toEqual({
      hook: { body: { phone: '+49' } },
      clean: { phone: '+49 1' },
      score: [{ points: 3 }],
      unknown_old_step: 1,
    });
    expect(samples).not.toHaveProperty('total');
    expect(samples).not.toHaveProperty('hot');
  });

  it('records a result per reached node: trigger, failed, skipped, loop body steps', () => {
    expect(results.hook).toMatchObject({ status: 'succeeded', output: { body: { phone: '+49' } } });
    expect(results.clean).toEqual({ status: 'succeeded', input: { phone: '+49' }, output: { phone: '+49 1' }, duration_ms: 7 });
    expect(results.total).toMatchObject({ status: 'failed', error: { message: 'bad sum', kind: 'expression' } });
    expect(results.hot).toMatchObject({ status: 'skipped' });
    // A body step: any failed iteration makes it failed; the latest iteration's record is shown.
    expect(results.points).toMatchObject({ status: 'failed', error: { message: 'no weight' } });
    // Not reached, and ids the document does not have: no result.
    expect(results).not.toHaveProperty('warm');
    expect(results).not.toHaveProperty('answer');
    expect(results).not.toHaveProperty('unknown_old_step');
  });

  it('maps one step record (step test) without inventing fields', () => {
    expect(resultOf(rec('succeeded', { output: null }))).toEqual({ status: 'succeeded', output: null, duration_ms: 12 });
    expect(resultOf(rec('failed', { error: { kind: 'http', message: 'HubSpot said 401', status: 401 } }))).toEqual({
      status: 'failed',
      error: { kind: 'http', message: 'HubSpot said 401' },
      duration_ms: 12,
    });
  });
});

describe('the test dialog’s choice of sample', () => {
  it('offers a call trigger’s first sample event, sent by event name', () => {
    const choice = initialChoice(callTrigger, undefined);
    expect(choice).toEqual({ kind: 'sample', event: 'end-of-call-report' });
    expect(testBody(choice, callTrigger)).toEqual({ body: { sample: 'end-of-call-report' } });
    expect(testBody({ kind: 'sample', event: 'tool-calls' }, callTrigger)).toEqual({ body: { sample: 'tool-calls' } });
  });

  it('comes back to what was last tested: the same sample event, or the same own data', () => {
    expect(initialChoice(callTrigger, { tool: { name: 'lookup' } })).toEqual({ kind: 'sample', event: 'tool-calls' });
    // A template's hand-made sample (or JSON typed before) is offered as own data.
    const own = { call: { extracted: { interested: true } } };
    expect(initialChoice(callTrigger, own)).toEqual({ kind: 'json', text: JSON.stringify(own, null, 2) });
  });

  it('refuses an event the trigger does not have, and no event', () => {
    expect(testBody({ kind: 'sample', event: 'nope' }, callTrigger)).toEqual({ error: expect.stringContaining('no sample event “nope”') });
    expect(testBody({ kind: 'sample', event: '' }, callTrigger)).toEqual({ error: 'Choose a sample event to test with.' });
  });

  it('prefills other triggers with the last tested trigger value, else the documented sample', () => {
    expect(initialChoice(hookTrigger, { body: { name: 'Last' } })).toEqual({ kind: 'json', text: JSON.stringify({ body: { name: 'Last' } }, null, 2) });
    expect(initialChoice(hookTrigger, undefined)).toEqual({ kind: 'json', text: JSON.stringify({ body: { name: 'Ada' } }, null, 2) });
    expect(initialChoice(undefined, undefined)).toEqual({ kind: 'json', text: '{}' });
    // A call trigger's "own data" switch uses the same prefill.
    expect(jsonChoice(callTrigger, undefined)).toEqual({ kind: 'json', text: JSON.stringify({ type: 'fallback' }, null, 2) });
    // A tested trigger value of null is still a value.
    expect(initialChoice(hookTrigger, null)).toEqual({ kind: 'json', text: 'null' });
  });

  it('sends the parsed JSON value as `trigger`', () => {
    expect(testBody({ kind: 'json', text: ' {"a": [1, 2]} ' })).toEqual({ body: { trigger: { a: [1, 2] } } });
    expect(testBody({ kind: 'json', text: '42' })).toEqual({ body: { trigger: 42 } });
  });

  it('reports JSON parse errors and empty input in plain words', () => {
    const bad = testBody({ kind: 'json', text: '{"a": 1,}' });
    expect(bad).toHaveProperty('error');
    expect((bad as { error: string }).error).toMatch(/^The trigger value is not valid JSON/);
    expect(testBody({ kind: 'json', text: '   ' })).toEqual({ error: expect.stringContaining('Enter the trigger value as JSON') });
  });
});

describe('run outcome and helpers', () => {
  it('says how the run ended, naming the failed step', () => {
    expect(describeRun({ status: 'succeeded', error: null }).tone).toBe('good');
    const failed = describeRun({ status: 'failed', error: { step: 'total', message: 'bad sum' } });
    expect(failed).toEqual({ tone: 'bad', text: 'The test run failed at the step “total”: bad sum.' });
    expect(describeRun({ status: 'paused', error: null }).tone).toBe('warn');
  });

  it('finds the run id in the server’s timeout message', () => {
    expect(runIdFromTimeout('The flow did not respond in time; run `r-123` goes on.')).toBe('r-123');
    expect(runIdFromTimeout('Something else.')).toBeNull();
  });

  it('tests only top-level steps alone', () => {
    const doc = leadRouter();
    expect(canTestStep(doc, 'clean')).toBe(true);
    expect(canTestStep(doc, 'score')).toBe(true);
    expect(canTestStep(doc, 'points')).toBe(false); // inside the loop
    expect(canTestStep(doc, 'hook')).toBe(false); // the trigger
    expect(canTestStep(doc, 'nope')).toBe(false);
  });
});
