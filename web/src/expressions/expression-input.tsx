import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { applySuggestion, suggest, type Suggestion } from './autocomplete';
import { DataPicker } from './data-picker';
import { describeValue, evalExpression, hasTemplate, renderTemplate } from './evaluator';
import { formatPath, insertAt, templateFor, type PathSegment } from './paths';
import { useDataContext } from './use-data-context';

export type ExpressionMode = 'template' | 'expression' | 'script';

/**
 * A text field that takes data references: an "Insert data" picker, autocomplete while typing
 * (inside `{{ }}` for templates, anywhere for expressions) and a live preview against the sample
 * data. `template`: text with `{{ expr }}`; `expression`: one bare expression (conditions);
 * `script`: a code step (picker and autocomplete, no preview).
 */
export function ExpressionInput({
  id,
  value,
  onChange,
  mode = 'template',
  multiline,
  placeholder,
  className,
  fieldLabel,
  describedBy,
  required,
  replaceOnPick,
  preview = true,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  mode?: ExpressionMode;
  multiline?: boolean | number;
  placeholder?: string;
  className?: string;
  fieldLabel?: string;
  describedBy?: string;
  required?: boolean;
  /** The picker replaces the whole value (a condition row's field) instead of inserting. */
  replaceOnPick?: boolean;
  preview?: boolean;
}) {
  const ctx = useDataContext();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const selection = useRef<[number, number]>([value.length, value.length]);
  const caret = useRef<number | null>(null);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(0);
  const listId = useId();

  useLayoutEffect(() => {
    if (caret.current !== null && ref.current) {
      ref.current.focus();
      ref.current.setSelectionRange(caret.current, caret.current);
      selection.current = [caret.current, caret.current];
      caret.current = null;
    }
  });

  const completion = { scope: ctx.scope, stepIds: ctx.stepIds, inLoop: ctx.inLoop };
  const update = (text: string, cursor: number) => {
    setItems(suggest(text, cursor, completion, mode === 'template'));
    setActive(0);
  };

  const choose = (s: Suggestion) => {
    const cursor = ref.current?.selectionStart ?? value.length;
    const next = applySuggestion(value, cursor, s);
    caret.current = next.caret;
    onChange(next.value);
    // Right after a field or step, offer what is under it.
    setItems(suggest(next.value, next.caret, completion, mode === 'template').filter(() => s.kind !== 'helper'));
    setActive(0);
  };

  const pick = (path: PathSegment[]) => {
    const text = mode === 'template' ? templateFor(path) : formatPath(path);
    if (replaceOnPick) {
      caret.current = text.length;
      onChange(text);
      return;
    }
    const [start, end] = selection.current;
    const next = insertAt(value, start, end, text);
    caret.current = next.caret;
    onChange(next.value);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (items.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % items.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a - 1 + items.length) % items.length);
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      choose(items[active]!);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setItems([]);
    }
  };

  const result = useMemo(() => {
    if (!preview || mode === 'script') return null;
    if (mode === 'template' ? !hasTemplate(value) : value.trim() === '') return null;
    return mode === 'template' ? renderTemplate(value, ctx.scope) : evalExpression(value, ctx.scope);
  }, [value, ctx.scope, mode, preview]);

  const open = items.length > 0;
  const noData = ctx.roots.every((r) => r.value === undefined || r.value === null);
  const common = {
    ref,
    id,
    value,
    placeholder,
    className: `${className ?? ''} ${mode === 'template' ? '' : 'code-input'}`.trim() || undefined,
    spellCheck: mode === 'template' ? undefined : false,
    autoComplete: 'off',
    role: 'combobox',
    'aria-autocomplete': 'list' as const,
    'aria-expanded': open,
    'aria-controls': open ? listId : undefined,
    'aria-activedescendant': open ? `${listId}-${active}` : undefined,
    'aria-required': required || undefined,
    'aria-describedby': [describedBy, result ? `${id}-preview` : ''].filter(Boolean).join(' ') || undefined,
    onChange: (e: { target: HTMLInputElement | HTMLTextAreaElement }) => {
      const t = e.target;
      selection.current = [t.selectionStart ?? t.value.length, t.selectionEnd ?? t.value.length];
      onChange(t.value);
      update(t.value, t.selectionStart ?? t.value.length);
    },
    onSelect: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => {
      const t = e.currentTarget;
      selection.current = [t.selectionStart ?? 0, t.selectionEnd ?? 0];
    },
    onKeyDown,
    onBlur: () => setItems([]),
  };
  const empty = ctx.isTrigger
    ? 'The trigger is the first step: there is no earlier data to insert.'
    : 'No data yet. Test the flow to see the fields of the trigger and earlier steps here.';

  return (
    <div className="expr-field">
      <div className="expr-row">
        {multiline ? <textarea {...common} rows={typeof multiline === 'number' ? multiline : 4} /> : <input {...common} />}
        <DataPicker roots={ctx.roots} onPick={pick} empty={empty} fromExamples={ctx.fromExamples} fieldLabel={fieldLabel} label={replaceOnPick ? 'Pick' : 'Insert data'} />
      </div>
      {open && (
        <ul id={listId} role="listbox" className="expr-suggestions" aria-label="Suggestions">
          {items.map((s, i) => (
            <li
              key={`${s.kind}:${s.label}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: the field keeps its focus and cursor.
              onMouseDown={(e) => {
                e.preventDefault();
                choose(s);
              }}
            >
              <span className="expr-suggestion-label">{s.label}</span>
              <span className="muted expr-suggestion-detail">{s.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {result && (
        <small id={`${id}-preview`} className={`expr-preview ${result.ok ? '' : result.unsupported || noData ? 'muted' : 'error'}`} aria-live="polite">
          {result.ok ? (
            <>
              <span className="muted">{ctx.fromExamples ? 'Preview with example data: ' : 'Preview: '}</span>
              <code>{describeValue(result.value)}</code>
            </>
          ) : (
            <>{result.unsupported ? result.error : noData ? 'The preview appears once there is sample data: test the flow.' : `Problem: ${result.error}`}</>
          )}
        </small>
      )}
    </div>
  );
}
