// The connections page's list: each stored connection with its piece from the catalog (name, icon,
// how it authenticates), filtered by a search, sorted, and grouped by piece. Pure.

import type { AuthKind, Connection, Piece } from '../api/types';

/** How a connection is renewed: new values in a form, the OAuth2 sign-in pop-up, or not at all. */
export type ReconnectKind = 'fields' | 'oauth2' | 'none';

export interface ConnectionItem {
  connection: Connection;
  /** The piece's name, or its id when the catalog does not have it. */
  pieceName: string;
  icon?: string;
  auth?: AuthKind;
  /** Whether the catalog knows the piece (an unknown one cannot be reconnected). */
  known: boolean;
  reconnect: ReconnectKind;
}

export interface ConnectionGroup {
  piece: string;
  pieceName: string;
  icon?: string;
  items: ConnectionItem[];
}

export type ConnectionSort = 'name' | 'newest' | 'oldest';

/** How a connection of `piece` is renewed. */
export function reconnectKind(piece: Pick<Piece, 'auth' | 'auth_fields' | 'oauth2'> | undefined): ReconnectKind {
  if (!piece) return 'none';
  if (piece.auth === 'oauth2') return piece.oauth2?.grant === 'client_credentials' ? 'none' : 'oauth2';
  return (piece.auth_fields?.length ?? 0) > 0 ? 'fields' : 'none';
}

/** Each connection with its piece's name, icon and reconnect kind. */
export function connectionItems(list: readonly Connection[], pieces: readonly Piece[] | null): ConnectionItem[] {
  const byId = new Map((pieces ?? []).map((p) => [p.id, p]));
  return list.map((connection) => {
    const piece = byId.get(connection.piece);
    const item: ConnectionItem = {
      connection,
      pieceName: piece?.name ?? connection.piece,
      known: piece !== undefined,
      reconnect: reconnectKind(piece),
    };
    if (piece?.icon) item.icon = piece.icon;
    if (piece) item.auth = piece.auth;
    return item;
  });
}

/** The items whose name, piece (name or id) or a field name contains every word of `query`. */
export function filterConnections(items: readonly ConnectionItem[], query: string): ConnectionItem[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...items];
  return items.filter((item) => {
    const text = [item.connection.name, item.pieceName, item.connection.piece, ...item.connection.fields].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

const byName = (a: ConnectionItem, b: ConnectionItem) =>
  a.connection.name.localeCompare(b.connection.name, undefined, { sensitivity: 'base', numeric: true }) || a.connection.id.localeCompare(b.connection.id);

/** Sorted copy: by name (case-insensitive, numbers in order), or by creation time. */
export function sortConnections(items: readonly ConnectionItem[], sort: ConnectionSort): ConnectionItem[] {
  const out = [...items];
  if (sort === 'name') return out.sort(byName);
  const dir = sort === 'newest' ? -1 : 1;
  return out.sort((a, b) => dir * (Date.parse(a.connection.created_at) - Date.parse(b.connection.created_at)) || byName(a, b));
}

/** Groups by piece, the groups by piece name; items keep their order within a group. */
export function groupByPiece(items: readonly ConnectionItem[]): ConnectionGroup[] {
  const groups = new Map<string, ConnectionGroup>();
  for (const item of items) {
    let group = groups.get(item.connection.piece);
    if (!group) {
      group = { piece: item.connection.piece, pieceName: item.pieceName, items: [] };
      if (item.icon) group.icon = item.icon;
      groups.set(item.connection.piece, group);
    }
    group.items.push(item);
  }
  return [...groups.values()].sort((a, b) => a.pieceName.localeCompare(b.pieceName, undefined, { sensitivity: 'base' }) || a.piece.localeCompare(b.piece));
}

/** The list the page shows: items filtered, sorted, grouped. */
export function connectionGroups(
  list: readonly Connection[],
  pieces: readonly Piece[] | null,
  query: string,
  sort: ConnectionSort,
): ConnectionGroup[] {
  return groupByPiece(sortConnections(filterConnections(connectionItems(list, pieces), query), sort));
}

/** The stored field names in words: "api_key, domain", or a note when none are stored. */
export function fieldsText(fields: readonly string[]): string {
  return fields.length ? fields.join(', ') : 'no stored values';
}
