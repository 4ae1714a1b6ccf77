// The connections endpoints the connections page uses beyond ../api/api.ts (list, create):
// test, update (rename / new values), delete. Shapes: server/src/api/connections.rs.

import { request } from '../api/client';
import type { Connection } from '../api/types';
import type { JsonMap } from '../flow/types';

const V1 = '/api/v1';
const enc = encodeURIComponent;

/** Makes the piece's cheap authenticated request with the stored values; rejects with the vendor's words. */
export function testConnection(id: string): Promise<{ ok: boolean }> {
  return request<{ ok: boolean }>(`${V1}/connections/${enc(id)}/test`, { method: 'POST' });
}

/** Renames, and replaces every value when `values` is given (the server tests them first). */
export function updateConnection(id: string, input: { name: string; values?: JsonMap }): Promise<Connection> {
  return request<Connection>(`${V1}/connections/${enc(id)}`, { method: 'PUT', body: input });
}

export function deleteConnection(id: string): Promise<void> {
  return request<void>(`${V1}/connections/${enc(id)}`, { method: 'DELETE' });
}
