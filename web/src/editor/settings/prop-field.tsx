import { useState } from 'react';
import { displayText, isTemplate, isTextKind, optionIndex, type FieldModel } from '../../forms/prop-form';
import { isSimpleList } from '../../forms/prop-value';
import type { JsonMap, JsonValue } from '../../flow/types';
import { ExpressionInput } from '../../expressions/expression-input';
import { DynamicSelectInput } from './dynamic-select-input';
import { describedBy, FieldShell } from './field-shell';
import { JsonEditor } from './json-editor';
import { KeyValueEditor } from './key-value-editor';
import { ListEditor } from './list-editor';
import { MultiSelectInput } from './multi-select-input';
import { NumberInput } from './number-input';
import { SecretInput } from './secret-input';
import { VariantsInput } from './variants-input';

/** What a field needs to know about its step beyond its own metadata. */
export interface FieldContext {
  piece: string;
  /** The action (dynamic selects load through it); absent for triggers. */
  action?: string;
  connection?: string;
  needsConnection: boolean;
  props: JsonMap | undefined;
  /** Props whose secret may be generated here. */
  generate?: (field: FieldModel) => boolean;
}

/**
 * One prop's input, chosen by its kind. Every kind also takes a `{{ }}` reference: text kinds
 * directly, the others through "Use a reference" (a value that is already a template opens in that
 * mode, so it always stays editable).
 */
export function PropField({ id, field, context, onChange }: { id: string; field: FieldModel; context: FieldContext; onChange: (v: JsonValue | undefined) => void }) {
  const [referenceMode, setReferenceMode] = useState(field.template);
  const reference = field.template || referenceMode;
  const canReference = !isTextKind(field.kind) && field.control !== 'key_value';
  const toggle = canReference ? (
    <button
      type="button"
      className="button small ghost"
      aria-pressed={reference}
      title={reference ? 'Pick a fixed value instead' : 'Use a {{ }} reference to earlier data instead of a fixed value'}
      onClick={() => {
        if (reference && isTemplate(field.value)) onChange(undefined);
        setReferenceMode(!reference);
      }}
    >
      {reference ? 'Use a fixed value' : 'Use a reference'}
      <span className="visually-hidden"> for {field.label}</span>
    </button>
  ) : null;
  const group =
    !reference &&
    (field.control === 'multi_select' ||
      field.control === 'variants' ||
      (field.control === 'key_value' && isObjectOrAbsent(field.value)) ||
      (field.control === 'array' && isSimpleList(field.value)));
  const checkbox = !reference && field.control === 'checkbox';
  return (
    <FieldShell
      id={id}
      label={field.label}
      required={field.required}
      help={field.help}
      actions={toggle}
      as={group ? 'fieldset' : 'div'}
    >
      {reference ? (
        <ExpressionInput
          id={id}
          className="code-input"
          value={displayText(field.value)}
          placeholder="{{ trigger.body.… }}"
          fieldLabel={field.label}
          required={field.required}
          describedBy={describedBy(id, field.help, null)}
          onChange={(v) => onChange(v === '' ? undefined : v)}
        />
      ) : checkbox ? (
        <CheckboxInput id={id} field={field} onChange={onChange} />
      ) : (
        <Input id={id} field={field} context={context} onChange={onChange} />
      )}
    </FieldShell>
  );
}

function CheckboxInput({ id, field, onChange }: { id: string; field: FieldModel; onChange: (v: JsonValue | undefined) => void }) {
  const effective = field.value ?? field.defaultValue;
  return (
    <span className="checkbox-row">
      <input
        id={id}
        type="checkbox"
        checked={effective === true}
        aria-describedby={describedBy(id, field.help, null)}
        // Absent means the default (or off): only a value that differs from it is written.
        onChange={(e) => onChange(e.target.checked === (field.defaultValue ?? false) ? undefined : e.target.checked)}
      />
      <span className="muted small-text">{field.value === undefined && field.defaultValue !== undefined ? '(default)' : ''}</span>
    </span>
  );
}

