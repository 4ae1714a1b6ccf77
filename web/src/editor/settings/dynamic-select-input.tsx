import { useEffect, useState } from 'react';
import * as api from '../../api/api';
import { errorMessage } from '../../api/client';
import type { PropMeta, SelectOption } from '../../api/types';
import { isEmptyValue, optionIndex } from '../../forms/prop-form';
import type { JsonMap, JsonValue } from '../../flow/types';
import { describedBy } from './field-shell';

/**
 * A dropdown whose options come from the vendor (`POST /api/v1/pieces/{piece}/options`), loaded
 * with the step's connection and the props the options depend on; reloaded when those change.
 * "Type a value…" switches to a text box for a value the list does not offer (`#sales-leads`).
 */
export function DynamicSelectInput({
  id,
  piece,
  action,
  prop,
  connection,
  needsConnection,
  stepProps,
  value,
  onChange,
  help,
  required,
}: {
  id: string;
  piece: string;
  action: string;
  prop: Pick<PropMeta, 'name' | 'options_from'>;
  connection: string | undefined;
  needsConnection: boolean;
  stepProps: JsonMap | undefined;
  value: JsonValue | undefined;
  onChange: (v: JsonValue | undefined) => void;
  help?: string;
  required?: boolean;
}) {
  const dependsOn = prop.options_from?.depends_on ?? [];
  const depends: JsonMap = {};
  for (const name of dependsOn) if (stepProps?.[name] !== undefined) depends[name] = stepProps[name]!;
  const missing = dependsOn.filter((name) => isEmptyValue(stepProps?.[name]));
  const blocked = needsConnection && !connection ? 'Choose a connection above to load the choices.' : missing.length ? `Fill in ${missing.join(', ')} first to load the choices.` : null;
  const dependsKey = JSON.stringify(depends);
  const [state, setState] = useState<{ options: SelectOption[] | null; loading: boolean; error: string | null }>({ options: null, loading: false, error: null });
  const [reload, setReload] = useState(0);
  // Typing a value (a channel name, an id) works without a connection or when the list lacks it.
  const [typing, setTyping] = useState(false);

  useEffect(() => {
    if (blocked) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api
      .pieceOptions(piece, { action, prop: prop.name, connection, props: JSON.parse(dependsKey) as JsonMap }, controller.signal)
      .then((options) => setState({ options, loading: false, error: null }))
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setState({ options: null, loading: false, error: `The choices could not be loaded: ${errorMessage(e)}` });
      });
    return () => controller.abort();
  }, [piece, action, prop.name, connection, dependsKey, blocked, reload]);

  const options = state.options ?? [];
  const index = optionIndex(options, value);
  const unknownCurrent = !isEmptyValue(value) && index < 0;
  const statusId = `${id}-status`;
  if (typing) {
    return (
      <div className="inline-row">
          <input
            id={id}
            type="text"
            value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
            aria-required={required || undefined}
            aria-describedby={describedBy(id, help, null)}
            onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          />
          <button type="button" className="button small" onClick={() => setTyping(false)}>
            Choose from the list
          </button>
      </div>
    );
  }
  return (
    <>
      <div className="inline-row">
        <select
          id={id}
          value={unknownCurrent ? 'current' : index >= 0 ? String(index) : ''}
          disabled={state.loading && options.length === 0}
          aria-required={required || undefined}
          aria-busy={state.loading || undefined}
          aria-describedby={[describedBy(id, help, null), statusId].filter(Boolean).join(' ')}
          onChange={(e) => {
            const v = e.target.value;
            if (v === 'current') return;
            if (v === 'typed') {
              setTyping(true);
              return;
            }
            onChange(v === '' ? undefined : options[Number(v)]?.value);
          }}
        >
          <option value="">{state.loading ? 'Loading…' : '— Choose —'}</option>
          {unknownCurrent && <option value="current">{typeof value === 'string' ? value : JSON.stringify(value)} (current)</option>}
          {options.map((o, i) => (
            <option key={i} value={String(i)}>
              {o.label}
            </option>
          ))}
          <option value="typed">Type a value…</option>
        </select>
        <button type="button" className="button small" onClick={() => setReload((n) => n + 1)} disabled={!!blocked || state.loading} aria-label="Reload the choices">
          ↻
        </button>
      </div>
      <small id={statusId} className={state.error ? 'field-error' : 'field-help muted'} role={state.error ? 'alert' : 'status'}>
        {state.error ?? blocked ?? (state.options && options.length === 0 ? 'There is nothing to choose from yet.' : '')}
      </small>
    </>
  );
}
