import { ExpressionInput } from '../../expressions/expression-input';
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
  // Every text setting takes {{ }} references (a code step's script takes bare ones).
  const script = id.endsWith('-script');
  return (
    <FieldShell id={id} label={label} required={required} help={help}>
      <ExpressionInput
        id={id}
        value={value ?? ''}
        onChange={(v) => onChange(v === '' ? undefined : v)}
        mode={script ? 'script' : 'template'}
        multiline={multiline}
        placeholder={placeholder}
        className={code ? 'code-input' : undefined}
        fieldLabel={label}
        required={required}
        describedBy={describedBy(id, help, null)}
      />
    </FieldShell>
  );
}
