// Autocomplete while typing an expression: the data roots, `steps.<id>`, field names of the
// sample data under a path, helper functions, and text methods after a text value.

import { evalExpression, type Scope } from './evaluator';
import { HELPERS, TEXT_METHODS } from './helpers';
import { exampleOf, isIdentifier } from './paths';
import { quote } from './parser';

export interface Suggestion {
  label: string;
  /** Replaces the text from `from` to the cursor. */
  insert: string;
  from: number;
  detail: string;
  kind: 'root' | 'step' | 'field' | 'helper' | 'method';
}

export interface CompletionContext {
  scope: Scope;
  stepIds: readonly string[];
  inLoop: boolean;
}

const LIMIT = 12;
const PATH = /([A-Za-z_]\w*(?:\??\.[A-Za-z_]\w*|\[(?:-?\d+|"(?:[^"\\]|\\.)*")\])*)(\??\.)(\w*)$/;
const WORD = /(^|[^\w.\]"])([A-Za-z_]\w*)$/;

/** Whether the cursor is inside `{{ … }}` (template fields suggest only there). */
export function insideTemplate(text: string, cursor: number): boolean {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{{');
  return open >= 0 && before.indexOf('}}', open) < 0;
}

function rank<T extends { label: string }>(items: T[], partial: string): T[] {
  const p = partial.toLowerCase();
  const starts = items.filter((i) => i.label.toLowerCase().startsWith(p));
  const has = p ? items.filter((i) => !i.label.toLowerCase().startsWith(p) && i.label.toLowerCase().includes(p)) : [];
  return [...starts, ...has];
}

/**
 * Suggestions for the text before `cursor`. `template`: only inside `{{ }}`; otherwise (a
 * condition) anywhere outside quoted text.
 */
export function suggest(text: string, cursor: number, ctx: CompletionContext, template: boolean): Suggestion[] {
  if (template && !insideTemplate(text, cursor)) return [];
  const before = text.slice(0, cursor);
  // Inside an unfinished "text literal": nothing to suggest.
  const quotes = (before.slice(template ? before.lastIndexOf('{{') : 0).match(/(?<!\\)"/g) ?? []).length;
  if (quotes % 2 === 1) return [];

  const path = PATH.exec(before);
  if (path) {
    const [, base, dot, partial] = path as unknown as [string, string, string, string];
    const dotAt = cursor - partial.length - dot.length;
    const from = cursor - partial.length;
    const optional = dot === '?.';
    if (base === 'steps') {
      const items: Suggestion[] = ctx.stepIds.map((id) => ({
        label: id,
        insert: isIdentifier(id) ? id : `${optional ? '?' : ''}[${quote(id)}]`,
        from: isIdentifier(id) ? from : dotAt,
        detail: exampleOf((ctx.scope.steps ?? {})[id]),
        kind: 'step',
      }));
      return rank(items, partial).slice(0, LIMIT);
    }
    const value = evalExpression(base, ctx.scope);
    if (!value.ok) return [];
    const v = value.value;
    const items: Suggestion[] = [];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const plain = isIdentifier(k);
        items.push({ label: k, insert: plain ? k : `${optional ? '?' : ''}[${quote(k)}]`, from: plain ? from : dotAt, detail: exampleOf(x), kind: 'field' });
      }
    }
    if (typeof v === 'string' || Array.isArray(v)) {
      for (const m of TEXT_METHODS) {
        if (Array.isArray(v) && (m.name === 'starts_with' || m.name === 'ends_with')) continue;
        items.push({ label: m.name, insert: m.name === 'len' ? 'len()' : `${m.name}(`, from, detail: m.description, kind: 'method' });
      }
    }
    return rank(items, partial).slice(0, LIMIT);
  }

  const word = WORD.exec(before);
  const partial = word ? word[2]! : '';
  if (!word && !/(^|[\s(,!+\-*/<>=&|?])$/.test(before)) return [];
  if (!partial) return []; // only suggest once something is typed
  const from = cursor - partial.length;
  const roots: Suggestion[] = [
    { label: 'trigger', insert: 'trigger', from, detail: 'What the trigger received', kind: 'root' },
    { label: 'steps', insert: 'steps', from, detail: 'Earlier steps’ results: steps.<id>', kind: 'root' },
    { label: 'vars', insert: 'vars', from, detail: 'The flow’s variables', kind: 'root' },
    { label: 'run', insert: 'run', from, detail: 'This run: id, flow, started_at', kind: 'root' },
  ];
  if (ctx.inLoop) {
    roots.push({ label: 'item', insert: 'item', from, detail: 'The current item of the loop', kind: 'root' });
    roots.push({ label: 'index', insert: 'index', from, detail: 'The position in the loop (from 0)', kind: 'root' });
  }
  const helpers: Suggestion[] = HELPERS.map((h) => ({ label: h.name, insert: `${h.name}(`, from, detail: `${h.signature} — ${h.description}`, kind: 'helper' }));
  const all = rank([...roots, ...helpers], partial);
  // A word typed in full with nothing more to offer: no dropdown.
  if (all.length === 1 && all[0]!.label === partial && all[0]!.kind === 'root') return [];
  return all.slice(0, LIMIT);
}

/** Applies a suggestion: the new text and where the cursor goes. */
export function applySuggestion(text: string, cursor: number, s: Suggestion): { value: string; caret: number } {
  const value = text.slice(0, s.from) + s.insert + text.slice(cursor);
  return { value, caret: s.from + s.insert.length };
}
