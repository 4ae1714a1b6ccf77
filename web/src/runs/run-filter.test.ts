import { describe, expect, it } from 'vitest';
import { filterFromSearch, filterProblem, filterToQuery, filterToSearch, localDay } from './run-filter';

describe('filterToQuery', () => {
  it('is empty for no filter', () => {
    expect(filterToQuery({})).toEqual({});
  });

  it('passes the flow and status through', () => {
    expect(filterToQuery({ flowId: 'f1', status: 'failed' })).toEqual({ flow_id: 'f1', status: 'failed' });
  });

  it('turns the day range into instants: from local midnight to the midnight after the last day', () => {
    const q = filterToQuery({ from: '2024-05-01', to: '2024-05-03' });
    expect(q.since).toBe(new Date(2024, 4, 1).toISOString());
    expect(q.until).toBe(new Date(2024, 4, 4).toISOString());
    // RFC 3339, as the server parses it.
    expect(q.since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('includes a one-day range entirely, across a month end', () => {
    const q = filterToQuery({ from: '2024-01-31', to: '2024-01-31' });
    expect(q.since).toBe(new Date(2024, 0, 31).toISOString());
    expect(q.until).toBe(new Date(2024, 1, 1).toISOString());
  });

  it('drops days that do not exist', () => {
    expect(filterToQuery({ from: '2024-02-31', to: 'yesterday' })).toEqual({});
  });
});

describe('localDay and filterProblem', () => {
  it('accepts real days only', () => {
    expect(localDay('2024-02-29')?.getDate()).toBe(29);
    expect(localDay('2023-02-29')).toBeNull();
    expect(localDay('2024-5-1')).toBeNull();
  });

  it('explains a reversed or broken range', () => {
    expect(filterProblem({ from: '2024-05-02', to: '2024-05-01' })).toBe('The start date is after the end date.');
    expect(filterProblem({ from: '2024-13-01' })).toBe('The start date is not a valid date.');
    expect(filterProblem({ to: 'x' })).toBe('The end date is not a valid date.');
    expect(filterProblem({ from: '2024-05-01', to: '2024-05-01' })).toBeNull();
  });
});

describe('the page address', () => {
  it('round-trips a filter', () => {
    const filter = { status: 'paused' as const, flowId: 'a b', from: '2024-05-01', to: '2024-05-09' };
    const search = filterToSearch(filter);
    expect(search).toBe('?status=paused&flow=a+b&from=2024-05-01&to=2024-05-09');
    expect(filterFromSearch(search)).toEqual(filter);
  });

  it('leaves the flow out on a flow’s own runs page, and is empty for no filter', () => {
    expect(filterToSearch({ flowId: 'f1', status: 'failed' }, { includeFlow: false })).toBe('?status=failed');
    expect(filterToSearch({})).toBe('');
  });

  it('ignores unknown statuses and malformed days', () => {
    expect(filterFromSearch('?status=exploded&from=soon&to=2024-05-01')).toEqual({ to: '2024-05-01' });
  });
});
