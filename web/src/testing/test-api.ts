// The test endpoints (server/src/api/flow_test.rs): test-run the draft, test one step.

import * as api from '../api/api';
import { ApiError, request } from '../api/client';
import type { RunRecord, StepRecord } from '../api/types';
import type { JsonValue } from '../flow/types';
import { runIdFromTimeout, type FlowTestBody } from './test-run';

const V1 = '/api/v1';
const enc = encodeURIComponent;

/** The answer while the run goes on (202). */
interface StillRunning {
  run_id: string;
  status: 'running' | 'queued';
}

function isRecord(x: RunRecord | StillRunning): x is RunRecord {
  return 'steps' in x && x.steps !== undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the draft with the body and resolves to the run record once it ended or paused. A run that
 * outlasts the server's wait (202, or a 504 `timeout` naming the run) is polled until it ends.
 */
export async function testFlow(
  flowId: string,
  body: FlowTestBody,
  options: { pollMs?: number; maxPolls?: number; onRunning?: (runId: string) => void } = {},
): Promise<RunRecord> {
  const { pollMs = 1500, maxPolls = 200, onRunning } = options;
  let runId: string;
  try {
    const answer = await request<RunRecord | StillRunning>(`${V1}/flows/${enc(flowId)}/test`, { method: 'POST', body });
    if (isRecord(answer)) return answer;
    runId = answer.run_id;
  } catch (e) {
    const id = e instanceof ApiError && e.code === 'timeout' ? runIdFromTimeout(e.message) : null;
    if (!id) throw e;
    runId = id;
  }
  onRunning?.(runId);
  for (let i = 0; i < maxPolls; i++) {
    await sleep(pollMs);
    const record = await api.runs.get(runId);
    if (record.status !== 'running' && record.status !== 'queued') return record;
  }
  throw new Error(`The test run is still going after a long time. Follow it on its run page (run ${runId}).`);
}

/** Runs one top-level step of the draft alone with the flow's sample data. */
export function testStep(flowId: string, stepId: string, trigger?: JsonValue): Promise<StepRecord> {
  return request<StepRecord>(`${V1}/flows/${enc(flowId)}/steps/${enc(stepId)}/test`, {
    method: 'POST',
    body: trigger === undefined ? {} : { trigger },
  });
}
