import { TextSetting } from './text-setting';

/**
 * A condition (a rhai expression, e.g. `trigger.status == "ended"`) for filters and router
 * branches. For now typed as text: the condition builder (issue 6, item 8: field / operator /
 * value rows with AND/OR) replaces this component behind the same props.
 */
export function ConditionInput({
  id,
  label,
  value,
  onChange,
  required = true,
}: {
  id: string;
  label: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  required?: boolean;
}) {
  return (
    <TextSetting
      id={id}
      label={label}
      value={value}
      onChange={onChange}
      required={required}
      code
      multiline={2}
      placeholder='trigger.status == "ended"'
      help={'An expression that is true or false, e.g. trigger.duration > 30 && trigger.status == "ended".'}
    />
  );
}
