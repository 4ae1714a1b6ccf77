import { useEffect, useRef, useState } from 'react';
import * as api from '../../api/api';
import { ErrorMessage } from '../../components/error-message';
import { useEditorStore, withPositions } from '../../store/editor-store';
import { VersionHistory } from './version-history';
import { WebhookUrls } from './webhook-urls';

/**
 * Publish and share: publish the draft (its problems listed, each a link to its step), turn the flow
 * on or off, the webhook URLs with copy buttons and the call platform's setup hint, and the version
 * history with "restore as the draft".
 */
export function PublishDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const flowId = useEditorStore((s) => s.flowId);
  const meta = useEditorStore((s) => s.meta);
  const dirty = useEditorStore((s) => s.dirty);
  const busy = useEditorStore((s) => s.busy);
  const problems = useEditorStore((s) => s.problems);
  const [message, setMessage] = useState<{ kind: 'info' | 'error'; text: string } | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  if (!flowId || !meta) return null;
  const live = meta.published_version;
  const upToDate = live !== null && !meta.draft_changed && !dirty;

  const publish = async () => {
    setMessage(null);
    const store = useEditorStore.getState();
    const ok = await store.publish();
    const notice = useEditorStore.getState().notice;
    setMessage(ok ? { kind: 'info', text: notice?.text ?? 'Published.' } : { kind: 'error', text: notice?.text ?? 'Not published.' });
  };

  const toggle = async () => {
    setMessage(null);
    await useEditorStore.getState().setEnabled(!meta.enabled);
    const notice = useEditorStore.getState().notice;
    if (notice?.kind === 'error') setMessage(notice);
  };

  const restore = async (version: number) => {
    setMessage(null);
    const v = await api.flows.version(flowId, version);
    const store = useEditorStore.getState();
    if (!store.apply(() => withPositions(v.document), { select: null })) throw new Error('The editor has no flow open.');
    if (!(await useEditorStore.getState().save())) {
      throw new Error(useEditorStore.getState().notice?.text ?? 'The draft could not be saved.');
    }
    setMessage({ kind: 'info', text: `Version ${version} is the draft now. Publish it to make it live again.` });
  };

  const showProblem = (node: string) => {
    useEditorStore.getState().select(node);
    onClose();
  };

  return (
    <dialog
      ref={ref}
      className="dialog publish-dialog"
      aria-labelledby="publish-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="panel-head">
        <h2 id="publish-title">Publish and share</h2>
        <button type="button" className="button small ghost" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>

      <section aria-labelledby="publish-state-title">
        <h3 id="publish-state-title">Live version</h3>
        <p>
          {live === null
            ? 'Never published: no webhook starts this flow yet, except the test URL.'
            : `Version ${live} is live${meta.enabled ? ' and the flow is on.' : ', but the flow is off.'}`}
          {live !== null && (meta.draft_changed || dirty) && ' The draft has changes that are not live yet.'}
        </p>
        {problems.length > 0 && (
          <div className="problems publish-problems">
            <strong>
              {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before publishing:
            </strong>
            <ul>
              {problems.map((p, i) => (
                <li key={`${p.path}:${i}`}>
                  {p.node ? (
                    <button type="button" className="problem-link" onClick={() => showProblem(p.node!)}>
                      <strong>{p.node}</strong>: {p.message}
                    </button>
                  ) : (
                    <span>{p.message}</span>
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="toolbar">
          <button
            type="button"
            className="button primary"
            onClick={() => void publish()}
            disabled={busy !== null || upToDate}
            title={upToDate ? 'The draft is the live version: there is nothing new to publish.' : undefined}
          >
            {busy === 'publishing' ? 'Publishing…' : upToDate ? 'Nothing new to publish' : dirty ? 'Save and publish' : 'Publish the draft'}
          </button>
          <button type="button" className="button" onClick={() => void toggle()} disabled={busy !== null || (!meta.enabled && live === null)}>
            {meta.enabled ? 'Turn the flow off' : 'Turn the flow on'}
          </button>
        </div>
        {message &&
          (message.kind === 'error' ? (
            <ErrorMessage message={message.text} onDismiss={() => setMessage(null)} />
          ) : (
            <div className="message message-info" role="status">
              <span>{message.text}</span>
            </div>
          ))}
      </section>

      <WebhookUrls meta={meta} unsaved={dirty} />
      <VersionHistory flowId={flowId} live={live} refreshKey={live} onRestore={restore} />

      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
