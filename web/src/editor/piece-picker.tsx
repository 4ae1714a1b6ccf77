import { useEffect, useMemo, useRef, useState } from 'react';
import type { Piece } from '../api/types';
import { BUILTIN_STEPS, type BuiltinType } from '../flow/new-step';
import { BUILTIN_ICONS, FALLBACK_ICON } from './builtin-icons';

/** One choice of the picker. */
export type PickerChoice =
  | { kind: 'builtin'; type: BuiltinType }
  | { kind: 'action'; piece: string; action: string; label: string }
  | { kind: 'trigger'; piece: string; trigger: string };

interface Item {
  key: string;
  choice: PickerChoice;
  label: string;
  description: string;
  icon: string;
  group: string;
  /** Lower-case text the search matches against. */
  text: string;
}

function itemsFor(pieces: readonly Piece[], triggers: boolean): Item[] {
  const items: Item[] = [];
  if (!triggers) {
    for (const b of BUILTIN_STEPS) {
      items.push({
        key: `builtin:${b.type}`,
        choice: { kind: 'builtin', type: b.type },
        label: b.label,
        description: b.description,
        icon: BUILTIN_ICONS[b.type],
        group: 'Built-in steps',
        text: `${b.label} ${b.description} ${b.type} built-in logic`.toLowerCase(),
      });
    }
  }
  for (const p of pieces) {
    const list = triggers ? p.triggers : p.actions.filter((a) => !a.internal);
    for (const a of list) {
      items.push({
        key: `${p.id}:${a.name}`,
        choice: triggers ? { kind: 'trigger', piece: p.id, trigger: a.name } : { kind: 'action', piece: p.id, action: a.name, label: a.label },
        label: `${p.name}: ${a.label}`,
        description: a.description,
        icon: p.icon ?? FALLBACK_ICON,
        group: p.category || 'Other',
        text: `${p.name} ${a.label} ${a.description} ${p.category} ${p.id} ${a.name}`.toLowerCase(),
      });
    }
  }
  return items;
}

/**
 * The searchable piece picker, as a modal dialog: built-in steps and every piece's actions (or, to
 * change the trigger, every piece's triggers), grouped by category. Enter in the search box takes
 * the first match.
 */
export function PiecePicker({
  pieces,
  mode,
  loading,
  error,
  onPick,
  onClose,
}: {
  pieces: readonly Piece[] | null;
  mode: 'step' | 'trigger';
  loading: boolean;
  error: string | null;
  onPick: (choice: PickerChoice) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [query, setQuery] = useState('');
  const all = useMemo(() => itemsFor(pieces ?? [], mode === 'trigger'), [pieces, mode]);
  const shown = useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return words.length ? all.filter((i) => words.every((w) => i.text.includes(w))) : all;
  }, [all, query]);
  const groups = useMemo(() => {
    const map = new Map<string, Item[]>();
    for (const i of shown) {
      const list = map.get(i.group);
      if (list) list.push(i);
      else map.set(i.group, [i]);
    }
    return [...map.entries()];
  }, [shown]);

  const search = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first button (Close); typing should go to the search.
    search.current?.focus();
    return () => {
      dialog?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const title = mode === 'trigger' ? 'Choose what starts the flow' : 'Add a step';
  return (
    <dialog
      ref={ref}
      className="dialog picker"
      aria-labelledby="picker-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself) closes it.
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="picker-head">
        <h2 id="picker-title">{title}</h2>
        <button type="button" className="button ghost small" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <label className="field">
        <span className="visually-hidden">Search</span>
        <input
          ref={search}
          type="search"
          placeholder={mode === 'trigger' ? 'Search triggers: Vapi, webhook, schedule…' : 'Search apps and steps: Slack, HubSpot, filter…'}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && shown[0]) {
              e.preventDefault();
              onPick(shown[0].choice);
            }
          }}
          aria-controls="picker-results"
        />
      </label>
      <div id="picker-results" className="picker-results" aria-live="polite">
        {error && <p className="message message-error">{error}</p>}
        {loading && !pieces && <p className="muted">Loading the apps…</p>}
        {!loading && shown.length === 0 && <p className="muted">Nothing matches “{query}”.</p>}
        {groups.map(([group, items]) => (
          <section key={group} aria-label={group}>
            <h3 className="picker-group">{group}</h3>
            <ul className="picker-list">
              {items.map((i) => (
                <li key={i.key}>
                  <button type="button" className="picker-item" onClick={() => onPick(i.choice)}>
                    <img src={i.icon} alt="" width={28} height={28} />
                    <span>
                      <span className="picker-label">{i.label}</span>
                      <span className="picker-description">{i.description}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </dialog>
  );
}
