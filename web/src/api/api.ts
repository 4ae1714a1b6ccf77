// The typed endpoints the editor uses. Paths and shapes: server/src/api/{auth,flows,pieces,runs}.rs.

import type { FlowDocument } from '../flow/types';
import { request } from './client';
import type {
  AuthStatus,
  FlowDetail,
  FlowListItem,
  FlowVersion,
  FlowWithDraft,
  Me,
  Piece,
  Published,
  RunList,
  RunRecord,
  RunStatus,
  User,
  VersionSummary,
} from './types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

export const auth = {
  status: () => request<AuthStatus>(`${V1}/auth/status`),
  /** First start only: creates the owner account and signs it in. */
  setup: (email: string, password: string) =>
    request<{ user: User }>(`${V1}/auth/setup`, { method: 'POST', body: { email, password } }),
  login: (email: string, password: string) =>
    request<{ user: User }>(`${V1}/auth/login`, { method: 'POST', body: { email, password } }),
  logout: () => request<void>(`${V1}/auth/logout`, { method: 'POST' }),
  me: () => request<Me>(`${V1}/auth/me`),
};

export const flows = {
  list: (filter: { search?: string; folder?: string } = {}) =>
    request<{ flows: FlowListItem[] }>(`${V1}/flows`, { query: filter }).then((r) => r.flows),
  create: (doc: FlowDocument, folder?: string) =>
    request<FlowDetail>(`${V1}/flows`, { method: 'POST', body: doc, query: { folder } }),
  get: (id: string) => request<FlowDetail>(`${V1}/flows/${enc(id)}`),
  /** Replaces the draft; `folder` moves the flow ('' takes it out of any folder). */
  update: (id: string, doc: FlowDocument, folder?: string) =>
    request<FlowDetail>(`${V1}/flows/${enc(id)}`, { method: 'PUT', body: doc, query: { folder } }),
  remove: (id: string) => request<void>(`${V1}/flows/${enc(id)}`, { method: 'DELETE' }),
  publish: (id: string) => request<Published>(`${V1}/flows/${enc(id)}/publish`, { method: 'POST' }),
  enable: (id: string) => request<FlowWithDraft>(`${V1}/flows/${enc(id)}/enable`, { method: 'POST' }),
  disable: (id: string) => request<FlowWithDraft>(`${V1}/flows/${enc(id)}/disable`, { method: 'POST' }),
  versions: (id: string) =>
    request<{ versions: VersionSummary[] }>(`${V1}/flows/${enc(id)}/versions`).then((r) => r.versions),
  version: (id: string, version: number) => request<FlowVersion>(`${V1}/flows/${enc(id)}/versions/${version}`),
  /** The draft document, as a download would give it. */
  exportDocument: (id: string) => request<FlowDocument>(`${V1}/flows/${enc(id)}/export`),
  /** A document (an object, or a file's text sent as is so errors keep its lines) as a new flow. */
  importDocument: (doc: FlowDocument | string, folder?: string) =>
    request<FlowDetail>(`${V1}/flows/import`, { method: 'POST', body: doc, query: { folder } }),
  samples: (id: string) =>
    request<{ samples: Record<string, unknown> }>(`${V1}/flows/${enc(id)}/samples`).then((r) => r.samples),
};

export const pieces = {
  list: () => request<{ pieces: Piece[] }>(`${V1}/pieces`).then((r) => r.pieces),
};

export const runs = {
  list: (
    filter: { flow_id?: string; status?: RunStatus; since?: string; until?: string; limit?: number; cursor?: string } = {},
  ) => request<RunList>(`${V1}/runs`, { query: filter }),
  get: (id: string) => request<RunRecord>(`${V1}/runs/${enc(id)}`),
};

// ---- Step settings panel: connections, dynamic select options, OAuth2 start ----
// (server/src/api/connections.rs, server/src/api/pieces.rs, server/src/oauth2/flow.rs)

import type { Connection, ConnectionInput, OptionsRequest, SelectOption } from './types';

export const connections = {
  list: () => request<{ connections: Connection[] }>(`${V1}/connections`).then((r) => r.connections),
  /** Creates a connection; the server tests the values first and answers 422 when they fail. */
  create: (input: ConnectionInput) => request<Connection>(`${V1}/connections`, { method: 'POST', body: input }),
};

/** A dynamic select's options, fetched through the step's connection. */
export function pieceOptions(piece: string, input: OptionsRequest, signal?: AbortSignal): Promise<SelectOption[]> {
  return request<{ options: SelectOption[] }>(`${V1}/pieces/${enc(piece)}/options`, { method: 'POST', body: input, signal }).then(
    (r) => r.options,
  );
}

export const oauth2 = {
  /** The provider's consent page for a new (or reconnected) connection `name`, to open in a pop-up. */
  start: (piece: string, name: string) =>
    request<{ url: string }>(`${V1}/oauth2/${enc(piece)}/start`, { query: { name } }).then((r) => r.url),
  /** The start URL itself (302 to the consent page), for opening directly in a window. */
  startUrl: (piece: string, name: string) => `${V1}/oauth2/${enc(piece)}/start?name=${enc(name)}`,
};

// ---- Runs: retry and cancel (the runs pages) ----

import type { RunActionAccepted } from './types';

export const runActions = {
  /** Queues a finished run again under the same id, from the failed step (finished steps are kept). */
  retry: (id: string, from: 'failed' | 'start' = 'failed') =>
    request<RunActionAccepted>(`${V1}/runs/${enc(id)}/retry`, { method: 'POST', body: { from } }),
  /** Cancels a queued, running or paused run. */
  cancel: (id: string) => request<RunActionAccepted>(`${V1}/runs/${enc(id)}/cancel`, { method: 'POST' }),
};
