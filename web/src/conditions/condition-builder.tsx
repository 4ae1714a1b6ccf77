import { useMemo, useRef, useState } from 'react';
import { describeValue, evalExpression } from '../expressions/evaluator';
import { ExpressionInput } from '../expressions/expression-input';
import { useDataContext } from '../expressions/use-data-context';
import {
  emptyRow,
  fieldProblem,
  fromExpression,
  operatorInfo,
  OPERATORS,
  toExpression,
  type ConditionModel,
  type ConditionRow,
  type Operator,
} from './model';

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Filter and router conditions: rows of field / operator / value joined by AND or OR, written as
 * the rhai expression; "Edit as expression" edits the text directly, and going back reads it into
 * rows when it has the builder's shape (or says plainly that it cannot).
 */
export function ConditionBuilder({
  id,
  label,
  value,
  onChange,
  required,
}: {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  required?: boolean;
}) {
  const text = value ?? '';
  // Read once when mounted; later outside changes are followed below.
  const initial = useMemo(() => fromExpression(text), []);
  const [mode, setMode] = useState<'builder' | 'expression'>(initial.ok ? 'builder' : 'expression');
  const [model, setModel] = useState<ConditionModel>(initial.ok ? initial.model : { combine: 'and', rows: [emptyRow()] });
  const [notice, setNotice] = useState<string | null>(null);
  // What the builder last wrote: a different value came from elsewhere (undo), so the rows follow it.
  const written = useRef(text);
  if (mode === 'builder' && text !== written.current) {
    written.current = text;
    const parsed = fromExpression(text);
    if (parsed.ok) setModel(parsed.model);
    else setMode('expression');
  }
  const ctx = useDataContext();

  const update = (next: ConditionModel) => {
    setModel(next);
    const e = toExpression(next);
    written.current = e;
    onChange(e === '' ? undefined : e);
  };
  const setRow = (i: number, patch: Partial<ConditionRow>) => update({ ...model, rows: model.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const toBuilder = () => {
    const parsed = fromExpression(text);
    if (!parsed.ok) {
      setNotice(parsed.reason);
      return;
    }
    setNotice(null);
    written.current = text;
    setModel(parsed.model);
    setMode('builder');
  };

  const switcher = (
    <button
      type="button"
      className="button small ghost"
      aria-pressed={mode === 'expression'}
      onClick={() => (mode === 'builder' ? (setNotice(null), setMode('expression')) : toBuilder())}
    >
      {mode === 'builder' ? 'Edit as expression' : 'Use the condition builder'}
      <span className="visually-hidden"> for {label}</span>
    </button>
  );

  const preview = text.trim() ? evalExpression(text, ctx.scope) : null;

  return (
    // The legend sits beside the mode switch, so it is not the fieldset's first child: name the
    // group explicitly.
    <fieldset className="form-field condition-builder" aria-labelledby={`${id}-legend`} aria-describedby={`${id}-notice`}>
      <div className="field-head">
        <legend className="field-label" id={`${id}-legend`}>
          {label}
          {required && (
            <>
              <span className="required-mark" aria-hidden="true">
                {' '}*
              </span>
              <span className="visually-hidden"> (required)</span>
            </>
          )}
        </legend>
        <span className="field-actions">{switcher}</span>
      </div>
      {mode === 'expression' ? (
        <ExpressionInput
          id={id}
          value={text}
          onChange={(v) => {
            setNotice(null);
            onChange(v === '' ? undefined : v);
          }}
          mode="expression"
          multiline={2}
          fieldLabel={label}
          required={required}
          placeholder='trigger.status == "ended"'
          describedBy={`${id}-help`}
        />
      ) : (
        <>
          {model.rows.length > 1 && (
            <label className="condition-combine">
              Continue when{' '}
              <select value={model.combine} onChange={(e) => update({ ...model, combine: e.target.value as 'and' | 'or' })}>
                <option value="and">all of these are true (AND)</option>
                <option value="or">any of these is true (OR)</option>
              </select>
            </label>
          )}
          <ol className="condition-rows">
            {model.rows.map((row, i) => {
              const info = operatorInfo(row.op);
              const rowId = `${id}-row-${i}`;
              const fieldErr = row.field.trim() === '' ? null : fieldProblem(row.field);
              const valueErr = info.numeric && row.value.trim() !== '' && !NUMBER.test(row.value.trim()) ? 'Enter a number, like 30 or 2.5' : null;
              return (
                <li key={i} className="condition-row">
                  {i > 0 && <span className="condition-join muted">{model.combine === 'and' ? 'and' : 'or'}</span>}
                  <div className="condition-cells">
                    <div className="condition-field">
                      <label className="visually-hidden" htmlFor={`${rowId}-field`}>
                        Field of condition {i + 1}
                      </label>
                      <ExpressionInput
                        id={`${rowId}-field`}
                        value={row.field}
                        onChange={(v) => setRow(i, { field: v })}
                        mode="expression"
                        replaceOnPick
                        preview={false}
                        placeholder="Field, e.g. trigger.call.status"
                        fieldLabel={`condition ${i + 1}`}
                      />
                    </div>
                    <label className="visually-hidden" htmlFor={`${rowId}-op`}>
                      Operator of condition {i + 1}
                    </label>
                    <select
                      id={`${rowId}-op`}
                      value={row.op}
                      onChange={(e) => {
                        const op = e.target.value as Operator;
                        setRow(i, { op, value: operatorInfo(op).needsValue ? row.value : '' });
                      }}
                    >
                      {OPERATORS.map((o) => (
                        <option key={o.op} value={o.op}>
                          {o.label}
                        </option>
                      ))}
                    </select>
                    {info.needsValue && (
                      <>
                        <label className="visually-hidden" htmlFor={`${rowId}-value`}>
                          Value of condition {i + 1}
                        </label>
                        <input
                          id={`${rowId}-value`}
                          value={row.value}
                          inputMode={info.numeric ? 'decimal' : undefined}
                          placeholder={info.numeric ? 'a number' : 'text (any case)'}
                          aria-invalid={valueErr ? true : undefined}
                          aria-describedby={valueErr ? `${rowId}-error` : undefined}
                          onChange={(e) => setRow(i, { value: e.target.value })}
                        />
                      </>
                    )}
                    <button
                      type="button"
                      className="button small ghost"
                      aria-label={`Remove condition ${i + 1}`}
                      disabled={model.rows.length === 1 && row.field === '' && row.value === ''}
                      onClick={() => update({ ...model, rows: model.rows.length === 1 ? [emptyRow()] : model.rows.filter((_, j) => j !== i) })}
                    >
                      ✕
                    </button>
                  </div>
                  {(fieldErr || valueErr) && (
                    <small id={`${rowId}-error`} className="field-error">
                      {fieldErr ?? valueErr}
                    </small>
                  )}
                </li>
              );
            })}
          </ol>
          <button type="button" className="button small" onClick={() => update({ ...model, rows: [...model.rows, emptyRow()] })}>
            + Add a condition
          </button>
          {text && (
            <details className="condition-expression">
              <summary className="muted small-text">Expression</summary>
              <code>{text}</code>
            </details>
          )}
        </>
      )}
      {preview && mode === 'builder' && (
        <small className={`expr-preview ${preview.ok ? '' : preview.unsupported ? 'muted' : 'error'}`} aria-live="polite">
          {preview.ok ? (
            <>
              <span className="muted">With the {ctx.fromExamples ? 'example' : 'sample'} data this is </span>
              <code>{describeValue(preview.value)}</code>
            </>
          ) : (
            `Problem with the sample data: ${preview.error}`
          )}
        </small>
      )}
      <small id={`${id}-help`} className="field-help muted">
        {mode === 'builder'
          ? 'Text is compared ignoring upper and lower case; "greater than" and the like compare numbers.'
          : 'An expression that is true or false, e.g. trigger.duration > 30 && trigger.status == "ended".'}
      </small>
      <small id={`${id}-notice`} className="field-error" role="status">
        {notice ?? ''}
      </small>
    </fieldset>
  );
}
