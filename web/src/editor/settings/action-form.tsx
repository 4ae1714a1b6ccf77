import type { Piece } from '../../api/types';
import { needsConnection } from '../../forms/connections';
import { setNodeConnection, setNodeProp } from '../../forms/prop-value';
import type { ActionStep } from '../../flow/types';
import { useEditorStore } from '../../store/editor-store';
import { ConnectionSelect } from './connection-select';
import { PropsForm } from './props-form';

/** An action step: its piece's connection and the action's props. */
export function ActionForm({ step, piece }: { step: ActionStep; piece: Piece | undefined }) {
  const action = piece?.actions.find((a) => a.name === step.action);
  if (!piece || !action) {
    return (
      <p className="message message-error" role="alert">
        <span>
          {piece ? `${piece.name} has no action “${step.action}”.` : `There is no app “${step.piece}” on this server.`} Pick another step, or
          delete this one.
        </span>
      </p>
    );
  }
  const apply = useEditorStore.getState().apply;
  const auth = needsConnection(piece);
  return (
    <>
      {action.description && <p className="muted small-text">{action.description}</p>}
      {auth && (
        <ConnectionSelect
          id={`conn-${step.id}`}
          piece={piece}
          value={step.connection}
          onChange={(name) => apply((d) => setNodeConnection(d, step.id, name))}
        />
      )}
      <section className="settings-section" aria-labelledby={`props-${step.id}-heading`}>
        <h3 id={`props-${step.id}-heading`}>{action.label}</h3>
        <PropsForm
          idPrefix={`prop-${step.id}`}
          nodeKey={step.id}
          props={action.props}
          values={step.props}
          context={{ piece: piece.id, action: action.name, connection: step.connection, needsConnection: auth, props: step.props }}
          onChange={(name, value) => apply((d) => setNodeProp(d, step.id, name, value), { coalesce: `${step.id}:props.${name}` })}
        />
      </section>
    </>
  );
}
