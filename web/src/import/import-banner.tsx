import { useState } from 'react';
import { useEditorStore } from '../store/editor-store';
import { ImportReportDialog } from './import-report-dialog';
import { documentReport, outcomeSummary, sourceLabel } from './model';

/** In the editor, for a flow converted from n8n or ActivePieces: what the import did, with the report. */
export function ImportBanner() {
  const report = useEditorStore((s) => documentReport(s.doc));
  const [open, setOpen] = useState(false);
  const [hidden, setHidden] = useState(false);
  if (!report || report.source === 'switchboard' || hidden) return null;
  const needsWork = report.items.some((i) => i.outcome !== 'mapped');
  return (
    <div className={`message ${needsWork ? 'message-warn' : 'message-info'} editor-notice import-banner`} role="status">
      <span>
        Imported from {sourceLabel(report.source)}: {outcomeSummary(report)}.
        {needsWork && ' Disabled steps stand for what was not converted.'}
      </span>
      <button type="button" className="button small" onClick={() => setOpen(true)}>
        Show the import report
      </button>
      <button type="button" className="button small ghost" onClick={() => setHidden(true)} aria-label="Hide the import message">
        ×
      </button>
      {open && (
        <ImportReportDialog
          title="Import report"
          report={report}
          onClose={() => setOpen(false)}
          onSelectStep={(step) => {
            setOpen(false);
            useEditorStore.getState().select(step);
          }}
        />
      )}
    </div>
  );
}
