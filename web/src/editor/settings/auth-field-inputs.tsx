import type { PropMeta } from '../../api/types';
import { describedBy, FieldShell } from './field-shell';

/** Values typed into a piece's connection fields, by field name. */
export type AuthInput = Record<string, string | boolean>;

/** The fields' defaults (never for secrets): the form's starting values. */
export function initialAuthInput(fields: PropMeta[]): AuthInput {
  const init: AuthInput = {};
  for (const f of fields) {
    if (f.default !== undefined && !f.secret) init[f.name] = typeof f.default === 'boolean' ? f.default : String(f.default);
  }
  return init;
}

/**
 * A piece's connection fields (`auth_fields`), shared by "connect a new account" and
 * "reconnect": secrets in password inputs (never shown back), selects, checkboxes, long text, and
 * per-field errors announced with the field.
 */
export function AuthFieldInputs({
  fields,
  idPrefix,
  input,
  onChange,
  errors,
  disabled,
}: {
  fields: PropMeta[];
  idPrefix: string;
  input: AuthInput;
  onChange: (input: AuthInput) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const err = errors[f.name];
        const common = {
          id,
          'aria-required': f.required || undefined,
          'aria-invalid': err ? true : undefined,
          'aria-describedby': describedBy(id, f.help, err),
          disabled,
        };
        const v = input[f.name];
        const set = (value: string | boolean) => onChange({ ...input, [f.name]: value });
        return (
          <FieldShell key={f.name} id={id} label={f.label || f.name} required={f.required} help={f.help} error={err}>
            {f.kind === 'boolean' ? (
              <input {...common} type="checkbox" checked={v === true} onChange={(e) => set(e.target.checked)} />
            ) : f.kind === 'select' && f.options?.length ? (
              <select {...common} value={typeof v === 'string' ? v : ''} onChange={(e) => set(e.target.value)}>
                <option value="">— Choose —</option>
                {f.options.map((o, i) => (
                  <option key={i} value={String(o.value)}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : f.kind === 'long_text' && !f.secret ? (
              <textarea {...common} rows={3} value={typeof v === 'string' ? v : ''} onChange={(e) => set(e.target.value)} />
            ) : (
              <input
                {...common}
                type={f.secret ? 'password' : 'text'}
                inputMode={f.kind === 'number' ? 'numeric' : undefined}
                autoComplete={f.secret ? 'new-password' : 'off'}
                spellCheck={false}
                value={typeof v === 'string' ? v : ''}
                placeholder={f.example !== undefined && !f.secret ? `e.g. ${String(f.example)}` : undefined}
                onChange={(e) => set(e.target.value)}
              />
            )}
          </FieldShell>
        );
      })}
    </>
  );
}
