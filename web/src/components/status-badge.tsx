import type { ReactNode } from 'react';

/** A small coloured label; the text carries the meaning, the colour only helps. */
export function StatusBadge({ tone, children }: { tone: 'good' | 'bad' | 'warn' | 'neutral'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