function Input({ id, field, context, onChange }: { id: string; field: FieldModel; context: FieldContext; onChange: (v: JsonValue | undefined) => void }) {
  const common = {
    id,
    'aria-required': field.required || undefined,
    'aria-describedby': describedBy(id, field.help, null),
  };
  const text = (v: string) => onChange(v === '' ? undefined : v);
  // Text kinds take {{ }} references: the data picker, autocomplete and the live preview.
  const templateInput = (placeholder: string | undefined, multiline?: boolean) => (
    <ExpressionInput id={id} value={displayText(field.value)} placeholder={placeholder} multiline={multiline} fieldLabel={field.label} required={field.required} describedBy={common['aria-describedby']} onChange={text} />
  );
  if (field.secret && (field.control === 'text' || field.control === 'textarea')) {
    return (
      <SecretInput
        id={id}
        value={displayText(field.value)}
        onChange={text}
        placeholder={field.placeholder}
        help={field.help}
        required={field.required}
        canGenerate={context.generate?.(field)}
      />
    );
  }
  switch (field.control) {
    case 'text':
    case 'file':
      return templateInput(field.placeholder);
    case 'date_time':
      return templateInput(field.placeholder ?? 'e.g. 2026-05-01T09:00:00Z or {{ … }}');
    case 'textarea':
      return templateInput(field.placeholder, true);
    case 'number':
      return <NumberInput id={id} value={field.value} onChange={onChange} placeholder={field.placeholder} help={field.help} required={field.required} />;
    case 'select': {
      const index = optionIndex(field.options, field.value);
      const defaultIndex = optionIndex(field.options, field.defaultValue);
      const unknown = field.value !== undefined && index < 0;
      return (
        <select
          {...common}
          value={unknown ? 'current' : index >= 0 ? String(index) : ''}
          onChange={(e) => {
            const v = e.target.value;
            if (v !== 'current') onChange(v === '' ? undefined : field.options[Number(v)]?.value);
          }}
        >
          <option value="">{defaultIndex >= 0 ? `Default (${field.options[defaultIndex]!.label})` : '— Choose —'}</option>
          {unknown && <option value="current">{displayText(field.value)} (current)</option>}
          {field.options.map((o, i) => (
            <option key={i} value={String(i)}>
              {o.label}
            </option>
          ))}
        </select>
      );
    }
    case 'variants':
      return <VariantsInput id={id} field={field} context={context} onChange={onChange} />;
    case 'dynamic_select':
      if (!context.action || !field.optionsFrom) {
        return templateInput(field.placeholder);
      }
      return (
        <DynamicSelectInput
          id={id}
          piece={context.piece}
          action={context.action}
          prop={{ name: field.name, options_from: field.optionsFrom }}
          connection={context.connection}
          needsConnection={context.needsConnection}
          stepProps={context.props}
          value={field.value}
          onChange={onChange}
          help={field.help}
          required={field.required}
        />
      );
    case 'multi_select':
      return <MultiSelectInput id={id} options={field.options} value={field.value} onChange={onChange} />;
    case 'key_value':
      if (!isObjectOrAbsent(field.value)) {
        return <JsonEditor id={id} value={field.value} onChange={onChange} placeholder={field.placeholder} help={field.help} required={field.required} />;
      }
      return <KeyValueEditor id={id} label={field.label} value={field.value} onChange={onChange} />;
    case 'array':
      if (!isSimpleList(field.value)) {
        return <JsonEditor id={id} value={field.value} onChange={onChange} placeholder={field.placeholder} help={field.help} required={field.required} />;
      }
      return <ListEditor id={id} label={field.label} value={field.value} onChange={onChange} />;
    case 'json':
    default:
      return <JsonEditor id={id} value={field.value} onChange={onChange} placeholder={field.placeholder} help={field.help} required={field.required} />;
  }
}

function isObjectOrAbsent(value: JsonValue | undefined): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}
