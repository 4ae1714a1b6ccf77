import { useState } from 'react';
import { objectFromRows, rowsFromObject, type KeyValueRow } from '../../forms/prop-value';
import type { JsonValue } from '../../flow/types';

/**
 * An object as rows of name and value. Values are text (templates welcome); values that were not
 * text in the document (numbers, lists) stay JSON, marked as such. Rows being typed (no name yet)
 * stay in the form without reaching the document; duplicate names are reported.
 */
export function KeyValueEditor({
  id,
  label,
  value,
  onChange,
  keyLabel = 'Name',
  valueLabel = 'Value',
}: {
  id: string;
  label: string;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  keyLabel?: string;
  valueLabel?: string;
}) {
  const key = JSON.stringify(value ?? null);
  const [rows, setRows] = useState<KeyValueRow[]>(() => rowsFromObject(value));
  const [seen, setSeen] = useState(key);
  const [error, setError] = useState<string | null>(null);
  if (seen !== key) {
    setSeen(key);
    setRows(rowsFromObject(value));
    setError(null);
  }
  const update = (next: KeyValueRow[]) => {
    setRows(next);
    const parsed = objectFromRows(next);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setSeen(JSON.stringify(parsed.value ?? null));
    onChange(parsed.value);
  };
  const setRow = (i: number, patch: Partial<KeyValueRow>) => update(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div className="kv-editor">
      {rows.length > 0 && (
        <ul className="kv-rows">
          {rows.map((row, i) => (
            <li key={i} className="kv-row">
              <input
                aria-label={`${label}: ${keyLabel.toLowerCase()} ${i + 1}`}
                value={row.key}
                placeholder={keyLabel}
                spellCheck={false}
                onChange={(e) => setRow(i, { key: e.target.value })}
              />
              <input
                aria-label={`${label}: ${valueLabel.toLowerCase()} of ${row.key || `row ${i + 1}`}${row.json ? ' (JSON)' : ''}`}
                value={row.text}
                placeholder={valueLabel}
                className={row.json ? 'code-input' : undefined}
                spellCheck={false}
                onChange={(e) => setRow(i, { text: e.target.value })}
              />
              {row.json && (
                <span className="kv-tag" title="This value is JSON (a number, true/false, a list or an object)">
                  JSON
                </span>
              )}
              <button
                type="button"
                className="button small ghost"
                aria-label={`Remove ${row.key || `row ${i + 1}`} from ${label}`}
                onClick={() => update(rows.filter((_, j) => j !== i))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button small" id={id} onClick={() => setRows([...rows, { key: '', text: '', json: false }])}>
        + Add {keyLabel.toLowerCase()}
      </button>
      {error && (
        <small className="field-error" role="alert">
          {error}
        </small>
      )}
    </div>
  );
}
