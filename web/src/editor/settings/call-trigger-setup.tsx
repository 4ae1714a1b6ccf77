import { useState } from 'react';
import type { TriggerMeta } from '../../api/types';
import { platformUrl } from '../../forms/secret';
import type { JsonMap } from '../../flow/types';

/**
 * For call-platform triggers: where to paste what (the trigger's `setup` text), and the flow's
 * webhook URL with a copy button (the sync URL for mid-call tools, with `?token=` when the
 * platform signs nothing — kept in step with the token typed here).
 */
export function CallTriggerSetup({
  id,
  trigger,
  props,
  serverUrl,
  dirty,
}: {
  id: string;
  trigger: TriggerMeta;
  props: JsonMap | undefined;
  /** `webhook_urls.platform` from the server; absent for an unsaved flow. */
  serverUrl: string | undefined;
  dirty: boolean;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const url = serverUrl ? platformUrl(serverUrl, trigger.url_token, trigger.url_token ? props?.[trigger.url_token] : undefined) : undefined;
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Copied.');
    } catch {
      setCopied('Copying is not allowed here: select the address and copy it by hand.');
    }
  };
  return (
    <section className="settings-section call-setup" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Set up {trigger.label}</h3>
      {trigger.setup && <p className="small-text">{trigger.setup}</p>}
      {url ? (
        <>
          <label className="field-label" htmlFor={`${id}-url`}>
            {trigger.answers ? 'Tool URL to paste (waits for the answer)' : 'Webhook URL to paste'}
          </label>
          <div className="inline-row">
            <input id={`${id}-url`} className="code-input" readOnly value={url} onFocus={(e) => e.target.select()} />
            <button type="button" className="button small" onClick={() => void copy()}>
              Copy
            </button>
          </div>
          <small className="muted small-text" role="status">
            {copied ?? (dirty ? 'Save the flow so this address works with the changes made here.' : '')}
          </small>
        </>
      ) : (
        <p className="muted small-text">Save the flow to get its webhook URL.</p>
      )}
    </section>
  );
}
