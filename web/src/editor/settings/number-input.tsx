import { displayText } from '../../forms/prop-form';
import { parseNumber } from '../../forms/prop-value';
import type { JsonValue } from '../../flow/types';
import { describedBy } from './field-shell';
import { useDraft } from './use-draft';

/** A number (or a `{{ }}` reference): unparsable text is kept and explained, not committed. */
export function NumberInput({
  id,
  value,
  onChange,
  placeholder,
  help,
  required,
  integer,
  min,
}: {
  id: string;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  placeholder?: string;
  help?: string;
  required?: boolean;
  integer?: boolean;
  min?: number;
}) {
  const draft = useDraft(value, displayText, (t) => parseNumber(t, { integer, min }), onChange);
  const errorId = `${id}-numerror`;
  return (
    <>
      <input
        id={id}
        inputMode="decimal"
        value={draft.text}
        placeholder={placeholder}
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
