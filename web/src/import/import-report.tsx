import { StatusBadge } from '../components/status-badge';
import { outcomeSummary, sortedItems, sourceLabel } from './model';
import type { ImportOutcome, ImportReport as Report } from './types';

const OUTCOME: Record<ImportOutcome, { tone: 'good' | 'warn' | 'bad'; label: string }> = {
  mapped: { tone: 'good', label: 'Converted' },
  approximated: { tone: 'warn', label: 'Check' },
  unsupported: { tone: 'bad', label: 'Not converted' },
};

/**
 * What an import did, node by node: the ones needing attention first, each with its notes and the
 * step it became (clickable when `onSelectStep` is given).
 */
export function ImportReport({ report, onSelectStep }: { report: Report; onSelectStep?: (step: string) => void }) {
  const items = sortedItems(report);
  return (
    <div className="import-report">
      <p>
        From {sourceLabel(report.source)}: {outcomeSummary(report)}.
        {report.items.some((i) => i.outcome === 'unsupported') &&
          ' Each node that was not converted is a disabled step keeping the original, to rebuild by hand.'}
      </p>
      {report.notes && report.notes.length > 0 && (
        <ul className="import-notes">
          {report.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <ul className="import-items" aria-label="Imported nodes">
        {items.map((item, i) => {
          const o = OUTCOME[item.outcome] ?? OUTCOME.approximated;
          return (
            <li key={`${item.source}-${i}`} className={`import-item import-${item.outcome}`}>
              <div className="import-item-head">
                <StatusBadge tone={o.tone}>{o.label}</StatusBadge>
                <strong>{item.source}</strong>
                <span className="muted small">{item.source_type}</span>
                {item.step &&
                  (onSelectStep ? (
                    <button type="button" className="button small ghost" onClick={() => onSelectStep(item.step!)}>
                      Show step “{item.step}”
                    </button>
                  ) : (
                    <span className="muted small">→ step “{item.step}”</span>
                  ))}
              </div>
              {item.notes && item.notes.length > 0 && (
                <ul className="import-item-notes">
                  {item.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
