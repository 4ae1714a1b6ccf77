import { describe, expect, it } from 'vitest';
import { matchRoute } from '../router';

describe('matchRoute (runs pages)', () => {
  it('matches the overall and the per-flow run history, and a run', () => {
    expect(matchRoute('/runs')).toEqual({ page: 'runs' });
    expect(matchRoute('/runs/')).toEqual({ page: 'runs' });
    expect(matchRoute('/flows/f%201/runs')).toEqual({ page: 'runs', flowId: 'f 1' });
    expect(matchRoute('/runs/01a2-b')).toEqual({ page: 'run', runId: '01a2-b' });
  });

  it('keeps the editor and flows routes, and refuses broken addresses', () => {
    expect(matchRoute('/flows/abc')).toEqual({ page: 'editor', flowId: 'abc' });
    expect(matchRoute('/')).toEqual({ page: 'flows' });
    expect(matchRoute('/runs/a/b')).toEqual({ page: 'not-found' });
    expect(matchRoute('/runs/%E0%A4%A')).toEqual({ page: 'not-found' });
  });
});
