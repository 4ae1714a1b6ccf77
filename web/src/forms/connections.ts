// Connections in the settings panel: which of the stored connections fit a piece, which one a
// step's `connection` (an id or a name) points at, a name for a new one, and the values of a new
// connection's form. Pure; the API calls are in ../api/api.ts.

import type { Connection, Piece, PropMeta } from '../api/types';
import type { JsonMap } from '../flow/types';
import { parseNumber } from './prop-value';

/** Whether steps of this piece pick a connection (it authenticates with something to store). */
export function needsConnection(piece: Pick<Piece, 'auth' | 'auth_fields'> | undefined): boolean {
  if (!piece || piece.auth === 'none') return false;
  return piece.auth === 'oauth2' || (piece.auth_fields?.length ?? 0) > 0;
}

/** The connections of `piece`, by name. */
export function connectionsFor(all: readonly Connection[], piece: string): Connection[] {
  return all.filter((c) => c.piece === piece).sort((a, b) => a.name.localeCompare(b.name));
}

/** The connection a step's `connection` names (by id or by name), among `list`. */
export function findConnection(list: readonly Connection[], reference: string | undefined): Connection | undefined {
  if (!reference) return undefined;
  return list.find((c) => c.id === reference) ?? list.find((c) => c.name === reference);
}

/** "HubSpot", "HubSpot 2", … : the first name no connection uses yet. */
export function suggestName(pieceName: string, all: readonly Connection[]): string {
  const taken = new Set(all.map((c) => c.name.toLowerCase()));
  const base = pieceName.trim() || 'Connection';
  if (!taken.has(base.toLowerCase())) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base} ${n}`.toLowerCase())) return `${base} ${n}`;
}

/** Per-field errors (by field name) and the values to send, for a new connection's form. */
export interface AuthValues {
  values: JsonMap;
  errors: Record<string, string>;
}

/**
 * The values of a connection form: text as typed (trimmed, except secrets, which are sent exactly
 * as pasted), numbers parsed, checkboxes as booleans; empty optional fields left out; empty
 * required fields reported.
 */
export function authValues(fields: readonly PropMeta[], input: Readonly<Record<string, string | boolean>>): AuthValues {
  const values: JsonMap = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = input[f.name];
    if (f.kind === 'boolean') {
      if (typeof raw === 'boolean') values[f.name] = raw;
      continue;
    }
    const text = typeof raw === 'string' ? (f.secret ? raw : raw.trim()) : '';
    if (text.trim() === '') {
      if (f.required) errors[f.name] = `${f.label || f.name} is required.`;
      continue;
    }
    if (f.kind === 'number') {
      const parsed = parseNumber(text);
      if (!parsed.ok) errors[f.name] = parsed.error;
      else if (parsed.value !== undefined) values[f.name] = parsed.value;
      continue;
    }
    values[f.name] = text;
  }
  return { values, errors };
}

/** The message the OAuth2 callback page posts to the window that opened it. */
export type OAuthMessage = { kind: 'connected'; connection: string } | { kind: 'error'; error: string };

/** Reads a `postMessage` payload from the callback page (`{type: "switchboard:oauth2", …}`). */
export function readOAuthMessage(data: unknown): OAuthMessage | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (d.type !== 'switchboard:oauth2') return null;
  if (typeof d.connection === 'string') return { kind: 'connected', connection: d.connection };
  if (typeof d.error === 'string') return { kind: 'error', error: d.error };
  return null;
}
