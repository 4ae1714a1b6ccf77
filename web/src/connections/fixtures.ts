// Pieces and connections the connections tests share.

import type { Connection, Piece } from '../api/types';

const piece = (id: string, name: string, extra: Partial<Piece> = {}): Piece => ({
  id,
  name,
  description: '',
  category: 'crm',
  auth: 'api_key',
  auth_fields: [{ name: 'api_key', label: 'API key', kind: 'short_text', required: true, secret: true }],
  actions: [],
  triggers: [],
  icon: `data:${id}`,
  ...extra,
});

export const PIECES: Piece[] = [
  piece('hubspot', 'HubSpot'),
  piece('slack', 'Slack', { auth: 'oauth2', auth_fields: [], oauth2: { grant: 'authorization_code', scopes: [] } }),
  piece('m2m', 'Machine API', { auth: 'oauth2', auth_fields: [], oauth2: { grant: 'client_credentials', scopes: [] } }),
  piece('http', 'HTTP', { auth: 'none', auth_fields: [] }),
];

const conn = (id: string, name: string, pieceId: string, created: string, fields: string[] = ['api_key']): Connection => ({
  id,
  name,
  piece: pieceId,
  fields,
  created_at: created,
  updated_at: created,
});

export const CONNECTIONS: Connection[] = [
  conn('c1', 'sales team', 'hubspot', '2026-01-03T10:00:00Z'),
  conn('c2', 'Marketing', 'hubspot', '2026-01-01T10:00:00Z', ['api_key', 'portal']),
  conn('c3', 'Workspace', 'slack', '2026-01-02T10:00:00Z', ['access_token', 'refresh_token']),
  conn('c4', 'legacy', 'gone_piece', '2025-12-01T10:00:00Z'),
  conn('c5', 'HubSpot 10', 'hubspot', '2026-01-04T10:00:00Z'),
  conn('c6', 'HubSpot 9', 'hubspot', '2026-01-04T10:00:00Z'),
];
