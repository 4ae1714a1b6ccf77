import type { FlowSummary } from '../../api/types';
import { CopyButton } from '../../runs/copy-button';

function UrlRow({ id, title, help, url }: { id: string; title: string; help: string; url: string }) {
  return (
    <li className="url-row">
      <div className="url-text">
        <strong id={`${id}-title`}>{title}</strong>
        <small className="muted" id={`${id}-help`}>
          {help}
        </small>
        <input
          className="url-input"
          readOnly
          value={url}
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-help`}
          onFocus={(e) => e.currentTarget.select()}
        />
      </div>
      <CopyButton text={url} what={title} />
    </li>
  );
}

/** The flow's webhook URLs, each with a copy button, and where a call platform wants its URL. */
export function WebhookUrls({ meta, unsaved }: { meta: FlowSummary; unsaved: boolean }) {
  const urls = meta.webhook_urls;
  const platformDiffers = urls.platform !== urls.async;
  return (
    <section aria-labelledby="webhook-urls-title">
      <h3 id="webhook-urls-title">Webhook URLs</h3>
      {meta.setup_hint && (
        <div className="message message-info setup-hint">
          <span>
            <strong>Set up the sender:</strong> {meta.setup_hint}
          </span>
        </div>
      )}
      <ul className="url-list">
        {(meta.setup_hint || platformDiffers) && (
          <UrlRow id="url-platform" title="URL for the sending platform" help="Paste this where the setup hint above says." url={urls.platform} />
        )}
        <UrlRow id="url-async" title="Live URL" help="Runs the published version in the background and answers at once." url={urls.async} />
        <UrlRow
          id="url-sync"
          title="Live URL that waits for the answer"
          help="Runs the published version and answers with what the flow’s “Respond” step sends back."
          url={urls.sync}
        />
        <UrlRow id="url-test" title="Test URL" help="Runs the saved draft as a test run, even when the flow is off." url={urls.test} />
      </ul>
      {!meta.enabled && <p className="muted">The live URLs only start runs while the flow is published and turned on.</p>}
      {unsaved && <p className="muted">You have unsaved changes: the test URL runs the draft as last saved.</p>}
    </section>
  );
}
