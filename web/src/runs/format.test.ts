import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration } from './format';

describe('formatDuration', () => {
  it('says nothing for unknown durations', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });

  it('uses milliseconds below a second', () => {
    expect(formatDuration(0)).toBe('< 1 ms');
    expect(formatDuration(0.42)).toBe('< 1 ms');
    expect(formatDuration(1)).toBe('1 ms');
    expect(formatDuration(332.295)).toBe('332 ms');
    expect(formatDuration(999.4)).toBe('999 ms');
  });

  it('uses seconds with one decimal below ten seconds, whole seconds below a minute', () => {
    expect(formatDuration(1000)).toBe('1 s');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(9999)).toBe('9.9 s');
    expect(formatDuration(12_345)).toBe('12 s');
    expect(formatDuration(59_999)).toBe('59 s');
  });

  it('uses two units above a minute, dropping a zero second unit', () => {
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(3 * 3_600_000 + 20 * 60_000 + 59_000)).toBe('3 h 20 min');
    expect(formatDuration(2 * 86_400_000 + 4 * 3_600_000)).toBe('2 d 4 h');
    expect(formatDuration(86_400_000)).toBe('1 d');
  });
});

describe('formatDateTime', () => {
  it('formats a timestamp, and passes unreadable ones through', () => {
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('not a date')).toBe('not a date');
    const text = formatDateTime('2024-05-01T10:20:30Z');
    expect(text).not.toBe('');
    expect(text).toMatch(/2024/);
  });
});
