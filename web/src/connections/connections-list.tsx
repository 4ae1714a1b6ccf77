import type { Connection, Piece } from '../api/types';
import { FALLBACK_ICON } from '../editor/builtin-icons';
import type { ConnectionGroup } from './connection-list';
import { ConnectionRow } from './connection-row';

/** The connections, one section per app, each with its rows. */
export function ConnectionsList({
  groups,
  pieces,
  onChanged,
  onDeleted,
}: {
  groups: readonly ConnectionGroup[];
  pieces: readonly Piece[] | null;
  onChanged: (c: Connection) => void;
  onDeleted: (id: string) => void;
}) {
  return (
    <div className="conn-groups">
      {groups.map((g) => (
        <section key={g.piece} className="conn-group" aria-labelledby={`conn-group-${g.piece}`}>
          <h2 id={`conn-group-${g.piece}`} className="conn-group-title">
            <img src={g.icon ?? FALLBACK_ICON} alt="" width={22} height={22} />
            {g.pieceName}
            <span className="muted small-text">
              {g.items.length} connection{g.items.length === 1 ? '' : 's'}
            </span>
          </h2>
          <ul className="conn-list">
            {g.items.map((item) => (
              <ConnectionRow
                key={item.connection.id}
                item={item}
                piece={pieces?.find((p) => p.id === item.connection.piece)}
                onChanged={onChanged}
                onDeleted={onDeleted}
              />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
