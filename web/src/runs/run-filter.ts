// The runs list's filters: what the user picks (status, flow, a date range in their own time zone),
// the page address that keeps them (`/runs?status=failed&from=2024-05-01`), and the API query.

import type { RunStatus } from '../api/types';

export const RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'paused', 'running', 'queued', 'cancelled'];

export interface RunFilter {
  status?: RunStatus;
  flowId?: string;
  /** First day, `YYYY-MM-DD`, from its local midnight. */
  from?: string;
  /** Last day, `YYYY-MM-DD`, to its end (inclusive). */
  to?: string;
}

/** The API's query for a filter (`GET /api/v1/runs`): `since`/`until` are RFC 3339 instants. */
export interface RunQuery {
  flow_id?: string;
  status?: RunStatus;
  since?: string;
  until?: string;
}

/** Local midnight at the start of `YYYY-MM-DD`, or null when it is not a real date. */
export function localDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  // `new Date(2024, 1, 31)` rolls over to March: not a real day.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

/** Why a filter cannot be used, in plain words, or null when it can. */
export function filterProblem(filter: RunFilter): string | null {
  if (filter.from && !localDay(filter.from)) return 'The start date is not a valid date.';
  if (filter.to && !localDay(filter.to)) return 'The end date is not a valid date.';
  if (filter.from && filter.to && filter.from > filter.to) return 'The start date is after the end date.';
  return null;
}

/** The API query: the end day is included (runs before the next day's midnight). */
export function filterToQuery(filter: RunFilter): RunQuery {
  const q: RunQuery = {};
  if (filter.flowId) q.flow_id = filter.flowId;
  if (filter.status) q.status = filter.status;
  const from = filter.from ? localDay(filter.from) : null;
  if (from) q.since = from.toISOString();
  const to = filter.to ? localDay(filter.to) : null;
  if (to) q.until = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1).toISOString();
  return q;
}

/** The page address's query string for a filter (`?status=failed&flow=…`), empty for no filter. */
export function filterToSearch(filter: RunFilter, options: { includeFlow?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.flowId && options.includeFlow !== false) params.set('flow', filter.flowId);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** A filter from a page address's query string; unknown statuses and malformed days are dropped. */
export function filterFromSearch(search: string): RunFilter {
  const params = new URLSearchParams(search);
  const filter: RunFilter = {};
  const status = params.get('status');
  if (status && (RUN_STATUSES as readonly string[]).includes(status)) filter.status = status as RunStatus;
  const flow = params.get('flow');
  if (flow) filter.flowId = flow;
  const from = params.get('from');
  if (from && localDay(from)) filter.from = from;
  const to = params.get('to');
  if (to && localDay(to)) filter.to = to;
  return filter;
}
