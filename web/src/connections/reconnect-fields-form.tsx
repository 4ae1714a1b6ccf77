import type { Connection, Piece } from '../api/types';
import { CredentialsForm } from '../editor/settings/credentials-form';
import { updateConnection } from './connections-api';

/**
 * Reconnect an API key / bearer / basic / custom connection: the piece's fields, typed again (the
 * stored values are never shown), sent with PUT; the server tests them before saving and answers in
 * plain words when they do not work. The connection keeps its name, so steps still find it.
 */
export function ReconnectFieldsForm({
  connection,
  piece,
  onSaved,
  onCancel,
}: {
  connection: Connection;
  piece: Piece;
  onSaved: (c: Connection) => void;
  onCancel: () => void;
}) {
  return (
    <CredentialsForm
      piece={piece}
      idPrefix={`reconnect-${connection.id}`}
      label={`Reconnect ${connection.name}`}
      className="reconnect-form"
      send={async (values) => onSaved(await updateConnection(connection.id, { name: connection.name, values }))}
      onCancel={onCancel}
      before={() => (
        <p className="muted small-text">
          Enter the {piece.name} credentials again. They replace the stored ones once {piece.name} accepts them.
          {piece.auth_help ? ` ${piece.auth_help}` : ''}
        </p>
      )}
    />
  );
}
