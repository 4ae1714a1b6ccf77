// What the user types → document values, and the document updates the settings forms make. Pure
// functions: parse errors are returned as plain-words messages (never thrown), and every update
// returns the same document when nothing changes (so no empty undo entries).

import { EditError, updateStep } from '../flow/edit';
import { findStep } from '../flow/model';
import type { FlowDocument, JsonMap, JsonValue, Step } from '../flow/types';
import { isTemplate } from './prop-form';

/** A parsed input: a value (`undefined`: cleared), or why the text is not one. */
export type Parsed = { ok: true; value: JsonValue | undefined } | { ok: false; error: string };

const ok = (value: JsonValue | undefined): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

/** A number field: '' clears, a template stays text, anything else must be a finite number. */
export function parseNumber(text: string, options: { integer?: boolean; min?: number } = {}): Parsed {
  const t = text.trim();
  if (t === '') return ok(undefined);
  if (isTemplate(t)) return ok(t);
  // `Number('')`/`Number(' ')` are 0 and `Number('0x10')` is 16: accept plain decimals only.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return fail('Enter a number (like 42 or 2.5), or a {{ }} reference.');
  const n = Number(t);
  if (!Number.isFinite(n)) return fail('That number is too large.');
  if (options.integer && !Number.isInteger(n)) return fail('Enter a whole number.');
  if (options.min !== undefined && n < options.min) return fail(`Enter a number of at least ${options.min}.`);
  return ok(n);
}

/** A JSON field: '' clears, a lone template stays text, otherwise the text must be JSON. */
export function parseJson(text: string): Parsed {
  const t = text.trim();
  if (t === '') return ok(undefined);
  try {
    return ok(JSON.parse(t) as JsonValue);
  } catch (e) {
    // A whole-value reference (`{{ trigger.body }}`) is not JSON but is a valid value.
    if (/^\{\{[\s\S]*\}\}$/.test(t) && isTemplate(t)) return ok(t);
    const detail = e instanceof Error ? e.message.replace(/^JSON\.parse: /, '') : '';
    return fail(`This is not valid JSON${detail ? ` (${detail})` : ''}. Check quotes, commas and brackets.`);
  }
}

/** A JSON value as the text a JSON field shows (pretty for objects and lists). */
export function jsonText(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string' && isTemplate(value)) return value;
  return JSON.stringify(value, null, 2);
}

/** A text field: '' clears. */
export function parseText(text: string): Parsed {
  return ok(text === '' ? undefined : text);
}

// ---- key/value rows (key_value props, `set` values, `respond` headers) ----

export interface KeyValueRow {
  key: string;
  /** The value as typed: text, or JSON text when `json` is set. */
  text: string;
  /** The value is JSON (a number, a list…), not text. */
  json: boolean;
}

/** An object as rows: text values as they are, other values as JSON text. */
export function rowsFromObject(value: JsonValue | undefined): KeyValueRow[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value).map(([key, v]) =>
    typeof v === 'string' ? { key, text: v, json: false } : { key, text: JSON.stringify(v), json: true },
  );
}

/**
 * Rows back into an object. Rows with an empty key are skipped (a row being typed); two rows with
 * the same key, or a JSON row that does not parse, are errors. No rows → `undefined` (cleared).
 */
export function objectFromRows(rows: readonly KeyValueRow[]): Parsed {
  const out: JsonMap = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) continue;
    if (key in out) return fail(`Two rows use the name “${key}”: each name may appear once.`);
    if (row.json) {
      const parsed = parseJson(row.text);
      if (!parsed.ok) return fail(`“${key}”: ${parsed.error}`);
      out[key] = parsed.value ?? null;
    } else {
      out[key] = row.text;
    }
  }
  return ok(Object.keys(out).length ? out : undefined);
}

// ---- lists (array props) ----

/** Whether a list can be edited as rows of text (absent, or every item a string). */
export function isSimpleList(value: JsonValue | undefined): boolean {
  return value === undefined || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

/** Rows of text back into a list; empty rows are dropped; no items → `undefined`. */
export function listFromItems(items: readonly string[]): JsonValue | undefined {
  const out = items.map((s) => s.trim()).filter((s) => s !== '');
  return out.length ? out : undefined;
}

// ---- document updates ----

/**
 * `props` with `name` set to `value`; `undefined`, '' and empty lists/objects remove the key (an
 * absent prop means "use the default"). Returns the same object when nothing changes.
 */
export function withProp(props: JsonMap | undefined, name: string, value: JsonValue | undefined): JsonMap {
  const current = props ?? {};
  const empty =
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
  if (empty) {
    if (!(name in current)) return current;
    const { [name]: _removed, ...rest } = current;
    return rest;
  }
  if (name in current && JSON.stringify(current[name]) === JSON.stringify(value)) return current;
  return { ...current, [name]: value };
}

/** Sets one prop of the node `nodeId` (the trigger or an action step). */
export function setNodeProp(doc: FlowDocument, nodeId: string, name: string, value: JsonValue | undefined): FlowDocument {
  if (nodeId === doc.trigger.id) {
    const props = withProp(doc.trigger.props, name, value);
    if (props === (doc.trigger.props ?? {})) return doc;
    const { props: _p, ...rest } = doc.trigger;
    return { ...doc, trigger: Object.keys(props).length ? { ...rest, props } : rest };
  }
  const loc = findStep(doc, nodeId);
  if (!loc) throw new EditError(`there is no step \`${nodeId}\``);
  if (loc.step.type !== 'action') throw new EditError('only action steps have props');
  const props = withProp(loc.step.props, name, value);
  if (props === (loc.step.props ?? {})) return doc;
  return updateStep(doc, nodeId, (s) => ({ ...s, props }) as Step);
}

/** Sets (or with '' / `undefined` removes) the connection of the trigger or an action step. */
export function setNodeConnection(doc: FlowDocument, nodeId: string, connection: string | undefined): FlowDocument {
  const next = connection?.trim() || undefined;
  if (nodeId === doc.trigger.id) {
    if (doc.trigger.connection === next) return doc;
    const { connection: _c, ...rest } = doc.trigger;
    return { ...doc, trigger: next ? { ...rest, connection: next } : rest };
  }
  const loc = findStep(doc, nodeId);
  if (!loc) throw new EditError(`there is no step \`${nodeId}\``);
  if (loc.step.type !== 'action') throw new EditError('only action steps have a connection');
  if (loc.step.connection === next) return doc;
  return updateStep(doc, nodeId, (s) => {
    const { connection: _c, ...rest } = s as Step & { connection?: string };
    return (next ? { ...rest, connection: next } : rest) as Step;
  });
}

/**
 * Sets fields of a step (its type's own fields or the common ones): a field patched to `undefined`
 * is removed. Returns the same document when nothing changes. The id and type cannot be patched.
 */
export function patchStep(doc: FlowDocument, id: string, patch: Record<string, unknown>): FlowDocument {
  const loc = findStep(doc, id);
  if (!loc) throw new EditError(`there is no step \`${id}\``);
  if ('id' in patch || 'type' in patch) throw new EditError('use rename to change a step id');
  const step = loc.step as unknown as Record<string, unknown>;
  const changed = Object.entries(patch).some(([k, v]) =>
    v === undefined ? k in step : JSON.stringify(step[k]) !== JSON.stringify(v),
  );
  if (!changed) return doc;
  return updateStep(doc, id, (s) => {
    const out: Record<string, unknown> = { ...s };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete out[k];
      else out[k] = v;
    }
    return out as unknown as Step;
  });
}
