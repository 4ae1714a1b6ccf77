import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { exampleOf, type DataNode, type PathSegment } from './paths';

interface Row {
  node: DataNode;
  level: number;
  parent: string | null;
}

/** The rows shown: expanded branches, or with a search every match and the branches leading to it. */
export function visibleRows(roots: readonly DataNode[], expanded: ReadonlySet<string>, query: string): Row[] {
  const q = query.trim().toLowerCase();
  const rows: Row[] = [];
  const matches = (n: DataNode): boolean =>
    n.label.toLowerCase().includes(q) || n.key.toLowerCase().includes(q) || n.children.some(matches);
  const walk = (nodes: readonly DataNode[], level: number, parent: string | null) => {
    for (const n of nodes) {
      if (q && !matches(n)) continue;
      rows.push({ node: n, level, parent });
      const open = q ? n.children.some(matches) : expanded.has(n.key);
      if (open) walk(n.children, level + 1, n.key);
    }
  };
  walk(roots, 1, null);
  return rows;
}

/**
 * "Insert data": a popover with the fields of the trigger's and earlier steps' sample data.
 * Keyboard: type to search, ↑/↓ to move, → to open, ← to close, Enter to insert, Esc to close.
 */
export function DataPicker({
  roots,
  onPick,
  empty,
  fromExamples,
  label = 'Insert data',
  fieldLabel,
}: {
  roots: readonly DataNode[];
  onPick: (path: PathSegment[]) => void;
  /** Shown when there is no data. */
  empty: string;
  fromExamples?: boolean;
  label?: string;
  /** The field it inserts into (for screen readers). */
  fieldLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set());
  const [active, setActive] = useState(0);
  const baseId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => visibleRows(roots, expanded, query), [roots, expanded, query]);
  const current = rows[Math.min(active, rows.length - 1)];

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const pick = (n: DataNode) => {
    onPick(n.path);
    setOpen(false);
  };
  const toggle = (key: string, to?: boolean) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (to ?? !next.has(key)) next.add(key);
      else next.delete(key);
      return next;
    });

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => Math.min(a + 1, rows.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === 'Home' && rows.length) {
      e.preventDefault();
      setActive(0);
    } else if (e.key === 'End' && rows.length) {
      e.preventDefault();
      setActive(rows.length - 1);
    } else if (e.key === 'ArrowRight' && current && current.node.children.length && !query) {
      e.preventDefault();
      if (!expanded.has(current.node.key)) toggle(current.node.key, true);
      else setActive((a) => a + 1);
    } else if (e.key === 'ArrowLeft' && current && !query) {
      e.preventDefault();
      if (expanded.has(current.node.key)) toggle(current.node.key, false);
      else if (current.parent) setActive(rows.findIndex((r) => r.node.key === current.parent));
    } else if (e.key === 'Enter' && current) {
      e.preventDefault();
      pick(current.node);
    }
  };

  const rowId = (i: number) => `${baseId}-row-${i}`;
  return (
    <span className="data-picker">
      <button
        ref={button}
        type="button"
        className="button small ghost"
        aria-haspopup="dialog"
        aria-expanded={open}
        onClick={() => {
          if (open) return close();
          setQuery('');
          setActive(0);
          setExpanded(new Set(roots.slice(-1).map((r) => r.key)));
          setOpen(true);
        }}
      >
        {label}
        {fieldLabel && <span className="visually-hidden"> into {fieldLabel}</span>}
      </button>
      {open && (
        <div ref={box} className="data-picker-pop" role="dialog" aria-label={`${label}${fieldLabel ? ` into ${fieldLabel}` : ''}`} onKeyDown={onKey}>
          <input
            type="search"
            className="data-picker-search"
            placeholder="Search fields"
            aria-label="Search fields"
            autoFocus
            value={query}
            aria-controls={`${baseId}-tree`}
            aria-activedescendant={current ? rowId(rows.indexOf(current)) : undefined}
            onChange={(e) => {
              setQuery(e.target.value);
              setActive(0);
            }}
          />
          {fromExamples && <p className="muted small-text data-picker-note">Example data: test the flow to see your own.</p>}
          {rows.length === 0 ? (
            <p className="muted small-text data-picker-note">{roots.length === 0 ? empty : 'No field matches the search.'}</p>
          ) : (
            <ul id={`${baseId}-tree`} role="tree" aria-label="Data fields" className="data-tree">
              {rows.map((r, i) => {
                const hasChildren = r.node.children.length > 0;
                const isOpen = query ? true : expanded.has(r.node.key);
                return (
                  <li
                    key={r.node.key}
                    id={rowId(i)}
                    role="treeitem"
                    aria-level={r.level}
                    aria-expanded={hasChildren ? isOpen : undefined}
                    aria-selected={r === current}
                    className={`data-row${r === current ? ' active' : ''}`}
                    style={{ paddingLeft: `${(r.level - 1) * 1}rem` }}
                    onMouseEnter={() => setActive(i)}
                  >
                    {hasChildren ? (
                      <button type="button" tabIndex={-1} className="data-twisty" aria-hidden="true" onClick={() => !query && toggle(r.node.key)}>
                        {isOpen ? '▾' : '▸'}
                      </button>
                    ) : (
                      <span className="data-twisty" aria-hidden="true" />
                    )}
                    <button type="button" tabIndex={-1} className="data-pick" title={`Insert ${r.node.key}`} onClick={() => pick(r.node)}>
                      <span className="data-label">{r.node.label}</span>
                      <span className="data-example muted">{exampleOf(r.node.value)}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </span>
  );
}
