// The condition builder's model (rows of field / operator / value joined by AND or OR) and its
// two-way translation to the rhai expression the engine runs.
//
// What each operator writes (F is the field's path, "v" the value):
//   equals            lower(to_string(F)) == "v"          (text, case-insensitive)
//   does not equal    lower(to_string(F)) != "v"
//   contains          lower(to_string(F)).contains("v")
//   does not contain  !lower(to_string(F)).contains("v")
//   starts with       lower(to_string(F)).starts_with("v")
//   ends with         lower(to_string(F)).ends_with("v")
//   greater than …    to_float(F) > 30    (>, <, >=, <=; a value that is not a number: to_float("…"))
//   is empty          is_empty(F)          is not empty  !is_empty(F)
//   is true           F == true            is false      F == false
//   exists            F != ()
// A value with upper-case letters is written lower("Value") so the row reads back exactly as
// typed. `to_string` makes text comparisons work on numbers and on missing fields (""), where
// `lower` alone fails in the engine. rhai functions used: lower, to_string, contains,
// starts_with, ends_with, to_float, is_empty — all checked against the engine (see README note
// in conditions/model.test.ts).

import { formatPath, type PathSegment } from '../expressions/paths';
import { ExprError, parse, quote, type Node } from '../expressions/parser';

export type Operator =
  | 'equals'
  | 'not_equals'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'ends_with'
  | 'gt'
  | 'lt'
  | 'gte'
  | 'lte'
  | 'is_empty'
  | 'is_not_empty'
  | 'is_true'
  | 'is_false'
  | 'exists';

export const OPERATORS: readonly { op: Operator; label: string; needsValue: boolean; numeric?: boolean }[] = [
  { op: 'equals', label: 'equals', needsValue: true },
  { op: 'not_equals', label: 'does not equal', needsValue: true },
  { op: 'contains', label: 'contains', needsValue: true },
  { op: 'not_contains', label: 'does not contain', needsValue: true },
  { op: 'starts_with', label: 'starts with', needsValue: true },
  { op: 'ends_with', label: 'ends with', needsValue: true },
  { op: 'gt', label: 'is greater than', needsValue: true, numeric: true },
  { op: 'lt', label: 'is less than', needsValue: true, numeric: true },
  { op: 'gte', label: 'is at least', needsValue: true, numeric: true },
  { op: 'lte', label: 'is at most', needsValue: true, numeric: true },
  { op: 'is_empty', label: 'is empty', needsValue: false },
  { op: 'is_not_empty', label: 'is not empty', needsValue: false },
  { op: 'is_true', label: 'is true', needsValue: false },
  { op: 'is_false', label: 'is false', needsValue: false },
  { op: 'exists', label: 'exists', needsValue: false },
];

export function operatorInfo(op: Operator) {
  return OPERATORS.find((o) => o.op === op)!;
}

export interface ConditionRow {
  /** A data path: `trigger.call.status`, `steps.lead["first name"]`. */
  field: string;
  op: Operator;
  /** What to compare with, as typed ('' for operators without a value). */
  value: string;
}

export interface ConditionModel {
  combine: 'and' | 'or';
  rows: ConditionRow[];
}

export const emptyRow = (): ConditionRow => ({ field: '', op: 'equals', value: '' });
export const emptyModel = (): ConditionModel => ({ combine: 'and', rows: [emptyRow()] });

const TEXT_OPS: Partial<Record<Operator, string>> = { contains: 'contains', not_contains: 'contains', starts_with: 'starts_with', ends_with: 'ends_with' };
const NUM_OPS: Partial<Record<Operator, string>> = { gt: '>', lt: '<', gte: '>=', lte: '<=' };
const NUMBER = /^-?\d+(\.\d+)?$/;

