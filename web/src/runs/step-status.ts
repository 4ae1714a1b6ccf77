// A run record's step statuses mapped onto the canvas nodes (node id = step id, unique across the flow).
//
// The record has each top-level step by id (the trigger included); a loop's record holds its body's
// records per iteration in `iterations` (nested loops nest again). A journal may also key body steps by
// path (`score[2].points`, `outer[0].inner[1].step`): both forms are read, and each record keeps the
// path it was found at, so the details panel can name the iteration.

import type { RunStatus, StepRecord, StepStatus } from '../api/types';
import { allIds } from '../flow/model';
import type { FlowDocument } from '../flow/types';

/** What a node shows: a step's status, or `not_reached` when the run has no record of it (yet). */
export type NodeRunStatus = StepStatus | 'not_reached';

/** One record of a step: at the top level once, inside a loop once per iteration. */
export interface StepEntry {
  /** `clean`, or `score[2].points` inside a loop (0-based iteration). */
  path: string;
  record: StepRecord;
}

export interface NodeRun {
  status: NodeRunStatus;
  /** Every record of the step, in iteration order. */
  entries: StepEntry[];
  /** How many records have each status (for steps inside loops). */
  counts: Record<StepStatus, number>;
}

const PRECEDENCE: readonly StepStatus[] = ['failed', 'paused', 'succeeded', 'skipped'];

function emptyCounts(): Record<StepStatus, number> {
  return { succeeded: 0, failed: 0, skipped: 0, paused: 0 };
}

/** The last segment of a record path: `score[2].points` → `points`; `score` → `score`. */
export function stepIdOfPath(path: string): string {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const bracket = last.indexOf('[');
  return bracket === -1 ? last : last.slice(0, bracket);
}

/** Every record in a run's `steps`, with its path, loop iterations walked depth first. */
export function flattenRecords(steps: Readonly<Record<string, StepRecord>>): StepEntry[] {
  const out: StepEntry[] = [];
  const walk = (records: Readonly<Record<string, StepRecord>>, prefix: string) => {
    for (const [key, record] of Object.entries(records)) {
      const path = prefix + key;
      out.push({ path, record });
      record.iterations?.forEach((iteration, i) => walk(iteration, `${path}[${i}].`));
    }
  };
  walk(steps, '');
  return out;
}

/** Compares record paths so iterations come in item order (`a[2]` before `a[10]`). */
function comparePaths(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The run status of every node of `doc`: the aggregate over a step's records (any failed → failed,
 * then paused, then succeeded, and skipped only when every record is skipped); `not_reached` for a
 * step with no record. Records of ids the document does not have (an older version) are ignored.
 */
export function nodeRunStatuses(doc: FlowDocument, steps: Readonly<Record<string, StepRecord>>): Map<string, NodeRun> {
  const ids = allIds(doc);
  const out = new Map<string, NodeRun>();
  for (const id of ids) out.set(id, { status: 'not_reached', entries: [], counts: emptyCounts() });
  const seen = new Set<string>();
  for (const entry of flattenRecords(steps)) {
    // The same path may appear nested and flat; the first one found wins.
    if (seen.has(entry.path)) continue;
    seen.add(entry.path);
    const node = out.get(stepIdOfPath(entry.path));
    if (!node) continue;
    node.entries.push(entry);
    node.counts[entry.record.status] += 1;
  }
  for (const node of out.values()) {
    if (node.entries.length === 0) continue;
    node.entries.sort((a, b) => comparePaths(a.path, b.path));
    node.status = PRECEDENCE.find((s) => node.counts[s] > 0) ?? 'not_reached';
  }
  return out;
}

/** The words for a node's status; "not reached" reads "not run yet" while the run goes on. */
export function nodeStatusLabel(status: NodeRunStatus, runStatus?: RunStatus): string {
  switch (status) {
    case 'succeeded':
      return 'Succeeded';
    case 'failed':
      return 'Failed';
    case 'skipped':
      return 'Skipped';
    case 'paused':
      return 'Paused';
    case 'not_reached':
      return runStatus === 'queued' || runStatus === 'running' ? 'Not run yet' : 'Not reached';
  }
}

/** A short summary of a step's records inside a loop: `3 runs: 2 succeeded, 1 failed`. */
export function iterationSummary(node: NodeRun): string | null {
  if (node.entries.length <= 1 && !node.entries.some((e) => e.path.includes('['))) return null;
  const n = node.entries.length;
  const parts = PRECEDENCE.filter((s) => node.counts[s] > 0).map((s) => `${node.counts[s]} ${s}`);
  return `${n} run${n === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** The node to show first on a run's page: the step that failed the run, else the first failed one. */
export function firstProblemNode(
  statuses: ReadonlyMap<string, NodeRun>,
  runError: { step?: string } | null | undefined,
): string | null {
  if (runError?.step) {
    const id = stepIdOfPath(runError.step);
    if (statuses.has(id)) return id;
  }
  for (const [id, node] of statuses) if (node.status === 'failed') return id;
  for (const [id, node] of statuses) if (node.status === 'paused') return id;
  return null;
}
