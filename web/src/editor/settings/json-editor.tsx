import { jsonText, parseJson } from '../../forms/prop-value';
import type { JsonValue } from '../../flow/types';
import { describedBy } from './field-shell';
import { useDraft } from './use-draft';

/** A JSON value as text: committed when it parses, otherwise the parse error is shown (not thrown). */
export function JsonEditor({
  id,
  value,
  onChange,
  placeholder,
  help,
  required,
  rows = 4,
}: {
  id: string;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  placeholder?: string;
  help?: string;
  required?: boolean;
  rows?: number;
}) {
  const draft = useDraft(value, jsonText, parseJson, onChange);
  const errorId = `${id}-jsonerror`;
  return (
    <>
      <textarea
        id={id}
        className="code-input"
        rows={rows}
        value={draft.text}
        placeholder={placeholder}
        spellCheck={false}
        aria-required={required || undefined}
        aria-invalid={draft.error ? true : undefined}
        aria-describedby={[describedBy(id, help, null), draft.error ? errorId : ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => draft.change(e.target.value)}
      />
      {draft.error && (
        <small id={errorId} className="field-error" role="alert">
          {draft.error}
        </small>
      )}
    </>
  );
}