/** The path segments of a field, when it is a plain path (`trigger.x`, `steps.a["b c"][0]`). */
function pathOf(node: Node): PathSegment[] | null {
  if (node.type === 'var') return [node.name];
  if (node.type === 'member' && !node.optional) {
    const base = pathOf(node.object);
    return base && [...base, node.name];
  }
  if (node.type === 'index' && !node.optional && node.index.type === 'lit') {
    const base = pathOf(node.object);
    const k = node.index.value;
    if (!base || (typeof k !== 'string' && (typeof k !== 'number' || node.index.float))) return null;
    return [...base, k];
  }
  return null;
}

/** Why a field cannot be used, or null when it is a plain data path. */
export function fieldProblem(field: string): string | null {
  if (field.trim() === '') return 'Pick a field';
  try {
    const node = parse(field);
    if (!pathOf(node)) return 'A field is a path to data, like trigger.call.status';
    return null;
  } catch (e) {
    return e instanceof ExprError ? e.message : String(e);
  }
}

/** The field in the form the builder writes it (so the expression reads back the same). */
export function normalizeField(field: string): string {
  try {
    const p = pathOf(parse(field));
    return p ? formatPath(p) : field.trim();
  } catch {
    return field.trim();
  }
}

function textValue(v: string): string {
  return v === v.toLowerCase() ? quote(v) : `lower(${quote(v)})`;
}

function numberValue(v: string): string {
  return NUMBER.test(v.trim()) && v.trim() === v ? v : `to_float(${quote(v)})`;
}

/** One row's expression, or null while it has no field. */
export function rowExpression(row: ConditionRow): string | null {
  if (row.field.trim() === '') return null;
  const f = normalizeField(row.field);
  const text = `lower(to_string(${f}))`;
  switch (row.op) {
    case 'equals':
      return `${text} == ${textValue(row.value)}`;
    case 'not_equals':
      return `${text} != ${textValue(row.value)}`;
    case 'contains':
    case 'starts_with':
    case 'ends_with':
      return `${text}.${TEXT_OPS[row.op]}(${textValue(row.value)})`;
    case 'not_contains':
      return `!${text}.contains(${textValue(row.value)})`;
    case 'gt':
    case 'lt':
    case 'gte':
    case 'lte':
      return `to_float(${f}) ${NUM_OPS[row.op]} ${numberValue(row.value)}`;
    case 'is_empty':
      return `is_empty(${f})`;
    case 'is_not_empty':
      return `!is_empty(${f})`;
    case 'is_true':
      return `${f} == true`;
    case 'is_false':
      return `${f} == false`;
    case 'exists':
      return `${f} != ()`;
  }
}

/** The whole condition ('' when no row has a field yet). */
export function toExpression(model: ConditionModel): string {
  const parts = model.rows.map(rowExpression).filter((x): x is string => x !== null);
  return parts.join(model.combine === 'and' ? ' && ' : ' || ');
}

// ---- reading an expression back ----

const isCall = (n: Node, name: string, args: number): n is Extract<Node, { type: 'call' }> => n.type === 'call' && n.name === name && n.args.length === args;

/** F out of lower(to_string(F)). */
function textField(n: Node): string | null {
  if (!isCall(n, 'lower', 1) || !isCall(n.args[0]!, 'to_string', 1)) return null;
  const p = pathOf(n.args[0].args[0]!);
  return p && formatPath(p);
}

/** The value out of "v" or lower("V"). */
function textLit(n: Node): string | null {
  if (n.type === 'lit' && typeof n.value === 'string') return n.value === n.value.toLowerCase() ? n.value : null;
  const a = isCall(n, 'lower', 1) ? n.args[0]! : null;
  if (a && a.type === 'lit' && typeof a.value === 'string') {
    const v = a.value;
    return v === v.toLowerCase() ? null : v;
  }
  return null;
}

