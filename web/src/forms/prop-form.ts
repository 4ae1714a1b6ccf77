// Piece metadata → form model: what each field of a step's (or trigger's) props form shows, derived
// from the prop's metadata and the value in the document. Pure: the components in
// ../editor/settings render these models, and ./prop-value.ts turns what the user types back into
// document values.

import type { PropKind, PropMeta, SelectOption } from '../api/types';
import type { JsonMap, JsonValue } from '../flow/types';

/** The input a field is drawn with. */
export type FieldControl =
  | 'text'
  | 'textarea'
  | 'number'
  | 'checkbox'
  | 'select'
  | 'dynamic_select'
  | 'multi_select'
  | 'json'
  | 'key_value'
  | 'array'
  | 'date_time'
  | 'file'
  | 'variants';

const CONTROLS: Record<PropKind, FieldControl> = {
  short_text: 'text',
  long_text: 'textarea',
  number: 'number',
  boolean: 'checkbox',
  select: 'select',
  dynamic_select: 'dynamic_select',
  multi_select: 'multi_select',
  json: 'json',
  key_value: 'key_value',
  array: 'array',
  date_time: 'date_time',
  file: 'file',
};

/** Kinds whose input is text anyway: a `{{ }}` template needs no switch there. */
const TEXT_KINDS: ReadonlySet<PropKind> = new Set(['short_text', 'long_text', 'date_time', 'file']);

export interface FieldModel {
  /** The key in `props`. */
  name: string;
  label: string;
  kind: PropKind;
  control: FieldControl;
  required: boolean;
  secret: boolean;
  help?: string;
  /** Shown in the empty input: the example, else the default (as text). */
  placeholder?: string;
  /** What the engine uses when the prop is absent. */
  defaultValue?: JsonValue;
  options: SelectOption[];
  optionsFrom?: PropMeta['options_from'];
  /** The shapes of a `variants` control. */
  variants?: PropMeta['variants'];
  /** The value in the document (`undefined`: not set). */
  value: JsonValue | undefined;
  /**
   * The value is a `{{ }}` template where the kind expects something else (a number, a choice, a
   * list…): the form shows it as text so it stays editable.
   */
  template: boolean;
  /** Not declared by the piece (kept, shown as extra rows, for actions that accept extra props). */
  extra: boolean;
}

/** Whether a value is (or contains) a `{{ … }}` template. */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && /\{\{[\s\S]*\}\}/.test(value);
}

/** Whether the kind's input is plain text, so templates are typed in it directly. */
export function isTextKind(kind: PropKind): boolean {
  return TEXT_KINDS.has(kind);
}

/** A value as one line of text for a placeholder or a text input (`undefined` → ''). */
export function displayText(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function placeholderFor(prop: PropMeta): string | undefined {
  const source = prop.example !== undefined ? prop.example : prop.default;
  if (source === undefined || source === null) return undefined;
  const text = displayText(source);
  return text ? `e.g. ${text}` : undefined;
}

/** One field's model from its metadata and the document's value. */
export function fieldModel(prop: PropMeta, value: JsonValue | undefined): FieldModel {
  return {
    name: prop.name,
    label: prop.label || prop.name,
    kind: prop.kind,
    control: prop.kind === 'json' && prop.variants?.length ? 'variants' : (CONTROLS[prop.kind] ?? 'text'),
    required: prop.required === true,
    secret: prop.secret === true,
    help: prop.help,
    placeholder: placeholderFor(prop),
    defaultValue: prop.default,
    options: prop.options ?? [],
    optionsFrom: prop.options_from,
    variants: prop.variants,
    value,
    template: !isTextKind(prop.kind) && isTemplate(value),
    extra: false,
  };
}

/**
 * The form of a props map: one field per declared prop, in the piece's order, then (when the
 * document has props the piece does not declare) one text field per extra prop, so nothing in the
 * document is hidden from the user.
 */
export function buildFields(props: readonly PropMeta[], values: JsonMap | undefined): FieldModel[] {
  const fields = props.map((p) => fieldModel(p, values?.[p.name]));
  const declared = new Set(props.map((p) => p.name));
  for (const [name, value] of Object.entries(values ?? {})) {
    if (declared.has(name)) continue;
    const kind: PropKind = typeof value === 'string' ? 'short_text' : 'json';
    fields.push({ ...fieldModel({ name, label: name, kind, required: false }, value), extra: true });
  }
  return fields;
}

/** Required props without a value (an empty string or empty list counts as none). */
export function missingRequired(fields: readonly FieldModel[]): FieldModel[] {
  return fields.filter((f) => f.required && isEmptyValue(f.value) && f.defaultValue === undefined);
}

/** Whether a value counts as "not filled in". */
export function isEmptyValue(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** The label of a select's current value, or `undefined` when it is not among the options. */
export function optionIndex(options: readonly SelectOption[], value: JsonValue | undefined): number {
  if (value === undefined) return -1;
  const key = JSON.stringify(value);
  return options.findIndex((o) => JSON.stringify(o.value) === key);
}
