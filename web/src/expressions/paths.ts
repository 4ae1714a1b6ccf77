// References to data: how a path is written in an expression (`steps.lead.email`,
// `steps.x["first name"]`, `trigger.items[0]`) and the tree of fields a sample value offers.

import { quote } from './parser';

/** rhai keywords (and reserved words) that cannot follow a dot. */
const KEYWORDS = new Set(
  'true false let const if else switch do while loop until for in is continue break return throw try catch fn private import export as global this null'.split(' '),
);

export function isIdentifier(key: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !KEYWORDS.has(key);
}

export type PathSegment = string | number;

/** Writes a path: identifiers after dots, other keys in brackets, list positions as `[n]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  segments.forEach((s, i) => {
    if (typeof s === 'number') out += `[${s}]`;
    else if (i === 0) out += s;
    else out += isIdentifier(s) ? `.${s}` : `[${quote(s)}]`;
  });
  return out;
}

/** The template that inserts a path into a text field: `{{ steps.lead.email }}`. */
export function templateFor(segments: readonly PathSegment[]): string {
  return `{{ ${formatPath(segments)} }}`;
}

/** Inserts `text` into `value` replacing the selection [start, end); returns the new value and caret. */
export function insertAt(value: string, start: number, end: number, text: string): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), caret: s + text.length };
}

/** One field in the data picker's tree. */
export interface DataNode {
  /** Unique within the tree: the formatted path. */
  key: string;
  label: string;
  path: PathSegment[];
  value: unknown;
  children: DataNode[];
}

const MAX_CHILDREN = 50;
const MAX_DEPTH = 8;

/** The tree of fields under a value: object keys, and the first items of lists. */
export function dataTree(label: string, path: PathSegment[], value: unknown, depth = 0): DataNode {
  const children: DataNode[] = [];
  if (depth < MAX_DEPTH && value !== null && typeof value === 'object') {
    const entries: [PathSegment, unknown][] = Array.isArray(value)
      ? value.slice(0, Math.min(value.length, 3)).map((v, i) => [i, v])
      : Object.entries(value as Record<string, unknown>).slice(0, MAX_CHILDREN);
    for (const [k, v] of entries) {
      children.push(dataTree(typeof k === 'number' ? `item ${k + 1}` : k, [...path, k], v, depth + 1));
    }
  }
  return { key: formatPath(path), label, path, value, children };
}

/** A short example of a value for the picker: `"Ana"`, `42`, `3 items`, `5 fields`. */
export function exampleOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return `${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const n = Object.keys(value).length;
    return `${n} field${n === 1 ? '' : 's'}`;
  }
  const s = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return s.length > 40 ? `${s.slice(0, 39)}…"` : s;
}
