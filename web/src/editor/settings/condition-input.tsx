import { ConditionBuilder } from '../../conditions/condition-builder';

/**
 * A condition (a rhai expression, e.g. `trigger.status == "ended"`) for filters and router
 * branches: the condition builder (field / operator / value rows with AND/OR, or the expression
 * itself; see ../../conditions).
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
  return <ConditionBuilder id={id} label={label} value={value} onChange={onChange} required={required} />;
}
