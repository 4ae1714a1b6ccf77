// The HTTP client: fetch on the same origin (the session cookie goes along), JSON in and out, and
// every failure turned into an `ApiError` whose `message` can be shown to the user as is.

import type { Problem } from './types';

export class ApiError extends Error {
  /** The HTTP status (0 when the server could not be reached). */
  readonly status: number;
  /** The API's stable code (`flow_not_found`, `invalid_flow`, …), or a client-side one. */
  readonly code: string;
  /** For `invalid_flow`: the JSON path of the first problem. */
  readonly path?: string;
  /** For `invalid_flow`: every problem found. */
  readonly problems: Problem[];

  constructor(status: number, code: string, message: string, path?: string, problems: Problem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.path = path;
    this.problems = problems;
  }
}

/** Called on every 401, so the app can go back to the sign-in page. */
let onUnauthenticated: (() => void) | undefined;
export function setUnauthenticatedHandler(handler: (() => void) | undefined): void {
  onUnauthenticated = handler;
}

// Plain-words fallbacks for answers that carry no JSON error (proxies, body limits, the network).
function fallbackMessage(status: number): string {
  if (status === 401) return 'You are signed out. Sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'It does not exist (any more).';
  if (status === 413) return 'That is too large for the server to accept.';
  if (status === 502 || status === 503 || status === 504) return 'The server is not answering right now. Try again in a moment.';
  if (status >= 500) return 'Something went wrong on the server. Try again, and check the server log if it keeps happening.';
  return `The server refused the request (status ${status}).`;
}

/** Capitalised, with a full stop: the API's messages are lower-case phrases. */
function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const s = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; path?: string; problems?: Problem[] } };
    if (body.error && typeof body.error.message === 'string') {
      return new ApiError(
        response.status,
        body.error.code ?? 'error',
        sentence(body.error.message),
        body.error.path,
        body.error.problems ?? [],
      );
    }
  } catch {
    // Not JSON: some rejections (bad JSON, wrong content type) answer in plain text.
  }
  const plain = text && text.length < 300 && !text.trimStart().startsWith('<') ? sentence(text) : fallbackMessage(response.status);
  return new ApiError(response.status, `http_${response.status}`, plain);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** A value sent as JSON, or a string sent as is (already JSON, e.g. an imported file). */
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

export function url(path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** One API call; resolves to the parsed JSON body (`undefined` for 204), rejects with `ApiError`. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'Cannot reach the Switchboard server. Check that it is running and your connection works.');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && onUnauthenticated) onUnauthenticated();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A message for any thrown value, for showing to the user. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return sentence(e.message);
  return 'Something went wrong.';
}
