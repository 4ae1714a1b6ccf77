// Evaluates the parsed subset of rhai (./parser.ts) against sample data, for the live preview.
// It follows the engine's rules where flow authors meet them: a missing field reads as null, but
// reading a field OF a missing value is an error (`?.` allows it); integers and decimals are
// different (7 / 2 is 3); `&&`, `||` and `!` need true or false; comparing values of different
// kinds is false. Helpers it does not implement are reported ("preview not available for x()"),
// never guessed. Nothing here throws: every outcome is a value or an error in words.

import { ExprError, parse, type Node } from './parser';

/** A decimal number (rhai FLOAT), kept apart from integers (plain JS numbers here). */
export class Float {
  constructor(readonly v: number) {}
}

export type Val = null | boolean | string | number | Float | Val[] | { [key: string]: Val };

/** What the expressions can read: `trigger`, `steps`, `vars`, `run`, and in a loop `item`/`index`. */
export interface Scope {
  trigger?: unknown;
  steps?: Record<string, unknown>;
  vars?: unknown;
  run?: unknown;
  item?: unknown;
  index?: unknown;
}

export const ROOTS = ['trigger', 'steps', 'vars', 'run', 'item', 'index'] as const;

export type EvalResult = { ok: true; value: unknown } | { ok: false; error: string; unsupported?: boolean };

/** Thrown inside the evaluator for helpers the preview does not implement. */
class Unsupported extends Error {}

/** JSON sample data → values (non-integer numbers are decimals). */
export function fromJson(v: unknown): Val {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? v : new Float(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const out: { [key: string]: Val } = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromJson(x);
    return out;
  }
  return null;
}

/** Values → JSON (decimals become plain numbers). */
export function toJson(v: Val): unknown {
  if (v instanceof Float) return v.v;
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toJson(x);
    return out;
  }
  return v;
}

function isNum(v: Val): v is number | Float {
  return typeof v === 'number' || v instanceof Float;
}
function num(v: number | Float): number {
  return v instanceof Float ? v.v : v;
}
function isMap(v: Val): v is { [key: string]: Val } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Float);
}

/** How a value is named in messages. */
export function kindOf(v: Val): string {
  if (v === null) return 'an empty value (a missing field or null)';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'true/false';
  if (isNum(v)) return 'a number';
  if (Array.isArray(v)) return 'a list';
  return 'an object';
}

function floatText(f: number): string {
  if (!Number.isFinite(f)) return String(f);
  return Number.isInteger(f) && Math.abs(f) < 1e16 ? `${f}.0` : String(f);
}

/** The text a value interpolates to in a template (the engine's rules): null is nothing, lists and objects are compact JSON. */
export function toText(v: Val): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Float) return floatText(v.v);
  if (typeof v === 'number') return String(v);
  return JSON.stringify(toJson(v));
}

function deepEqual(a: Val, b: Val): boolean {
  if (isNum(a) && isNum(b)) return num(a) === num(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k]!, b[k]!));
  }
  return a === b;
}

