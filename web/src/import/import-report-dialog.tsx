import { Modal } from '../components/modal';
import { ImportReport } from './import-report';
import type { ImportReport as Report } from './types';

/** The import report in a dialog: after importing a file, and from the editor's banner. */
export function ImportReportDialog({
  title,
  report,
  onClose,
  onOpen,
  onSelectStep,
}: {
  title: string;
  report: Report;
  onClose: () => void;
  /** When given, a primary "Open the flow" button. */
  onOpen?: () => void;
  onSelectStep?: (step: string) => void;
}) {
  return (
    <Modal labelledBy="import-report-title" className="import-report-dialog" onClose={onClose}>
      <h2 id="import-report-title">{title}</h2>
      <ImportReport report={report} onSelectStep={onSelectStep} />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        {onOpen && (
          <button type="button" className="button primary" onClick={onOpen}>
            Open the flow
          </button>
        )}
      </div>
    </Modal>
  );
}
