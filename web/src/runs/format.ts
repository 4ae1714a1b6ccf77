// Durations and times as people read them.

/**
 * A duration in milliseconds, in the largest sensible units: `< 1 ms`, `42 ms`, `1.5 s`, `2 min 5 s`,
 * `3 h 20 min`, `2 d 4 h`. `null` (not finished, never started) is an em dash.
 */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return '< 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 10) return `${trimZero(Math.floor(seconds * 10) / 10)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const total = Math.floor(seconds);
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return h ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m ? `${h} h ${m} min` : `${h} h`;
  return s ? `${m} min ${s} s` : `${m} min`;
}

function trimZero(n: number): string {
  return n.toFixed(1).replace(/\.0$/, '');
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A timestamp in the user's locale and time zone; empty for none, the input for an unreadable one. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}
