// Icons of the built-in step types, as small inline SVGs (data URLs, like the pieces' icons), so
// the bundle needs no icon font or image files.

import type { NodeKind } from '../flow/graph';

const svg = (body: string, color: string) =>
  `data:image/svg+xml,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="${color}"/><g fill="none" stroke="white" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${body}</g></svg>`,
  )}`;

export const BUILTIN_ICONS: Record<Exclude<NodeKind, 'action' | 'trigger'>, string> = {
  filter: svg('<path d="M6 7h12l-4.5 5.5V17l-3 1.5v-6z"/>', '#7c3aed'),
  router: svg('<path d="M6 12h4M10 12l6-5M10 12l6 5M16 7h2M16 17h2"/>', '#2563eb'),
  loop: svg('<path d="M7 10a5 5 0 0 1 9-2M17 14a5 5 0 0 1-9 2M16 5v3h-3M8 19v-3h3"/>', '#0891b2'),
  code: svg('<path d="M9 8l-4 4 4 4M15 8l4 4-4 4"/>', '#475569'),
  set: svg('<path d="M7 8h10M7 12h10M7 16h6"/>', '#059669'),
  respond: svg('<path d="M10 8l-4 4 4 4M6 12h8a4 4 0 0 1 4 4v1"/>', '#d97706'),
  stop: svg('<rect x="8" y="8" width="8" height="8" rx="1"/>', '#dc2626'),
  delay: svg('<circle cx="12" cy="12" r="6"/><path d="M12 9v3l2 2"/>', '#9333ea'),
  wait: svg('<path d="M9 6h6M9 18h6M10 6c0 4 4 4 4 6s-4 2-4 6M14 6c0 4-4 4-4 6"/>', '#be185d'),
  subflow: svg('<rect x="5" y="5" width="6" height="6" rx="1"/><rect x="13" y="13" width="6" height="6" rx="1"/><path d="M11 8h3a2 2 0 0 1 2 2v3"/>', '#4f46e5'),
};

/** What a piece-less node shows when its piece has no icon (or is unknown). */
export const FALLBACK_ICON = svg('<circle cx="12" cy="12" r="4"/>', '#64748b');

export function iconFor(kind: NodeKind, pieceIcon: string | undefined): string {
  if (pieceIcon) return pieceIcon;
  if (kind === 'action' || kind === 'trigger') return FALLBACK_ICON;
  return BUILTIN_ICONS[kind];
}
