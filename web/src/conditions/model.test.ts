// The condition builder's expressions use only these rhai functions: lower, to_string, contains,
// starts_with, ends_with, to_float, is_empty (plus ==, !=, >, <, >=, <=, !, &&, ||, true, false
// and ()). Every operator's expression was checked against the engine with
// `cargo run -q -- validate` on a flow with one filter per operator (and `run` for missing and
// numeric fields): lower() alone fails on numbers and missing fields, hence lower(to_string(F)).
import { describe, expect, it } from 'vitest';
import { evalExpression } from '../expressions/evaluator';
import { fromExpression, HAND_WRITTEN, OPERATORS, toExpression, type ConditionModel, type ConditionRow } from './model';

const row = (field: string, op: ConditionRow['op'], value = ''): ConditionRow => ({ field, op, value });

export const EVERY_OPERATOR: [ConditionRow, string][] = [
  [row('trigger.call.status', 'equals', 'ended'), 'lower(to_string(trigger.call.status)) == "ended"'],
  [row('trigger.call.status', 'equals', 'Ended'), 'lower(to_string(trigger.call.status)) == lower("Ended")'],
  [row('trigger.call.status', 'not_equals', 'busy'), 'lower(to_string(trigger.call.status)) != "busy"'],
  [row('steps.lead["first name"]', 'contains', 'an'), 'lower(to_string(steps.lead["first name"])).contains("an")'],
  [row('trigger.summary', 'not_contains', 'Voicemail'), '!lower(to_string(trigger.summary)).contains(lower("Voicemail"))'],
  [row('trigger.email', 'starts_with', 'ana'), 'lower(to_string(trigger.email)).starts_with("ana")'],
  [row('trigger.email', 'ends_with', '@x.com'), 'lower(to_string(trigger.email)).ends_with("@x.com")'],
  [row('trigger.call.duration', 'gt', '30'), 'to_float(trigger.call.duration) > 30'],
  [row('trigger.call.duration', 'lt', '2.5'), 'to_float(trigger.call.duration) < 2.5'],
  [row('trigger.amount', 'gte', '-10'), 'to_float(trigger.amount) >= -10'],
  [row('trigger.amount', 'lte', '1,000'), 'to_float(trigger.amount) <= to_float("1,000")'],
  [row('trigger.notes', 'is_empty'), 'is_empty(trigger.notes)'],
  [row('trigger.items[0]', 'is_not_empty'), '!is_empty(trigger.items[0])'],
  [row('trigger.ok', 'is_true'), 'trigger.ok == true'],
  [row('trigger.ok', 'is_false'), 'trigger.ok == false'],
  [row('trigger.call.id', 'exists'), 'trigger.call.id != ()'],
  [row('trigger.q', 'equals', 'say "hi"\\n'), 'lower(to_string(trigger.q)) == "say \\"hi\\"\\\\n"'],
];

describe('condition model ↔ expression', () => {
  it.each(EVERY_OPERATOR)('%o', (r, expression) => {
    const model: ConditionModel = { combine: 'and', rows: [r] };
    expect(toExpression(model)).toBe(expression);
    expect(fromExpression(expression)).toEqual({ ok: true, model });
  });
  it('covers every operator', () => {
    const used = new Set(EVERY_OPERATOR.map(([r]) => r.op));
    expect(OPERATORS.filter((o) => !used.has(o.op))).toEqual([]);
  });
  it('joins rows with AND or OR and reads them back', () => {
    const rows = EVERY_OPERATOR.map(([r]) => r);
    for (const combine of ['and', 'or'] as const) {
      const model = { combine, rows };
      const e = toExpression(model);
      expect(e).toContain(combine === 'and' ? ' && ' : ' || ');
      expect(fromExpression(e)).toEqual({ ok: true, model });
      expect(toExpression((fromExpression(e) as { model: ConditionModel }).model)).toBe(e);
    }
  });
  it('skips rows without a field; an empty expression is one empty row', () => {
    expect(toExpression({ combine: 'or', rows: [row('', 'equals', 'x'), row('trigger.a', 'is_true')] })).toBe('trigger.a == true');
    expect(fromExpression('')).toEqual({ ok: true, model: { combine: 'and', rows: [{ field: '', op: 'equals', value: '' }] } });
  });
  it('normalizes fields so they read back the same', () => {
    expect(toExpression({ combine: 'and', rows: [row('trigger["call"].status', 'is_true')] })).toBe('trigger.call.status == true');
  });
  it('refuses expressions written by hand', () => {
    for (const e of [
      'trigger.status == "ended"',
      'steps.total >= 50',
      'trigger.a == true && trigger.b == true || trigger.c == true',
      '(trigger.a == true || trigger.b == true) && trigger.c == true',
      'lower(to_string(trigger.a)) == "Ended"',
      'to_float(trigger.a) > trigger.b',
      'e164(trigger.phone) == "x"',
      'trigger.a ==',
    ]) {
      const r = fromExpression(e);
      expect(r.ok, e).toBe(false);
      if (!r.ok) expect(r.reason.startsWith(HAND_WRITTEN)).toBe(true);
    }
  });
  it('the expressions evaluate as intended', () => {
    const scope = { trigger: { call: { status: 'ENDED', duration: 42 }, notes: '', ok: true } };
    const check = (r: ConditionRow) => evalExpression(toExpression({ combine: 'and', rows: [r] }), scope);
    expect(check(row('trigger.call.status', 'equals', 'Ended'))).toEqual({ ok: true, value: true });
    expect(check(row('trigger.call.duration', 'equals', '42'))).toEqual({ ok: true, value: true });
    expect(check(row('trigger.call.duration', 'gt', '30'))).toEqual({ ok: true, value: true });
    expect(check(row('trigger.missing', 'contains', 'x'))).toEqual({ ok: true, value: false });
    expect(check(row('trigger.notes', 'is_empty'))).toEqual({ ok: true, value: true });
    expect(check(row('trigger.missing', 'exists'))).toEqual({ ok: true, value: false });
    expect(check(row('trigger.ok', 'is_false'))).toEqual({ ok: true, value: false });
  });
});
