import type { JsonValue } from '../flow/types';
import { CopyButton } from './copy-button';
import { JsonNode } from './json-node';

/** A titled, collapsible JSON value with a copy button; "nothing" when the value is absent. */
export function JsonView({ title, value, open = true }: { title: string; value: JsonValue | undefined; open?: boolean }) {
  if (value === undefined) {
    return (
      <div className="json-section">
        <h3>{title}</h3>
        <p className="muted">Nothing.</p>
      </div>
    );
  }
  return (
    <details className="json-section" open={open}>
      <summary>
        <h3>{title}</h3>
      </summary>
      <div className="json-toolbar">
        <CopyButton text={JSON.stringify(value, null, 2)} label="Copy JSON" what={title.toLowerCase()} />
      </div>
      <div className="json-view json-tree">
        <JsonNode value={value} depth={0} />
      </div>
    </details>
  );
}
