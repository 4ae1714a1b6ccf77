import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { matchRoute } from '../router';
import { ResultView } from './step-test-panel';

describe('test result view', () => {
  it('shows a failed step’s status, time, error, input and output', () => {
    const html = renderToString(
      <ResultView result={{ status: 'failed', input: { email: 'a@b.c' }, error: { message: 'HubSpot refused the key', kind: 'http' }, duration_ms: 1500 }} />,
    );
    expect(html).toContain('badge-bad');
    expect(html).toContain('Failed');
    expect(html).toContain('1.5 s');
    expect(html).toContain('HubSpot refused the key');
    expect(html).toContain('Input');
    expect(html).toContain('a@b.c');
    expect(html).toContain('Output');
  });

  it('a skipped step shows no data sections', () => {
    const html = renderToString(<ResultView result={{ status: 'skipped', duration_ms: 0 }} />);
    expect(html).toContain('Skipped');
    expect(html).not.toContain('Input');
    expect(html).not.toContain('took');
  });
});

describe('routes', () => {
  it('has the connections page', () => {
    expect(matchRoute('/connections')).toEqual({ page: 'connections' });
    expect(matchRoute('/connections/')).toEqual({ page: 'connections' });
    expect(matchRoute('/connections/x')).toEqual({ page: 'not-found' });
  });
});
