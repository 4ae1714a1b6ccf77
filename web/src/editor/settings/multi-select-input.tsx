import type { SelectOption } from '../../api/types';
import { optionIndex } from '../../forms/prop-form';
import type { JsonValue } from '../../flow/types';

/** Several of fixed options, as checkboxes (the field's fieldset legend labels the group). */
export function MultiSelectInput({
  id,
  options,
  value,
  onChange,
}: {
  id: string;
  options: readonly SelectOption[];
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
}) {
  const current = Array.isArray(value) ? value : [];
  const checked = (o: SelectOption) => optionIndex(current.map((v) => ({ label: '', value: v })), o.value) >= 0;
  return (
    <div className="checkbox-list" id={id}>
      {options.map((o, i) => (
        <label key={i} className="field inline">
          <input
            type="checkbox"
            checked={checked(o)}
            onChange={(e) => {
              const next = e.target.checked
                ? [...current, o.value]
                : current.filter((v) => JSON.stringify(v) !== JSON.stringify(o.value));
              onChange(next.length ? next : undefined);
            }}
          />
          <span>{o.label}</span>
        </label>
      ))}
    </div>
  );
}
