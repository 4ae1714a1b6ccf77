// The import report, as `POST /api/v1/flows/import` answers it and as the document keeps it under
// `ui.import.report` (engine/src/import/report.rs).

export type ImportOutcome = 'mapped' | 'approximated' | 'unsupported';

export interface ImportItem {
  source: string;
  source_type: string;
  step?: string;
  outcome: ImportOutcome;
  notes?: string[];
}

export interface ImportReport {
  source: 'switchboard' | 'n8n' | 'activepieces';
  items: ImportItem[];
  notes?: string[];
}

/** The API's version adds the counts and a one-line summary. */
export interface ImportSummary extends ImportReport {
  summary: string;
  mapped: number;
  approximated: number;
  unsupported: number;
}
