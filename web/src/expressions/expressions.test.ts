import { describe, expect, it } from 'vitest';
import { leadRouter } from '../test/fixtures';
import type { FlowDocument } from '../flow/types';
import { dataScope } from './ancestors';
import { applySuggestion, suggest } from './autocomplete';
import { buildDataContext } from './context';
import { evalExpression, renderTemplate, splitTemplate, type Scope } from './evaluator';
import { formatPath, insertAt, templateFor } from './paths';
import { parse } from './parser';

const scope: Scope = {
  trigger: { call: { from: '+14155550100', duration: 42, status: 'Ended', ok: true, tags: ['a', 'b'] }, amount: 12.5, name: '  ana lópez ' },
  steps: { lead: { email: 'ana@x.com', 'first name': 'Ana', count: '7' }, empty: null },
  vars: { team: 'sales' },
};
const ev = (src: string) => evalExpression(src, scope);
const val = (src: string) => {
  const r = ev(src);
  if (!r.ok) throw new Error(`expected a value for ${src}, got: ${r.error}`);
  return r.value;
};
const err = (src: string) => {
  const r = ev(src);
  if (r.ok) throw new Error(`expected an error for ${src}, got ${JSON.stringify(r.value)}`);
  return r.error;
};

describe('evaluator', () => {
  it('reads paths, brackets and list positions', () => {
    expect(val('trigger.call.from')).toBe('+14155550100');
    expect(val('steps.lead["first name"]')).toBe('Ana');
    expect(val('trigger["call"]["duration"]')).toBe(42);
    expect(val('trigger.call.tags[1]')).toBe('b');
    expect(val('trigger.call.tags[-1]')).toBe('b');
    expect(val('vars.team')).toBe('sales');
  });
  it('missing fields are null; reading through a missing value is an error unless ?.', () => {
    expect(val('trigger.nope')).toBeNull();
    expect(val('steps.unknown')).toBeNull();
    expect(err('trigger.nope.deeper')).toMatch(/empty value/);
    expect(val('trigger.nope?.deeper')).toBeNull();
    expect(val('item')).toBeNull();
  });
  it('follows rhai precedence', () => {
    expect(val('1 + 2 * 3')).toBe(7);
    expect(val('(1 + 2) * 3')).toBe(9);
    expect(val('10 - 4 - 3')).toBe(3);
    expect(val('true || false && false')).toBe(true);
    expect(val('1 + 2 == 3 && 2 > 1')).toBe(true);
    expect(val('!false && true')).toBe(true);
    expect(val('-2 * 3')).toBe(-6);
    expect(val('trigger.nope ?? 1 + 1')).toBe(2);
  });
  it('keeps integers and decimals apart', () => {
    expect(val('7 / 2')).toBe(3);
    expect(val('7.0 / 2')).toBe(3.5);
    expect(val('trigger.amount * 2')).toBe(25);
    expect(renderTemplate('{{ to_float(4) }}', scope)).toEqual({ ok: true, value: 4 });
    expect(renderTemplate('x{{ to_float(4) }}', scope)).toEqual({ ok: true, value: 'x4.0' });
    expect(err('1 / 0')).toMatch(/Division by zero/);
  });
  it('compares like rhai', () => {
    expect(val('trigger.call.duration > 30')).toBe(true);
    expect(val('trigger.call.duration == 42.0')).toBe(true);
    expect(val('"a" == 1')).toBe(false);
    expect(val('"a" != 1')).toBe(true);
    expect(val('"a" < 1')).toBe(false);
    expect(val('"abc" < "abd"')).toBe(true);
    expect(val('trigger.nope == ()')).toBe(true);
    expect(val('trigger.call.tags == ["a", "b"]') ).toBe(true);
  });
  it('joins text with +', () => {
    expect(val('"Hi " + steps.lead["first name"] + "!"')).toBe('Hi Ana!');
    expect(val('"n" + 1')).toBe('n1');
    expect(err('1 - "a"')).toMatch(/needs numbers/);
  });
  it('needs true/false for && || !', () => {
    expect(err('1 && true')).toMatch(/needs true or false/);
    expect(err('!"x"')).toMatch(/needs true or false/);
    expect(val('false && 1')).toBe(false); // short-circuits like rhai
  });
  it('runs methods and helpers', () => {
    expect(val('trigger.call.status.contains("End")')).toBe(true);
    expect(val('lower(trigger.call.status).starts_with("end")')).toBe(true);
    expect(val('trigger.call.status.matches("^End")')).toBe(true);
    expect(val('matches(trigger.call.status, "(?i)^END")')).toBe(true);
    expect(val('matches("abc", "\\\\d")')).toBe(false);
    expect(val('trigger.call.status.ends_with("x")')).toBe(false);
    expect(val('trigger.call.status.len()')).toBe(5);
    expect(val('trigger.call.tags.contains("b")')).toBe(true);
    expect(val('upper("ab")')).toBe('AB');
    expect(val('trigger.name.trim().title_case()')).toBe('Ana López');
    expect(val('is_empty(trigger.nope)')).toBe(true);
    expect(val('is_empty("")')).toBe(true);
    expect(val('is_empty(trigger.call)')).toBe(false);
    expect(val('len(trigger.call.tags)')).toBe(2);
    expect(val('default(trigger.nope, "x")')).toBe('x');
    expect(val('coalesce(trigger.nope, "", "y")')).toBe('y');
    expect(val('to_int(steps.lead.count) + 1')).toBe(8);
    expect(val('to_float("2.5")')).toBe(2.5);
    expect(val('round(2.345, 2)')).toBe(2.35);
    expect(val('round(-2.5)')).toBe(-3);
    expect(val('to_string(42)')).toBe('42');
    expect(val('to_string(trigger.nope)')).toBe('');
    expect(val('capitalize("jOHN")')).toBe('John');
  });
  it('says when a helper is not previewed, and reports errors in words', () => {
    const r = ev('e164(trigger.call.from, "US")');
    expect(r).toEqual({ ok: false, error: 'Preview not available for e164()', unsupported: true });
    expect(err('lower(trigger.nope)')).toMatch(/lower\(\) needs text, got an empty value/);
    expect(err('lower(trigger.call.duration)')).toMatch(/needs text, got a number/);
    expect(err('triger.call')).toMatch(/nothing called "triger"/);
    expect(err('trigger.call.')).toMatch(/Expected a field name/);
    expect(err('"abc')).toMatch(/not closed/);
    expect(err('1 2')).toMatch(/Unexpected text/);
    expect(err('')).toMatch(/empty/);
    expect(err('upper("a", "b")')).toMatch(/takes 1 value/);
  });
  it('parses string escapes', () => {
    expect(val('"a\\"b\\n"')).toBe('a"b\n');
    expect(parse('"\\u0041"')).toMatchObject({ type: 'lit', value: 'A' });
  });
});

