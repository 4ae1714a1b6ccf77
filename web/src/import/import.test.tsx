import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../flow/types';
import { ImportReport } from './import-report';
import { countOutcomes, documentReport, outcomeSummary, sortedItems, sourceLabel } from './model';
import type { ImportReport as Report } from './types';

const report: Report = {
  source: 'n8n',
  items: [
    { source: 'Webhook', source_type: 'n8n-nodes-base.webhook', step: 'webhook', outcome: 'mapped' },
    { source: 'Code', source_type: 'n8n-nodes-base.code', step: 'code', outcome: 'unsupported', notes: ['JavaScript cannot run here'] },
    { source: 'Merge', source_type: 'n8n-nodes-base.merge', step: 'merge', outcome: 'approximated', notes: ['mode "combine" became a join'] },
    { source: 'Slack', source_type: 'n8n-nodes-base.slack', step: 'slack', outcome: 'mapped' },
  ],
  notes: ['create a connection named “Slack account”'],
};

function doc(ui: FlowDocument['ui']): FlowDocument {
  return { schema_version: 1, name: 'x', trigger: { id: 't', piece: 'manual', trigger: 'run' }, steps: [], edges: [], ui };
}

describe('import report', () => {
  it('counts and words', () => {
    expect(countOutcomes(report)).toEqual({ mapped: 2, approximated: 1, unsupported: 1 });
    expect(outcomeSummary(report)).toBe('2 converted, 1 to check, 1 not converted');
    expect(outcomeSummary({ source: 'activepieces', items: [report.items[0]!] })).toBe('1 converted');
    expect(sourceLabel('activepieces')).toBe('ActivePieces');
  });

  it('lists what needs attention first, keeping the source order within each group', () => {
    expect(sortedItems(report).map((i) => i.source)).toEqual(['Code', 'Merge', 'Webhook', 'Slack']);
  });

  it('reads the report a converted document keeps, and ignores anything else', () => {
    expect(documentReport(doc({ import: { source: 'n8n', report, original: {} } }))).toEqual(report);
    expect(documentReport(doc({ positions: {} }))).toBeNull();
    expect(documentReport(doc({ import: { report: { items: 'no' } } }))).toBeNull();
    expect(documentReport(doc({ import: 'text' }))).toBeNull();
    expect(documentReport(null)).toBeNull();
  });

  it('renders each node with its outcome, notes and step', () => {
    const html = renderToString(<ImportReport report={report} onSelectStep={() => {}} />).replaceAll('<!-- -->', '');
    expect(html).toContain('From n8n: 2 converted, 1 to check, 1 not converted.');
    expect(html).toContain('Not converted');
    expect(html).toContain('JavaScript cannot run here');
    expect(html).toContain('Show step “code”');
    expect(html).toContain('create a connection named “Slack account”');
    expect(html.indexOf('Code')).toBeLessThan(html.indexOf('Webhook'));
  });
});
