import { useState } from 'react';
import { listFromItems } from '../../forms/prop-value';
import type { JsonValue } from '../../flow/types';

/** A list of text values (templates welcome) as rows; empty rows never reach the document. */
export function ListEditor({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
}) {
  const toItems = (v: JsonValue | undefined) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : []);
  const key = JSON.stringify(value ?? null);
  const [items, setItems] = useState<string[]>(() => toItems(value));
  const [seen, setSeen] = useState(key);
  if (seen !== key) {
    setSeen(key);
    setItems(toItems(value));
  }
  const update = (next: string[]) => {
    setItems(next);
    const v = listFromItems(next);
    setSeen(JSON.stringify(v ?? null));
    onChange(v);
  };
  return (
    <div className="list-editor">
      {items.length > 0 && (
        <ul className="kv-rows">
          {items.map((item, i) => (
            <li key={i} className="kv-row">
              <input aria-label={`${label}: item ${i + 1}`} value={item} spellCheck={false} onChange={(e) => update(items.map((x, j) => (j === i ? e.target.value : x)))} />
              <button type="button" className="button small ghost" aria-label={`Remove item ${i + 1} from ${label}`} onClick={() => update(items.filter((_, j) => j !== i))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button small" id={id} onClick={() => setItems([...items, ''])}>
        + Add item
      </button>
    </div>
  );
}
