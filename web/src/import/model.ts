// Reading import reports: where a document keeps one, counts and names for the screen.

import type { FlowDocument } from '../flow/types';
import type { ImportOutcome, ImportReport } from './types';

const SOURCE_LABELS: Record<ImportReport['source'], string> = {
  switchboard: 'Switchboard',
  n8n: 'n8n',
  activepieces: 'ActivePieces',
};

/** "n8n", "ActivePieces". */
export function sourceLabel(source: ImportReport['source']): string {
  return SOURCE_LABELS[source] ?? source;
}

/** The report a converted document carries under `ui.import.report`, if it has a usable one. */
export function documentReport(doc: FlowDocument | null): ImportReport | null {
  const imported = doc?.ui?.import;
  if (!imported || typeof imported !== 'object') return null;
  const report = (imported as { report?: unknown }).report;
  if (!report || typeof report !== 'object') return null;
  const r = report as Partial<ImportReport>;
  if (!Array.isArray(r.items) || typeof r.source !== 'string') return null;
  return r as ImportReport;
}

/** How many items of each outcome. */
export function countOutcomes(report: ImportReport): Record<ImportOutcome, number> {
  const counts: Record<ImportOutcome, number> = { mapped: 0, approximated: 0, unsupported: 0 };
  for (const item of report.items) if (item.outcome in counts) counts[item.outcome] += 1;
  return counts;
}

/** "5 mapped, 1 to check, 1 not converted": the words the screen uses. */
export function outcomeSummary(report: ImportReport): string {
  const c = countOutcomes(report);
  const parts = [`${c.mapped} converted`];
  if (c.approximated) parts.push(`${c.approximated} to check`);
  if (c.unsupported) parts.push(`${c.unsupported} not converted`);
  return parts.join(', ');
}

/** The items needing attention first (not converted, then to check), each group in source order. */
export function sortedItems(report: ImportReport): ImportReport['items'] {
  const rank: Record<ImportOutcome, number> = { unsupported: 0, approximated: 1, mapped: 2 };
  return report.items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => rank[a.item.outcome] - rank[b.item.outcome] || a.i - b.i)
    .map(({ item }) => item);
}