describe('templates', () => {
  it('a whole {{ }} keeps its type, surrounded text becomes text', () => {
    expect(renderTemplate('{{ trigger.call.duration }}', scope)).toEqual({ ok: true, value: 42 });
    expect(renderTemplate('  {{ trigger.call.tags }} ', scope)).toEqual({ ok: true, value: ['a', 'b'] });
    expect(renderTemplate('{{ trigger.call.ok }}', scope)).toEqual({ ok: true, value: true });
    expect(renderTemplate('Call {{ trigger.call.from }} ({{ trigger.call.duration }}s)', scope)).toEqual({ ok: true, value: 'Call +14155550100 (42s)' });
    expect(renderTemplate('[{{ trigger.nope }}]', scope)).toEqual({ ok: true, value: '[]' });
    expect(renderTemplate('t={{ trigger.call.tags }}', scope)).toEqual({ ok: true, value: 't=["a","b"]' });
    expect(renderTemplate('no braces', scope)).toEqual({ ok: true, value: 'no braces' });
    expect(renderTemplate('{{ "{{" }}', scope)).toEqual({ ok: true, value: '{{' });
    expect(renderTemplate('{{ "}}" }}x', scope)).toEqual({ ok: true, value: '}}x' });
  });
  it('reports errors without throwing', () => {
    expect(renderTemplate('Hi {{ trigger.call.from', scope)).toEqual({ ok: false, error: 'A "{{" is not closed with "}}"' });
    const r = renderTemplate('{{ a }} and {{ trigger.x.y }}', scope);
    expect(r.ok).toBe(false);
    expect(splitTemplate('a{{b}}c')).toEqual({ parts: [{ kind: 'text', text: 'a' }, { kind: 'expr', source: 'b', start: 3 }, { kind: 'text', text: 'c' }] });
  });
});

describe('paths', () => {
  it('uses brackets for keys that are not identifiers', () => {
    expect(formatPath(['steps', 'lead', 'email'])).toBe('steps.lead.email');
    expect(formatPath(['steps', 'x', 'first name'])).toBe('steps.x["first name"]');
    expect(formatPath(['trigger', 'items', 0, 'id'])).toBe('trigger.items[0].id');
    expect(formatPath(['trigger', 'a"b'])).toBe('trigger["a\\"b"]');
    expect(formatPath(['trigger', '2x'])).toBe('trigger["2x"]');
    expect(formatPath(['trigger', 'if'])).toBe('trigger["if"]');
    expect(templateFor(['trigger', 'call', 'from'])).toBe('{{ trigger.call.from }}');
    // What is written reads back to the same value.
    expect(val(formatPath(['steps', 'lead', 'first name']))).toBe('Ana');
  });
  it('inserts at the cursor, replacing a selection', () => {
    expect(insertAt('Hello !', 6, 6, '{{ x }}')).toEqual({ value: 'Hello {{ x }}!', caret: 13 });
    expect(insertAt('Hello NAME', 6, 10, '{{ x }}')).toEqual({ value: 'Hello {{ x }}', caret: 13 });
    expect(insertAt('ab', 99, 99, 'c')).toEqual({ value: 'abc', caret: 3 });
  });
});

