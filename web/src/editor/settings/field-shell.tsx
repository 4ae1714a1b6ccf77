import type { ReactNode } from 'react';

/** The ids an input's `aria-describedby` lists: its help and its error, when shown. */
export function describedBy(id: string, help: string | undefined, error: string | null | undefined): string | undefined {
  const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/**
 * A form field's frame: the label (with a required mark that screen readers read as "required"),
 * the input, the help text and the error, announced politely as it changes. `as="fieldset"` for
 * groups of inputs (checkbox lists, rows), whose legend labels the group.
 */
export function FieldShell({
  id,
  label,
  required,
  help,
  error,
  actions,
  as = 'div',
  children,
}: {
  id: string;
  label: string;
  required?: boolean;
  help?: string;
  error?: string | null;
  /** Small buttons beside the label (reference toggle, generate, show). */
  actions?: ReactNode;
  as?: 'div' | 'fieldset';
  children: ReactNode;
}) {
  const labelText = (
    <>
      {label}
      {required && (
        <>
          <span className="required-mark" aria-hidden="true">
            {' '}*
          </span>
          <span className="visually-hidden"> (required)</span>
        </>
      )}
    </>
  );
  const head =
    as === 'fieldset' ? (
      <legend className="field-label" id={`${id}-legend`}>
        {labelText}
      </legend>
    ) : (
      <label className="field-label" htmlFor={id} id={`${id}-label`}>
        {labelText}
      </label>
    );
  const body = (
    <>
      <div className="field-head">
        {head}
        {actions && <span className="field-actions">{actions}</span>}
      </div>
      {children}
      {help && (
        <small id={`${id}-help`} className="field-help muted">
          {help}
        </small>
      )}
      <small id={`${id}-error`} className="field-error" aria-live="polite">
        {error ?? ''}
      </small>
    </>
  );
  return as === 'fieldset' ? (
    // The legend sits in the field head (not first in the fieldset): name the group explicitly.
    <fieldset
      className="form-field"
      aria-labelledby={`${id}-legend`}
      aria-describedby={describedBy(id, help, error)}
      aria-invalid={error ? true : undefined}
    >
      {body}
    </fieldset>
  ) : (
    <div className="form-field">{body}</div>
  );
}
