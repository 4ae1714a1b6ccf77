import { useState } from 'react';
import * as api from '../../api/api';
import type { Connection, Piece } from '../../api/types';
import { CredentialsForm } from './credentials-form';
import { describedBy, FieldShell } from './field-shell';

/**
 * "Connect a new account" for API key, bearer, basic and custom pieces: the connection's name and
 * the piece's `auth_fields`. The server tests the values before saving and answers in plain words
 * when they do not work; secrets are typed into password inputs and never shown back.
 */
export function AuthFieldsForm({
  piece,
  idPrefix,
  initialName,
  onCreated,
  onCancel,
}: {
  piece: Piece;
  idPrefix: string;
  initialName: string;
  onCreated: (c: Connection) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initialName);
  const nameId = `${idPrefix}-name`;
  const nameHelp = 'How steps refer to this account, e.g. “HubSpot – sales”.';
  return (
    <CredentialsForm
      piece={piece}
      idPrefix={idPrefix}
      label={`Connect a new ${piece.name} account`}
      check={(): Record<string, string> => (name.trim() ? {} : { __name: 'Give the connection a name.' })}
      send={async (values) => onCreated(await api.connections.create({ name: name.trim(), piece: piece.id, values }))}
      onCancel={onCancel}
      before={(errors) => (
        <>
          {piece.auth_help && <p className="muted small-text">{piece.auth_help}</p>}
          <FieldShell id={nameId} label="Connection name" required help={nameHelp} error={errors.__name}>
            <input
              id={nameId}
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-required
              aria-invalid={errors.__name ? true : undefined}
              aria-describedby={describedBy(nameId, nameHelp, errors.__name)}
            />
          </FieldShell>
        </>
      )}
    />
  );
}
