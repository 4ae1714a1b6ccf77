import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StepRecord } from '../api/types';
import { useSamples } from '../store/samples-store';
import { recordStepResult } from './step-test-panel';
import { testFlow, testStep } from './test-api';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const record = (status: string) => ({ run_id: 'r1', flow_id: 'f1', status, error: null, steps: { hook: { status: 'succeeded' } } });

afterEach(() => {
  vi.unstubAllGlobals();
  useSamples.getState().clear();
});

describe('test endpoints', () => {
  it('answers the run record at once when the run ended in time', async () => {
    const fetch = vi.fn(async () => json(200, record('succeeded')));
    vi.stubGlobal('fetch', fetch);
    const r = await testFlow('f 1', { sample: 'end-of-call-report' });
    expect(r.status).toBe('succeeded');
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/flows/f%201/test');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ sample: 'end-of-call-report' });
  });

  it('polls the run while it goes on (202), then answers its record', async () => {
    const answers = [json(202, { run_id: 'r1', status: 'running' }), json(200, record('running')), json(200, record('failed'))];
    const fetch = vi.fn(async () => answers.shift()!);
    vi.stubGlobal('fetch', fetch);
    const running = vi.fn();
    const r = await testFlow('f1', { trigger: { a: 1 } }, { pollMs: 1, onRunning: running });
    expect(r.status).toBe('failed');
    expect(running).toHaveBeenCalledWith('r1');
    expect((fetch.mock.calls[1] as unknown as [string])[0]).toBe('/api/v1/runs/r1');
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('follows the run a 504 timeout names, and passes other errors on in plain words', async () => {
    const answers = [json(504, { error: { code: 'timeout', message: 'the flow did not respond in time; run `r9` goes on' } }), json(200, record('succeeded'))];
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!));
    expect((await testFlow('f1', { sample: 'x' }, { pollMs: 1 })).status).toBe('succeeded');

    vi.stubGlobal('fetch', vi.fn(async () => json(400, { error: { code: 'invalid_test', message: 'the trigger `call.x` has no sample for the event `y`' } })));
    await expect(testFlow('f1', { sample: 'y' })).rejects.toThrow('The trigger `call.x` has no sample for the event `y`.');
  });

  it('tests one step with an empty body, or a trigger value', async () => {
    const fetch = vi.fn(async () => json(200, { status: 'succeeded', attempts: 1, started_at: '', duration_ms: 3, output: 1 }));
    vi.stubGlobal('fetch', fetch);
    expect((await testStep('f1', 'clean')).output).toBe(1);
    await testStep('f1', 'clean', { x: 1 });
    const bodies = fetch.mock.calls.map((c) => JSON.parse((c as unknown as [string, RequestInit])[1].body as string));
    expect(bodies).toEqual([{}, { trigger: { x: 1 } }]);
    expect((fetch.mock.calls[0] as unknown as [string])[0]).toBe('/api/v1/flows/f1/steps/clean/test');
  });
});

describe('storing a step test', () => {
  const rec = (extra: Partial<StepRecord>): StepRecord => ({ status: 'succeeded', attempts: 1, started_at: '', duration_ms: 5, ...extra });

  it('a succeeding step’s output becomes its sample; a failed one keeps the previous sample', () => {
    recordStepResult('clean', rec({ output: { a: 1 } }));
    expect(useSamples.getState().samples.clean).toEqual({ a: 1 });
    expect(useSamples.getState().results.clean).toEqual({ status: 'succeeded', output: { a: 1 }, duration_ms: 5 });

    recordStepResult('clean', rec({ status: 'failed', error: { kind: 'http', message: 'refused' } }));
    expect(useSamples.getState().samples.clean).toEqual({ a: 1 });
    expect(useSamples.getState().results.clean).toMatchObject({ status: 'failed', error: { message: 'refused' } });

    recordStepResult('other', rec({ status: 'failed', error: { kind: 'http', message: 'x' } }));
    expect('other' in useSamples.getState().samples).toBe(false);
    expect(useSamples.getState().results.other?.status).toBe('failed');
  });
});
