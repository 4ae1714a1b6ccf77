import type { CatalogIndex } from '../flow/graph';
import { segmentLabel } from './model';
import { PieceIcons } from './piece-icons';
import type { TemplateSummary } from './types';

/** One template in the gallery: what it does, for whom, with which apps; preview or use it. */
export function TemplateCard({
  template,
  index,
  onPreview,
  onUse,
}: {
  template: TemplateSummary;
  index: CatalogIndex;
  onPreview: () => void;
  onUse: () => void;
}) {
  const headingId = `template-${template.id}-name`;
  return (
    <li className="template-card" aria-labelledby={headingId}>
      <PieceIcons pieces={template.pieces} index={index} />
      <h2 id={headingId}>{template.name}</h2>
      <p className="template-description">{template.description}</p>
      <ul className="template-segments" aria-label="For">
        {template.segments.map((s) => (
          <li key={s} className="chip small">
            {segmentLabel(s)}
          </li>
        ))}
      </ul>
      <div className="template-actions">
        <button type="button" className="button" onClick={onPreview} aria-label={`Preview “${template.name}”`}>
          Preview
        </button>
        <button type="button" className="button primary" onClick={onUse} aria-label={`Use the template “${template.name}”`}>
          Use this template
        </button>
      </div>
    </li>
  );
}
