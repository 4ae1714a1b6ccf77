import type { Piece } from '../../api/types';
import { needsConnection } from '../../forms/connections';
import { setNodeConnection, setNodeProp } from '../../forms/prop-value';
import { canGenerate } from '../../forms/secret';
import type { Trigger } from '../../flow/types';
import { useEditorStore } from '../../store/editor-store';
import { CallTriggerSetup } from './call-trigger-setup';
import { ConnectionSelect } from './connection-select';
import { PropsForm } from './props-form';

/** The trigger: what starts the flow, its props, and for call platforms where to paste the URL. */
export function TriggerForm({ trigger, piece }: { trigger: Trigger; piece: Piece | undefined }) {
  const meta = piece?.triggers.find((t) => t.name === trigger.trigger);
  const platformUrl = useEditorStore((s) => s.meta?.webhook_urls?.platform);
  const dirty = useEditorStore((s) => s.dirty);
  const openPicker = () => useEditorStore.getState().openPicker({ kind: 'trigger' });
  if (!piece || !meta) {
    return (
      <>
        <p className="message message-error" role="alert">
          <span>There is no trigger “{trigger.piece}: {trigger.trigger}” on this server.</span>
        </p>
        <button type="button" className="button small" onClick={openPicker}>
          Change the trigger
        </button>
      </>
    );
  }
  const apply = useEditorStore.getState().apply;
  const auth = needsConnection(piece);
  return (
    <>
      <p className="small-text">
        <strong>
          {piece.name}: {meta.label}
        </strong>
        {meta.description && <span className="muted"> — {meta.description}</span>}
      </p>
      <button type="button" className="button small" onClick={openPicker}>
        Change the trigger
      </button>
      {piece.id === 'call' && (
        <CallTriggerSetup id={`setup-${trigger.id}`} trigger={meta} props={trigger.props} serverUrl={platformUrl} dirty={dirty} />
      )}
      {auth && (
        <ConnectionSelect
          id={`conn-${trigger.id}`}
          piece={piece}
          value={trigger.connection}
          onChange={(name) => apply((d) => setNodeConnection(d, trigger.id, name))}
        />
      )}
      <section className="settings-section" aria-labelledby={`props-${trigger.id}-heading`}>
        <h3 id={`props-${trigger.id}-heading`}>Settings</h3>
        <PropsForm
          idPrefix={`prop-${trigger.id}`}
          nodeKey={`${trigger.id}:${trigger.piece}:${trigger.trigger}`}
          props={meta.props}
          values={trigger.props}
          context={{
            piece: piece.id,
            connection: trigger.connection,
            needsConnection: auth,
            props: trigger.props,
            generate: (field) => canGenerate(piece.id, meta, field),
          }}
          onChange={(name, value) => apply((d) => setNodeProp(d, trigger.id, name, value), { coalesce: `${trigger.id}:props.${name}` })}
        />
      </section>
    </>
  );
}