describe('ancestors', () => {
  const doc = leadRouter();
  it('lists the steps before a step, not other branches', () => {
    expect(dataScope(doc, 'clean')).toEqual({ steps: [], loops: [] });
    expect(dataScope(doc, 'route').steps).toEqual(['clean', 'score', 'total']);
    expect(dataScope(doc, 'hot').steps).toEqual(['clean', 'score', 'total', 'route']);
    expect(dataScope(doc, 'answer').steps).toEqual(['clean', 'score', 'total', 'route', 'hot', 'warm']);
    expect(dataScope(doc, 'hook')).toEqual({ steps: [], loops: [] });
  });
  it('inside a loop: earlier body steps and what ran before the loop, plus the loop scope', () => {
    expect(dataScope(doc, 'points')).toEqual({ steps: ['clean'], loops: ['score'] });
    expect(dataScope(doc, 'scaled')).toEqual({ steps: ['clean', 'points'], loops: ['score'] });
  });
  it('builds the data context with loop item, examples and samples', () => {
    const ctx = buildDataContext(doc, 'scaled', { hook: { body: { answers: [{ value: true, weight: 30 }], phone: '1' } }, points: 30 }, null);
    expect(ctx.inLoop).toBe(true);
    expect(ctx.scope.item).toEqual({ value: true, weight: 30 });
    expect(ctx.scope.index).toBe(0);
    expect(ctx.roots.map((r) => r.key)).toEqual(['trigger', 'steps.clean', 'steps.points', 'item', 'index']);
    expect(ctx.scope.steps).toMatchObject({ points: 30 });
    expect(ctx.roots[0]!.children[0]!.children.map((c) => c.key)).toEqual(['trigger.body.answers', 'trigger.body.phone']);
  });
  it('falls back to the catalog examples before any test', () => {
    const d: FlowDocument = {
      schema_version: 1,
      name: 'x',
      trigger: { id: 'call', piece: 'vapi', trigger: 'call_ended' },
      steps: [{ id: 'c', type: 'action', piece: 'hubspot', action: 'create_contact' }, { id: 'f', type: 'filter', condition: '' }],
      edges: [{ from: 'call', to: 'c' }, { from: 'c', to: 'f' }],
    };
    const pieces = [
      { id: 'vapi', name: 'Vapi', description: '', category: '', auth: 'none', actions: [], triggers: [{ name: 'call_ended', label: 'Call ended', description: '', props: [], samples: [{ event: 'e', label: 'l', payload: {}, output: { call: { from: '+1' } } }] }] },
      { id: 'hubspot', name: 'HubSpot', description: '', category: '', auth: 'api_key', triggers: [], actions: [{ name: 'create_contact', label: 'Create contact', description: '', props: [], extra_props: false, sample_output: { id: '123' } }] },
    ] as never;
    const ctx = buildDataContext(d, 'f', {}, pieces);
    expect(ctx.fromExamples).toBe(true);
    expect(ctx.scope.trigger).toEqual({ call: { from: '+1' } });
    expect(ctx.scope.steps).toEqual({ c: { id: '123' } });
    expect(ctx.roots.map((r) => r.label)).toEqual(['Call ended', 'Create contact']);
  });
});

describe('autocomplete', () => {
  const ctx = { scope, stepIds: ['lead', 'empty'], inLoop: false };
  const labels = (text: string, template = false, cursor = text.length) => suggest(text, cursor, ctx, template).map((s) => s.label);
  it('suggests roots and helpers for a word', () => {
    // Names that start with what was typed come first, then names that contain it.
    expect(labels('tr').slice(0, 5)).toEqual(['trigger', 'trim', 'trim_end', 'trim_start', 'truncate']);
    expect(labels('tr')).toContain('json_stringify');
    expect(labels('low')).toEqual(['lower']);
    expect(suggest('low', 3, ctx, false)[0]!.detail).toMatch(/lower case/);
    expect(labels('ite')).not.toContain('item');
    expect(suggest('ite', 3, { ...ctx, inLoop: true }, false).map((s) => s.label)).toContain('item');
  });
  it('suggests step ids and fields from the samples', () => {
    expect(labels('steps.')).toEqual(['lead', 'empty']);
    expect(labels('trigger.call.')).toEqual(['from', 'duration', 'status', 'ok', 'tags']);
    expect(labels('trigger.call.d')).toEqual(['duration']);
    expect(labels('trigger.call.status.')).toEqual(['contains', 'starts_with', 'ends_with', 'matches', 'len']);
  });
  it('inserts bracket access for keys that are not identifiers', () => {
    const text = 'steps.lead.';
    const s = suggest(text, text.length, ctx, false).find((x) => x.label === 'first name')!;
    expect(applySuggestion(text, text.length, s)).toEqual({ value: 'steps.lead["first name"]', caret: 24 });
    const e = suggest('steps.lead.em', 13, ctx, false)[0]!;
    expect(applySuggestion('steps.lead.em == 1', 13, e).value).toBe('steps.lead.email == 1');
  });
  it('in templates, only inside {{ }} and not inside quotes', () => {
    expect(labels('Hello tr', true)).toEqual([]);
    expect(labels('Hello {{ tr', true)).toContain('trigger');
    expect(labels('{{ x }} tr', true)).toEqual([]);
    expect(labels('x == "tr')).toEqual([]);
  });
});
