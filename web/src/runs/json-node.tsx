import type { JsonValue } from '../flow/types';

/** Objects and arrays deeper than this start closed. */
const OPEN_DEPTH = 2;

function preview(value: JsonValue): string {
  if (Array.isArray(value)) return `[ ${value.length} item${value.length === 1 ? '' : 's'} ]`;
  if (value && typeof value === 'object') {
    const n = Object.keys(value).length;
    return `{ ${n} field${n === 1 ? '' : 's'} }`;
  }
  return '';
}

/** One value of a JSON tree: a leaf, or an object/array that opens and closes (`<details>`). */
export function JsonNode({ name, value, depth }: { name?: string; value: JsonValue; depth: number }) {
  const key = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (value !== null && typeof value === 'object') {
    const entries: [string, JsonValue][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    if (entries.length === 0) {
      return (
        <div className="json-leaf">
          {key}
          <span className="json-punct">{Array.isArray(value) ? '[]' : '{}'}</span>
        </div>
      );
    }
    return (
      <details className="json-branch" open={depth < OPEN_DEPTH}>
        <summary>
          {key}
          <span className="json-punct">{preview(value)}</span>
        </summary>
        <div className="json-children">
          {entries.map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
      </details>
    );
  }
  const cls = value === null ? 'json-null' : `json-${typeof value}`;
  return (
    <div className="json-leaf">
      {key}
      <span className={cls}>{typeof value === 'string' ? JSON.stringify(value) : String(value)}</span>
    </div>
  );
}
