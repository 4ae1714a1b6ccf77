import { describedBy, FieldShell } from './field-shell';

/** A text field of a built-in step (a duration, a message, a script): '' clears it. */
export function TextSetting({
  id,
  label,
  value,
  onChange,
  help,
  required,
  placeholder,
  multiline,
  code,
}: {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  help?: string;
  required?: boolean;
  placeholder?: string;
  multiline?: boolean | number;
  code?: boolean;
}) {
  const common = {
    id,
    value: value ?? '',
    placeholder,
    className: code ? 'code-input' : undefined,
    spellCheck: code ? false : undefined,
    'aria-required': required || undefined,
    'aria-describedby': describedBy(id, help, null),
  };
  return (
    <FieldShell id={id} label={label} required={required} help={help}>
      {multiline ? (
        <textarea {...common} rows={typeof multiline === 'number' ? multiline : 4} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
      ) : (
        <input {...common} onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)} />
      )}
    </FieldShell>
  );
}