function numberLit(n: Node): string | null {
  if (n.type === 'lit' && typeof n.value === 'number' && n.raw && NUMBER.test(n.raw)) return n.raw;
  if (n.type === 'unary' && n.op === '-' && n.arg.type === 'lit' && typeof n.arg.value === 'number' && n.arg.raw && NUMBER.test(n.arg.raw)) return `-${n.arg.raw}`;
  const a = isCall(n, 'to_float', 1) ? n.args[0]! : null;
  if (a && a.type === 'lit' && typeof a.value === 'string') {
    const v = a.value;
    return NUMBER.test(v.trim()) && v.trim() === v ? null : v;
  }
  return null;
}

function rowOf(n: Node): ConditionRow | null {
  if (n.type === 'binary' && (n.op === '==' || n.op === '!=')) {
    const tf = textField(n.left);
    const tv = textLit(n.right);
    if (tf !== null && tv !== null) return { field: tf, op: n.op === '==' ? 'equals' : 'not_equals', value: tv };
    const p = pathOf(n.left);
    if (p && n.op === '==' && n.right.type === 'lit' && typeof n.right.value === 'boolean' && p.length > 0) {
      return { field: formatPath(p), op: n.right.value ? 'is_true' : 'is_false', value: '' };
    }
    if (p && n.op === '!=' && n.right.type === 'lit' && n.right.value === null) {
      return { field: formatPath(p), op: 'exists', value: '' };
    }
    return null;
  }
  if (n.type === 'binary' && (n.op === '>' || n.op === '<' || n.op === '>=' || n.op === '<=')) {
    if (!isCall(n.left, 'to_float', 1)) return null;
    const p = pathOf(n.left.args[0]!);
    const v = numberLit(n.right);
    if (!p || v === null) return null;
    const op = (Object.keys(NUM_OPS) as Operator[]).find((k) => NUM_OPS[k] === n.op)!;
    return { field: formatPath(p), op, value: v };
  }
  if (n.type === 'method' && n.args.length === 1) {
    const tf = textField(n.object);
    const tv = textLit(n.args[0]!);
    const op = (['contains', 'starts_with', 'ends_with'] as const).find((k) => k === n.name);
    if (tf === null || tv === null || !op) return null;
    return { field: tf, op, value: tv };
  }
  if (n.type === 'unary' && n.op === '!') {
    const inner = rowOf(n.arg);
    if (inner?.op === 'contains') return { ...inner, op: 'not_contains' };
    if (inner?.op === 'is_empty') return { ...inner, op: 'is_not_empty' };
    return null;
  }
  if (isCall(n, 'is_empty', 1)) {
    const p = pathOf(n.args[0]!);
    return p && { field: formatPath(p), op: 'is_empty', value: '' };
  }
  return null;
}

export type ParseOutcome = { ok: true; model: ConditionModel } | { ok: false; reason: string };

export const HAND_WRITTEN = 'This condition was written by hand; edit it as an expression.';

/** Reads an expression back into rows when it has the builder's shape. */
export function fromExpression(expression: string): ParseOutcome {
  // A new filter starts as `true` (everything passes): that is an empty builder, not hand-written.
  if (expression.trim() === '' || expression.trim() === 'true') return { ok: true, model: emptyModel() };
  let node: Node;
  try {
    node = parse(expression);
  } catch (e) {
    return { ok: false, reason: `${HAND_WRITTEN} (${e instanceof Error ? e.message : String(e)})` };
  }
  const top = node.type === 'binary' && (node.op === '&&' || node.op === '||') ? node.op : null;
  const rows: Node[] = [];
  const collect = (n: Node) => {
    if (top && n.type === 'binary' && n.op === top) {
      collect(n.left);
      collect(n.right);
    } else rows.push(n);
  };
  collect(node);
  const out: ConditionRow[] = [];
  for (const r of rows) {
    const row = rowOf(r);
    if (!row) return { ok: false, reason: HAND_WRITTEN };
    out.push(row);
  }
  return { ok: true, model: { combine: top === '||' ? 'or' : 'and', rows: out } };
}
