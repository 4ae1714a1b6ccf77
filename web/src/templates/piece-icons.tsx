import type { CatalogIndex } from '../flow/graph';

/** The apps a template uses, as small icons named for screen readers (the name when there is no icon). */
export function PieceIcons({ pieces, index }: { pieces: readonly string[]; index: CatalogIndex }) {
  return (
    <ul className="template-pieces" aria-label="Apps used">
      {pieces.map((id) => {
        const p = index.pieces.get(id);
        const name = p?.name ?? id;
        return (
          <li key={id} title={name}>
            {p?.icon ? <img src={p.icon} alt={name} width={22} height={22} draggable={false} /> : <span className="template-piece-name">{name}</span>}
          </li>
        );
      })}
    </ul>
  );
}
