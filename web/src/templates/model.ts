// The gallery's logic, pure: segment names in plain words, filtering, and what "Use this template"
// sends for the connections the user chose.

import type { Connection } from '../api/types';
import type { TemplateConnection, TemplateSummary, UseTemplateInput } from './types';

/** The segments' names as the gallery shows them (ids from server/src/templates/mod.rs). */
export const SEGMENT_LABELS: Readonly<Record<string, string>> = {
  sales: 'Sales',
  recruiting: 'Recruiting',
  lead_gen: 'Lead generation',
  market_research: 'Market research',
  multi_location: 'Multi-location',
  mid_call: 'Mid-call tools',
  operations: 'Operations',
};

/** A segment's friendly name; an unknown id still reads as words (`field_service` → "Field service"). */
export function segmentLabel(id: string): string {
  const known = SEGMENT_LABELS[id];
  if (known) return known;
  const words = id.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : id;
}

export interface TemplateFilter {
  /** A segment id, or '' for all. */
  segment: string;
  /** A piece id, or '' for all. */
  piece: string;
  /** Words to look for in the name, description, tags and apps; '' for all. */
  search: string;
}

export const NO_FILTER: TemplateFilter = { segment: '', piece: '', search: '' };

/** The page address's query string for a filter (`?segment=sales&app=hubspot&q=deal`), '' for none. */
export function templateFilterToSearch(filter: TemplateFilter): string {
  const params = new URLSearchParams();
  if (filter.segment) params.set('segment', filter.segment);
  if (filter.piece) params.set('app', filter.piece);
  if (filter.search.trim()) params.set('q', filter.search);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/** A filter from a page address's query string (a shared or reloaded gallery link). */
export function templateFilterFromSearch(search: string): TemplateFilter {
  const params = new URLSearchParams(search);
  return { segment: params.get('segment') ?? '', piece: params.get('app') ?? '', search: params.get('q') ?? '' };
}

/**
 * The templates matching every filter. Search is case-insensitive and every word must appear in
 * the template's name, description, tags or the names of the apps it uses (`pieceName`).
 */
export function filterTemplates(
  list: readonly TemplateSummary[],
  filter: TemplateFilter,
  pieceName: (id: string) => string | undefined = () => undefined,
): TemplateSummary[] {
  const words = filter.search.toLowerCase().split(/\s+/).filter(Boolean);
  return list.filter((t) => {
    if (filter.segment && !t.segments.includes(filter.segment)) return false;
    if (filter.piece && !t.pieces.includes(filter.piece)) return false;
    if (words.length === 0) return true;
    const text = [t.name, t.description, ...t.tags, ...t.pieces, ...t.pieces.map((p) => pieceName(p) ?? '')].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The apps the templates use, for the "App" filter: unique ids sorted by their shown name. */
export function piecesOf(list: readonly TemplateSummary[], pieceName: (id: string) => string | undefined = () => undefined): string[] {
  const ids = new Set<string>();
  for (const t of list) for (const p of t.pieces) ids.add(p);
  const name = (id: string) => pieceName(id) ?? id;
  return [...ids].sort((a, b) => name(a).localeCompare(name(b)));
}

/** How many templates each segment has (for the chips). */
export function segmentCounts(list: readonly TemplateSummary[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of list) for (const s of t.segments) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

/** Template connection name → the user's connection name ('' while none is chosen). */
export type ConnectionChoices = Readonly<Record<string, string>>;

/**
 * The first choices: for each needed connection, the user's only connection of that piece when
 * there is exactly one (two or more: the user picks).
 */
export function initialChoices(needed: readonly TemplateConnection[], existing: readonly Connection[]): Record<string, string> {
  const choices: Record<string, string> = {};
  for (const c of needed) {
    const mine = existing.filter((x) => x.piece === c.piece);
    choices[c.name] = mine.length === 1 ? mine[0]!.name : '';
  }
  return choices;
}

/** The needed connections nothing is chosen for yet. */
export function unchosen(needed: readonly TemplateConnection[], choices: ConnectionChoices): TemplateConnection[] {
  return needed.filter((c) => !(choices[c.name] ?? '').trim());
}

/** The body's `connections`: only the needed ones that have a choice, nothing else. */
export function connectionsBody(needed: readonly TemplateConnection[], choices: ConnectionChoices): Record<string, string> {
  const body: Record<string, string> = {};
  for (const c of needed) {
    const chosen = (choices[c.name] ?? '').trim();
    if (chosen) body[c.name] = chosen;
  }
  return body;
}

/** The whole "use" body: the name only when one is typed. */
export function useTemplateBody(needed: readonly TemplateConnection[], choices: ConnectionChoices, name: string): UseTemplateInput {
  const body: UseTemplateInput = { connections: connectionsBody(needed, choices) };
  const trimmed = name.trim();
  if (trimmed) body.name = trimmed;
  return body;
}
