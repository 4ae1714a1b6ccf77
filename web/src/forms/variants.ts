// A `json` prop whose value is one of several objects told apart by `type` (the piece metadata's
// `variants`): which shape a value is, and the edits the form makes to it.

import type { PropMeta } from '../api/types';
import type { JsonMap, JsonValue } from '../flow/types';

export type Variant = NonNullable<PropMeta['variants']>[number];

function isObject(v: JsonValue | undefined): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The shape `value` has (absent: the default's), or null when it is something the form cannot show
 * (not an object, or an unknown `type`): the form then falls back to the JSON box.
 */
export function variantOf(value: JsonValue | undefined, fallback: JsonValue | undefined, variants: readonly Variant[]): Variant | null {
  const v = value === undefined ? fallback : value;
  if (v === undefined) return variants[0] ?? null;
  if (!isObject(v)) return null;
  return variants.find((x) => x.value === v.type) ?? null;
}

/** The object after choosing another shape: its `type`, keeping the fields both shapes have. */
export function switchVariant(value: JsonValue | undefined, next: Variant): JsonMap {
  const out: JsonMap = { type: next.value };
  if (isObject(value)) for (const f of next.fields) if (value[f.name] !== undefined) out[f.name] = value[f.name]!;
  return out;
}

/** The object with one field set (`undefined` removes it). */
export function setVariantField(value: JsonValue | undefined, variant: Variant, name: string, field: JsonValue | undefined): JsonMap {
  const out: JsonMap = isObject(value) ? { ...value } : { type: variant.value };
  if (field === undefined) delete out[name];
  else out[name] = field;
  return out;
}

/** The field values of an object of this shape (for the sub-form). */
export function variantField(value: JsonValue | undefined, name: string): JsonValue | undefined {
  return isObject(value) ? value[name] : undefined;
}
