import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ConnectionsEmpty, ConnectionsView } from '../pages/connections-page';
import { connectionGroups } from './connection-list';
import { CONNECTIONS, PIECES } from './fixtures';
import { ConnectionsList } from './connections-list';

describe('connections page', () => {
  it('renders a row per connection, grouped by app, with field names and actions', () => {
    const html = renderToString(
      <ConnectionsList groups={connectionGroups(CONNECTIONS, PIECES, '', 'name')} pieces={PIECES} onChanged={() => {}} onDeleted={() => {}} />,
    );
    // Groups in app-name order, each with its icon and count.
    expect(html.indexOf('gone_piece')).toBeLessThan(html.indexOf('HubSpot'));
    expect(html.indexOf('HubSpot')).toBeLessThan(html.indexOf('Slack'));
    expect(html).toContain('4<!-- --> connection<!-- -->s');
    expect(html).toContain('src="data:hubspot"');
    // Names, stored field names, actions named for the connection.
    expect(html).toContain('sales team');
    expect(html).toContain('Stored: <!-- -->api_key, portal');
    expect(html).toContain('aria-label="Test Workspace"');
    expect(html).toContain('aria-label="Delete Marketing"');
    // Reconnect: API-key and OAuth2 pieces, not an unknown piece.
    expect(html).toContain('aria-label="Reconnect sales team"');
    expect(html).toContain('aria-label="Reconnect Workspace"');
    expect(html).not.toContain('aria-label="Reconnect legacy"');
    expect(html).toContain('this app is not installed on the server');
    expect((html.match(/<li class="conn-row"/g) ?? []).length).toBe(6);
  });

  it('shows the empty state with where connections come from', () => {
    const html = renderToString(<ConnectionsEmpty />);
    expect(html).toContain('No connections yet');
    expect(html).toContain('Connect a new account');
  });

  it('the page: loading, then the rows with search and order, the empty state, or the error', () => {
    const view = (props: Partial<Parameters<typeof ConnectionsView>[0]>) =>
      renderToString(
        <ConnectionsView
          list={null}
          loading={false}
          error={null}
          pieces={PIECES}
          catalogError={null}
          onRetry={() => {}}
          onRetryCatalog={() => {}}
          onChanged={() => {}}
          onDeleted={() => {}}
          {...props}
        />,
      );
    expect(view({ loading: true })).toContain('Loading the connections');

    const html = view({ list: CONNECTIONS });
    expect(html).toContain('<h1>Connections</h1>');
    expect(html).toContain('type="search"');
    expect(html).toContain('>6 connections</span>');
    expect(html).toContain('Workspace');
    expect(html).not.toContain('No connections yet');

    expect(view({ list: [] })).toContain('No connections yet');

    const failed = view({ error: 'Cannot reach the Switchboard server.' });
    expect(failed).toContain('Cannot reach the Switchboard server.');
    expect(failed).toContain('Try again');
    expect(failed).not.toContain('Loading the connections');

    expect(view({ list: CONNECTIONS, catalogError: 'boom' })).toContain('names and icons are missing');
  });
});
