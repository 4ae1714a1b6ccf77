import { describe, expect, it } from 'vitest';
import { connectionGroups, connectionItems, fieldsText, filterConnections, groupByPiece, reconnectKind, sortConnections } from './connection-list';
import { CONNECTIONS, PIECES } from './fixtures';

describe('connections list', () => {
  const items = connectionItems(CONNECTIONS, PIECES);

  it('names each connection’s piece and icon from the catalog, and how to reconnect it', () => {
    const byId = Object.fromEntries(items.map((i) => [i.connection.id, i]));
    expect(byId.c1).toMatchObject({ pieceName: 'HubSpot', icon: 'data:hubspot', known: true, reconnect: 'fields' });
    expect(byId.c3).toMatchObject({ pieceName: 'Slack', reconnect: 'oauth2' });
    expect(byId.c4).toMatchObject({ pieceName: 'gone_piece', known: false, reconnect: 'none' });
    expect(byId.c4!.icon).toBeUndefined();
    expect(reconnectKind(PIECES[2])).toBe('none'); // client credentials: the server renews by itself
    expect(reconnectKind(PIECES[3])).toBe('none');
    // Without a catalog (still loading) the piece id stands in.
    expect(connectionItems(CONNECTIONS, null)[0]).toMatchObject({ pieceName: 'hubspot', known: false });
  });

  it('filters by name, app name or id, and field names, every word', () => {
    const ids = (q: string) => filterConnections(items, q).map((i) => i.connection.id);
    expect(ids('')).toHaveLength(6);
    expect(ids('SLACK')).toEqual(['c3']);
    expect(ids('hubspot sales')).toEqual(['c1']);
    expect(ids('portal')).toEqual(['c2']);
    expect(ids('gone')).toEqual(['c4']);
    expect(ids('refresh_token workspace')).toEqual(['c3']);
    expect(ids('nothing like this')).toEqual([]);
  });

  it('sorts by name (case-insensitive, numbers in order) or by creation time', () => {
    const names = (s: 'name' | 'newest' | 'oldest') => sortConnections(items, s).map((i) => i.connection.name);
    expect(names('name')).toEqual(['HubSpot 9', 'HubSpot 10', 'legacy', 'Marketing', 'sales team', 'Workspace']);
    expect(names('newest')).toEqual(['HubSpot 9', 'HubSpot 10', 'sales team', 'Workspace', 'Marketing', 'legacy']);
    expect(names('oldest')).toEqual(['legacy', 'Marketing', 'Workspace', 'sales team', 'HubSpot 9', 'HubSpot 10']);
    // A copy: the input order is kept.
    expect(items.map((i) => i.connection.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it('groups by app, the groups by app name, keeping the order inside', () => {
    const groups = groupByPiece(sortConnections(items, 'oldest'));
    expect(groups.map((g) => g.pieceName)).toEqual(['gone_piece', 'HubSpot', 'Slack']);
    expect(groups[1]).toMatchObject({ piece: 'hubspot', icon: 'data:hubspot' });
    expect(groups[1]!.items.map((i) => i.connection.id)).toEqual(['c2', 'c1', 'c6', 'c5']);
  });

  it('filters, sorts and groups in one go', () => {
    const groups = connectionGroups(CONNECTIONS, PIECES, 'hubspot', 'name');
    expect(groups).toHaveLength(1);
    expect(groups[0]!.items.map((i) => i.connection.name)).toEqual(['HubSpot 9', 'HubSpot 10', 'Marketing', 'sales team']);
    expect(connectionGroups([], PIECES, '', 'name')).toEqual([]);
  });

  it('lists field names, never values', () => {
    expect(fieldsText(['api_key', 'portal'])).toBe('api_key, portal');
    expect(fieldsText([])).toBe('no stored values');
  });
});
