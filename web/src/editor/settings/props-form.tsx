import type { PropMeta } from '../../api/types';
import { buildFields, missingRequired } from '../../forms/prop-form';
import type { JsonMap, JsonValue } from '../../flow/types';
import { PropField, type FieldContext } from './prop-field';

/** The form of an action's or trigger's props, generated from the piece's metadata. */
export function PropsForm({
  idPrefix,
  props,
  values,
  context,
  onChange,
  nodeKey,
}: {
  idPrefix: string;
  props: readonly PropMeta[];
  values: JsonMap | undefined;
  context: FieldContext;
  onChange: (name: string, value: JsonValue | undefined) => void;
  /** Remounts the fields when the node changes (their drafts belong to one node). */
  nodeKey: string;
}) {
  const fields = buildFields(props, values);
  const missing = missingRequired(fields);
  if (fields.length === 0) return <p className="muted small-text">This has nothing to fill in.</p>;
  return (
    <div className="props-form">
      {missing.length > 0 && (
        <p className="small-text warn-text" role="status">
          Still to fill in: {missing.map((f) => f.label).join(', ')}.
        </p>
      )}
      {fields.map((field) => (
        <PropField
          key={`${nodeKey}:${field.name}`}
          id={`${idPrefix}-${field.name}`}
          field={field}
          context={context}
          onChange={(v) => onChange(field.name, v)}
        />
      ))}
    </div>
  );
}
