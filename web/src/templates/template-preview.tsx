import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { ErrorMessage } from '../components/error-message';
import { Loading } from '../components/loading';
import type { CatalogIndex } from '../flow/graph';
import { Modal } from '../components/modal';
import { segmentLabel } from './model';
import { PieceIcons } from './piece-icons';
import { PreviewCanvas } from './preview-canvas';
import { templates } from './templates-api';
import type { TemplateDetail, TemplateSummary } from './types';

/** "Preview": the template's description, the accounts it needs, and its flow on a read-only canvas. */
export function TemplatePreview({
  template,
  index,
  onUse,
  onClose,
}: {
  template: TemplateSummary;
  index: CatalogIndex;
  onUse: () => void;
  onClose: () => void;
}) {
  const [detail, setDetail] = useState<TemplateDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setError(null);
    templates
      .get(template.id, controller.signal)
      .then((d) => setDetail(d))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(e));
      });
    return () => controller.abort();
  }, [template.id, attempt]);

  const titleId = 'template-preview-title';
  return (
    <Modal labelledBy={titleId} className="template-preview" onClose={onClose}>
      <div className="template-preview-head">
        <div>
          <h2 id={titleId}>{template.name}</h2>
          <ul className="template-segments" aria-label="For">
            {template.segments.map((s) => (
              <li key={s} className="chip small">
                {segmentLabel(s)}
              </li>
            ))}
          </ul>
        </div>
        <PieceIcons pieces={template.pieces} index={index} />
      </div>
      <p>{template.description}</p>
      {template.connections.length > 0 && (
        <div className="template-needs">
          <h3>Accounts it needs</h3>
          <ul>
            {template.connections.map((c) => (
              <li key={c.name}>
                <strong>{index.pieces.get(c.piece)?.name ?? c.piece}</strong>: {c.label}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error ? (
        <ErrorMessage message={`The preview could not be loaded: ${error}`} onRetry={() => setAttempt((n) => n + 1)} />
      ) : detail ? (
        <PreviewCanvas doc={detail.flow} index={index} label={`Preview of the flow “${template.name}”: its trigger and steps`} />
      ) : (
        <Loading label="Loading the preview…" />
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="button" className="button primary" onClick={onUse} autoFocus>
          Use this template
        </button>
      </div>
    </Modal>
  );
}