function arith(op: string, a: Val, b: Val, pos: number): Val {
  if (op === '+') {
    if (typeof a === 'string' || typeof b === 'string') {
      if (isMap(a) || isMap(b) || Array.isArray(a) || Array.isArray(b)) throw new ExprError(`Cannot add ${kindOf(a)} and ${kindOf(b)}`, pos);
      return toText(a) + toText(b);
    }
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (!isNum(a) || !isNum(b)) throw new ExprError(`"${op}" needs numbers on both sides, got ${kindOf(a)} and ${kindOf(b)}`, pos);
  const float = a instanceof Float || b instanceof Float;
  const x = num(a);
  const y = num(b);
  let r: number;
  switch (op) {
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
      if (!float && y === 0) throw new ExprError('Division by zero', pos);
      r = float ? x / y : Math.trunc(x / y);
      break;
    default:
      if (!float && y === 0) throw new ExprError('Division by zero', pos);
      r = x % y;
  }
  return float ? new Float(r) : r;
}

function compare(op: string, a: Val, b: Val): boolean {
  if (op === '==') return deepEqual(a, b);
  if (op === '!=') return !deepEqual(a, b);
  let c: number;
  if (isNum(a) && isNum(b)) c = num(a) - num(b);
  else if (typeof a === 'string' && typeof b === 'string') c = a < b ? -1 : a > b ? 1 : 0;
  else return false; // rhai: comparing different kinds is false
  return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
}

function bool(v: Val, what: string, pos: number): boolean {
  if (typeof v !== 'boolean') throw new ExprError(`${what} needs true or false, got ${kindOf(v)}`, pos);
  return v;
}

function text(name: string, v: Val, pos: number): string {
  if (typeof v !== 'string') {
    const hint = v === null ? ': use default(x, "") for a field that may be missing' : '';
    throw new ExprError(`${name}() needs text, got ${kindOf(v)}${hint}`, pos);
  }
  return v;
}

function isEmpty(v: Val): boolean {
  if (v === null) return true;
  if (typeof v === 'string') return v === '';
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

function parseNumber(name: string, s: string, pos: number): number | Float {
  const t = s.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return new Float(Number(t));
  throw new ExprError(`${name}: ${JSON.stringify(s)} is not a number`, pos);
}

function roundHalfAway(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const s = Math.abs(x) * f;
  return (Math.sign(x) * Math.round(s)) / f;
}

type Helper = (args: Val[], pos: number) => Val;

function arity(name: string, args: Val[], min: number, max: number, pos: number) {
  if (args.length < min || args.length > max) {
    throw new ExprError(`${name}() takes ${min === max ? min : `${min} to ${max}`} value${max === 1 ? '' : 's'}, got ${args.length}`, pos);
  }
}

const strFn =
  (name: string, f: (s: string) => string): Helper =>
  (args, pos) => {
    arity(name, args, 1, 1, pos);
    return f(text(name, args[0]!, pos));
  };

/** The helpers the preview evaluates (each also callable as a method: `x.lower()`). */
const HELPERS: Record<string, Helper> = {
  lower: strFn('lower', (s) => s.toLowerCase()),
  upper: strFn('upper', (s) => s.toUpperCase()),
  trim: strFn('trim', (s) => s.trim()),
  trim_start: strFn('trim_start', (s) => s.trimStart()),
  trim_end: strFn('trim_end', (s) => s.trimEnd()),
  capitalize: strFn('capitalize', (s) => {
    const [first = '', ...rest] = Array.from(s);
    return first.toUpperCase() + rest.join('').toLowerCase();
  }),
  title_case: strFn('title_case', (s) => {
    let out = '';
    let inWord = false;
    for (const c of s) {
      out += inWord ? c.toLowerCase() : c.toUpperCase();
      inWord = /[\p{L}\p{N}'’]/u.test(c);
    }
    return out;
  }),
  is_empty: (args, pos) => {
    arity('is_empty', args, 1, 1, pos);
    return isEmpty(args[0]!);
  },
  len: (args, pos) => {
    arity('len', args, 1, 1, pos);
    const v = args[0]!;
    if (v === null) return 0;
    if (typeof v === 'string') return Array.from(v).length;
    if (Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new ExprError(`len() needs text or a list, got ${kindOf(v)}`, pos);
  },
  default: (args, pos) => {
    arity('default', args, 2, 2, pos);
    const v = args[0]!;
    return v === null || v === '' ? args[1]! : v;
  },
  coalesce: (args, pos) => {
    arity('coalesce', args, 1, 8, pos);
    return args.find((v) => v !== null && v !== '') ?? null;
  },
  to_int: (args, pos) => {
    arity('to_int', args, 1, 1, pos);
    const v = args[0]!;
    if (typeof v === 'boolean') return v ? 1 : 0;
    const n = typeof v === 'string' ? parseNumber('to_int', v, pos) : isNum(v) ? v : null;
    if (n === null) throw new ExprError(`to_int: cannot turn ${kindOf(v)} into an integer`, pos);
    return Math.trunc(num(n));
  },
  to_float: (args, pos) => {
    arity('to_float', args, 1, 1, pos);
    const v = args[0]!;
    if (typeof v === 'boolean') return new Float(v ? 1 : 0);
    const n = typeof v === 'string' ? parseNumber('to_float', v, pos) : isNum(v) ? v : null;
    if (n === null) throw new ExprError(`to_float: cannot turn ${kindOf(v)} into a decimal number`, pos);
    return new Float(num(n));
  },
  round: (args, pos) => {
    arity('round', args, 1, 2, pos);
    const v = args[0]!;
    if (!isNum(v)) throw new ExprError(`round() needs a number, got ${kindOf(v)}`, pos);
    const d = args[1] ?? 0;
    if (typeof d !== 'number') throw new ExprError('round(): the number of decimals must be an integer', pos);
    if (typeof v === 'number') return d >= 0 ? v : roundHalfAway(v, d);
    return new Float(roundHalfAway(v.v, d));
  },
  to_string: (args, pos) => {
    arity('to_string', args, 1, 1, pos);
    const v = args[0]!;
    if (Array.isArray(v) || isMap(v)) throw new Unsupported('to_string');
    return toText(v);
  },
  contains: (args, pos) => {
    arity('contains', args, 2, 2, pos);
    const [v, x] = args as [Val, Val];
    if (typeof v === 'string') return v.includes(text('contains', x, pos));
    if (Array.isArray(v)) return v.some((e) => deepEqual(e, x));
    if (isMap(v)) return Object.hasOwn(v, text('contains', x, pos));
    throw new ExprError(`contains() needs text or a list, got ${kindOf(v)}`, pos);
  },
  starts_with: (args, pos) => {
    arity('starts_with', args, 2, 2, pos);
    return text('starts_with', args[0]!, pos).startsWith(text('starts_with', args[1]!, pos));
  },
  matches: (args, pos) => {
    arity('matches', args, 2, 2, pos);
    const pattern = text('matches', args[1]!, pos);
    // The engine's inline flags, `(?i)` and friends, are JavaScript's flags.
    const inline = /^\(\?([ims]+)\)/.exec(pattern);
    try {
      const re = new RegExp(inline ? pattern.slice(inline[0].length) : pattern, `u${inline?.[1] ?? ''}`);
      return re.test(text('matches', args[0]!, pos));
    } catch {
      throw new ExprError(`matches: the pattern "${pattern}" is not valid`, pos);
    }
  },
  ends_with: (args, pos) => {
    arity('ends_with', args, 2, 2, pos);
    return text('ends_with', args[0]!, pos).endsWith(text('ends_with', args[1]!, pos));
  },
  replace: (args, pos) => {
    arity('replace', args, 3, 3, pos);
    const from = text('replace', args[1]!, pos);
    const s = text('replace', args[0]!, pos);
    return from === '' ? s : s.split(from).join(text('replace', args[2]!, pos));
  },
  json_stringify: (args, pos) => {
    arity('json_stringify', args, 1, 1, pos);
    return JSON.stringify(toJson(args[0]!)) ?? 'null';
  },
};
HELPERS.to_json = HELPERS.json_stringify!;

/** Helpers the preview evaluates. */
export const PREVIEW_HELPERS: ReadonlySet<string> = new Set(Object.keys(HELPERS));

function evaluate(node: Node, scope: Scope): Val {
  switch (node.type) {
    case 'lit':
      return node.float && typeof node.value === 'number' ? new Float(node.value) : node.value;
    case 'paren':
      return evaluate(node.inner, scope);
    case 'array':
      return node.items.map((i) => evaluate(i, scope));
    case 'var': {
      if (!(ROOTS as readonly string[]).includes(node.name)) {
        throw new ExprError(`There is nothing called "${node.name}": data starts with trigger, steps, vars or run`, node.pos);
      }
      const v = scope[node.name as keyof Scope];
      return fromJson(node.name === 'steps' && v === undefined ? {} : v);
    }
    case 'member':
    case 'index': {
      const object = evaluate(node.object, scope);
      const key: Val = node.type === 'member' ? node.name : evaluate(node.index, scope);
      if (object === null) {
        if (node.optional) return null;
        throw new ExprError(`Cannot read ${JSON.stringify(toText(key))} of an empty value (the value before it is missing or null); use ?. to allow a missing value`, node.pos);
      }
      if (isMap(object)) {
        if (typeof key !== 'string') throw new ExprError(`Fields of an object are read with text, got ${kindOf(key)}`, node.pos);
        return Object.hasOwn(object, key) ? object[key]! : null;
      }
      if ((Array.isArray(object) || typeof object === 'string') && node.type === 'index') {
        if (typeof key !== 'number') throw new ExprError(`Items of a list are read by position (a whole number), got ${kindOf(key)}`, node.pos);
        const items = Array.isArray(object) ? object : Array.from(object);
        const i = key < 0 ? items.length + key : key;
        return i >= 0 && i < items.length ? items[i]! : null;
      }
      throw new ExprError(`Cannot read ${JSON.stringify(toText(key))} of ${kindOf(object)}`, node.pos);
    }
    case 'call':
    case 'method': {
      const helper = HELPERS[node.name];
      if (!helper) throw new Unsupported(node.name);
      const args = node.args.map((a) => evaluate(a, scope));
      if (node.type === 'method') args.unshift(evaluate(node.object, scope));
      return helper(args, node.pos);
    }
    case 'unary': {
      const v = evaluate(node.arg, scope);
      if (node.op === '!') return !bool(v, '"!" (not)', node.pos);
      if (!isNum(v)) throw new ExprError(`"-" needs a number, got ${kindOf(v)}`, node.pos);
      return v instanceof Float ? new Float(-v.v) : -v;
    }
    case 'binary': {
      const { op } = node;
      if (op === '&&' || op === '||') {
        const left = bool(evaluate(node.left, scope), `"${op}"`, node.pos);
        if (op === '&&' ? !left : left) return left;
        return bool(evaluate(node.right, scope), `"${op}"`, node.pos);
      }
      if (op === '??') {
        const left = evaluate(node.left, scope);
        return left === null ? evaluate(node.right, scope) : left;
      }
      const a = evaluate(node.left, scope);
      const b = evaluate(node.right, scope);
      if (op === '==' || op === '!=' || op === '<' || op === '>' || op === '<=' || op === '>=') return compare(op, a, b);
      return arith(op, a, b, node.pos);
    }
  }
}

function run<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string; unsupported?: boolean } {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof Unsupported) return { ok: false, error: `Preview not available for ${e.message}()`, unsupported: true };
    if (e instanceof ExprError) return { ok: false, error: e.message };
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Evaluates one expression (a condition, or what is inside `{{ }}`) to a value (as JSON). */
export function evalExpression(src: string, scope: Scope): EvalResult {
  if (src.trim() === '') return { ok: false, error: 'The expression is empty' };
  const r = run(() => evaluate(parse(src), scope));
  return r.ok ? { ok: true, value: toJson(r.value) } : r;
}

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expr'; source: string; start: number };

/** Splits text into literal parts and `{{ … }}` expressions (a `}}` inside a quoted string does not close). */
export function splitTemplate(src: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let i = 0;
  let textStart = 0;
  while (i < src.length) {
    if (src.startsWith('{{', i)) {
      if (i > textStart) parts.push({ kind: 'text', text: src.slice(textStart, i) });
      let j = i + 2;
      let closed = -1;
      while (j < src.length) {
        if (src[j] === '"') {
          j++;
          while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
          j++;
          continue;
        }
        if (src.startsWith('}}', j)) {
          closed = j;
          break;
        }
        j++;
      }
      if (closed < 0) return { error: 'A "{{" is not closed with "}}"' };
      parts.push({ kind: 'expr', source: src.slice(i + 2, closed), start: i + 2 });
      i = closed + 2;
      textStart = i;
    } else i++;
  }
  if (textStart < src.length) parts.push({ kind: 'text', text: src.slice(textStart) });
  return { parts };
}

/** Whether text contains a `{{ }}` template. */
export function hasTemplate(src: string): boolean {
  return src.includes('{{');
}

/**
 * Renders a template like the engine: a value that is exactly one `{{ expr }}` (whitespace around
 * allowed) keeps the expression's type; otherwise the parts are joined as text.
 */
export function renderTemplate(src: string, scope: Scope): EvalResult {
  const split = splitTemplate(src);
  if ('error' in split) return { ok: false, error: split.error };
  const { parts } = split;
  const exprs = parts.filter((p) => p.kind === 'expr');
  if (exprs.length === 1 && parts.every((p) => p.kind === 'expr' || p.text.trim() === '')) {
    return evalExpression(exprs[0]!.source, scope);
  }
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') {
      out += p.text;
      continue;
    }
    const r = run(() => toText(evaluate(parse(p.source), scope)));
    if (!r.ok) return { ...r, error: exprs.length > 1 ? `In {{${p.source}}}: ${r.error}` : r.error };
    out += r.value;
  }
  return { ok: true, value: out };
}

/** A value for people: text in quotes, lists and objects as JSON, missing as "(empty)". */
export function describeValue(v: unknown, max = 200): string {
  let s: string;
  if (v === null || v === undefined) s = 'empty (null)';
  else if (typeof v === 'string') s = JSON.stringify(v);
  else s = JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
