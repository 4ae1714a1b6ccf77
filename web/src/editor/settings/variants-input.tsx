import { fieldModel, type FieldModel } from '../../forms/prop-form';
import { setVariantField, switchVariant, variantField, variantOf } from '../../forms/variants';
import type { JsonValue } from '../../flow/types';
import { describedBy } from './field-shell';
import { JsonEditor } from './json-editor';
import { PropField, type FieldContext } from './prop-field';

/**
 * A prop holding one of several objects (a webhook's authentication): a choice of the kind, then
 * that kind's own fields, generated from the metadata like any other form. A value the choices do
 * not describe is shown as JSON, so nothing is hidden or lost.
 */
export function VariantsInput({ id, field, context, onChange }: { id: string; field: FieldModel; context: FieldContext; onChange: (v: JsonValue | undefined) => void }) {
  const variants = field.variants ?? [];
  const variant = variantOf(field.value, field.defaultValue, variants);
  if (!variant) {
    return (
      <>
        <small className="field-help muted">This value is not one of the usual choices; edit it as JSON.</small>
        <JsonEditor id={id} value={field.value} onChange={onChange} placeholder={field.placeholder} help={field.help} required={field.required} />
      </>
    );
  }
  return (
    <div className="variants-input">
      <select
        id={id}
        value={variant.value}
        // The field is a group: its legend names this choice too.
        aria-labelledby={`${id}-legend`}
        aria-describedby={describedBy(id, field.help, null)}
        onChange={(e) => {
          const next = variants.find((v) => v.value === e.target.value);
          if (next) onChange(switchVariant(field.value, next));
        }}
      >
        {variants.map((v) => (
          <option key={v.value} value={v.value}>
            {v.label}
          </option>
        ))}
      </select>
      {variant.fields.map((sub) => (
        <PropField
          key={`${variant.value}-${sub.name}`}
          id={`${id}-${sub.name}`}
          field={fieldModel(sub, variantField(field.value, sub.name))}
          // A secret the user chooses (the header value, the signing secret) may be generated.
          context={{ ...context, generate: (f) => f.secret }}
          onChange={(v) => onChange(setVariantField(field.value, variant, sub.name, v))}
        />
      ))}
    </div>
  );
}
