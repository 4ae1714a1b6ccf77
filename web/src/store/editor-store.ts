// The flow editor's state: the document being edited (the single source of truth for the canvas and
// the forms), what was last saved, a bounded undo/redo history of whole documents, the selection, and
// the latest validation problems. Every edit goes through `apply` with a pure function from ../flow.
//
// Documents are immutable and edits share structure, so keeping 100 of them in the history costs
// little, and "dirty" is a reference comparison with the last saved document: undoing back to what
// was saved makes the flow clean again.

import { create } from 'zustand';
import * as api from '../api/api';
import { ApiError, errorMessage } from '../api/client';
import type { FlowDetail, FlowSummary, Problem } from '../api/types';
import { EditError, setPositions } from '../flow/edit';
import { layoutFlow } from '../flow/layout';
import { allIds, problemNode } from '../flow/model';
import type { FlowDocument } from '../flow/types';

export const HISTORY_LIMIT = 100;
/** Edits with the same coalesce key this close together are one undo step (typing a name). */
const COALESCE_MS = 1000;

/** A validation problem with the node it is about (absent for problems about the whole flow). */
export interface LocatedProblem extends Problem {
  node?: string;
}

/** Where a step chosen in the piece picker goes. */
export type PickerTarget =
  | { kind: 'after'; from: string; branch?: string }
  | { kind: 'edge'; scope: readonly string[]; from: string; to: string; branch?: string }
  | { kind: 'loop'; loop: string }
  | { kind: 'trigger' };

export interface EditorApi {
  get: (id: string) => Promise<FlowDetail>;
  update: (id: string, doc: FlowDocument) => Promise<FlowDetail>;
  publish: (id: string) => Promise<{ version: number }>;
  enable: (id: string) => Promise<FlowSummary>;
  disable: (id: string) => Promise<FlowSummary>;
}

export interface EditorState {
  flowId: string | null;
  /** The flow as the server last described it (enabled, versions, webhook URLs). */
  meta: FlowSummary | null;
  doc: FlowDocument | null;
  /** The document as last loaded or saved; `dirty` is `doc !== saved`. */
  saved: FlowDocument | null;
  dirty: boolean;
  past: FlowDocument[];
  future: FlowDocument[];
  selection: string | null;
  problems: LocatedProblem[];
  loading: boolean;
  /** Why the flow could not be loaded. */
  loadError: string | null;
  busy: 'saving' | 'publishing' | 'enabling' | null;
  /** The latest message for the user: a failed save, a refused edit, a successful publish. */
  notice: { kind: 'error' | 'info'; text: string } | null;
  picker: PickerTarget | null;

  load: (id: string) => Promise<void>;
  /** Opens a document without a server (tests, previews); it counts as saved. */
  open: (doc: FlowDocument, flowId?: string | null) => void;
  apply: (edit: (doc: FlowDocument) => FlowDocument, options?: { coalesce?: string; select?: string | null }) => boolean;
  undo: () => void;
  redo: () => void;
  select: (id: string | null) => void;
  save: () => Promise<boolean>;
  publish: () => Promise<boolean>;
  setEnabled: (enabled: boolean) => Promise<void>;
  autoLayout: () => void;
  openPicker: (target: PickerTarget | null) => void;
  dismissNotice: () => void;
  reset: () => void;
}

/** The document with every missing position filled, so the canvas never lays out on render. */
export function withPositions(doc: FlowDocument): FlowDocument {
  return setPositions(doc, layoutFlow(doc, { keep: true }).positions);
}

function locate(doc: FlowDocument, problems: readonly Problem[]): LocatedProblem[] {
  return problems.map((p) => {
    const node = problemNode(doc, p.path);
    return node ? { ...p, node } : { ...p };
  });
}

const initial = {
  flowId: null,
  meta: null,
  doc: null,
  saved: null,
  dirty: false,
  past: [],
  future: [],
  selection: null,
  problems: [],
  loading: false,
  loadError: null,
  busy: null,
  notice: null,
  picker: null,
} satisfies Partial<EditorState>;

function summaryOf(f: FlowSummary): FlowSummary {
  const { document: _d, problems: _p, ...rest } = f as FlowDetail;
  return rest;
}

export function createEditorStore(client: EditorApi = api.flows) {
  let lastCoalesce: { key: string; at: number } | null = null;
  // Loads can overlap when the user navigates quickly; only the latest may land.
  let loadToken = 0;

  return create<EditorState>()((set, get) => ({
    ...initial,

    load: async (id) => {
      const token = ++loadToken;
      set({ ...initial, flowId: id, loading: true });
      try {
        const flow = await client.get(id);
        if (token !== loadToken) return;
        const doc = withPositions(flow.document);
        set({
          meta: summaryOf(flow),
          doc,
          saved: doc,
          dirty: false,
          problems: locate(flow.document, flow.problems ?? []),
          loading: false,
        });
      } catch (e) {
        if (token !== loadToken) return;
        set({ loading: false, loadError: errorMessage(e) });
      }
    },

    open: (raw, flowId = null) => {
      loadToken++;
      lastCoalesce = null;
      const doc = withPositions(raw);
      set({ ...initial, flowId, doc, saved: doc });
    },

    apply: (edit, options = {}) => {
      const { doc, past, saved, selection } = get();
      if (!doc) return false;
      let next: FlowDocument;
      try {
        next = edit(doc);
      } catch (e) {
        if (e instanceof EditError) {
          set({ notice: { kind: 'error', text: errorMessage(e) } });
          return false;
        }
        throw e;
      }
      if (next === doc) return false;
      const now = Date.now();
      const coalesce =
        options.coalesce !== undefined &&
        lastCoalesce?.key === options.coalesce &&
        now - lastCoalesce.at < COALESCE_MS &&
        past.length > 0;
      lastCoalesce = options.coalesce !== undefined ? { key: options.coalesce, at: now } : null;
      const nextPast = coalesce ? past : [...past, doc].slice(-HISTORY_LIMIT);
      let nextSelection = options.select !== undefined ? options.select : selection;
      // A selection whose step is gone (deleted, renamed) would point at nothing.
      if (nextSelection && !allIds(next).has(nextSelection)) nextSelection = null;
      set({ doc: next, past: nextPast, future: [], dirty: next !== saved, selection: nextSelection, notice: null });
      return true;
    },

    undo: () => {
      const { doc, past, future, saved, selection } = get();
      const prev = past[past.length - 1];
      if (!doc || !prev) return;
      lastCoalesce = null;
      set({
        doc: prev,
        past: past.slice(0, -1),
        future: [doc, ...future],
        dirty: prev !== saved,
        selection: selection && allIds(prev).has(selection) ? selection : null,
      });
    },

    redo: () => {
      const { doc, past, future, saved, selection } = get();
      const next = future[0];
      if (!doc || !next) return;
      lastCoalesce = null;
      set({
        doc: next,
        past: [...past, doc].slice(-HISTORY_LIMIT),
        future: future.slice(1),
        dirty: next !== saved,
        selection: selection && allIds(next).has(selection) ? selection : null,
      });
    },

    select: (id) => {
      if (get().selection !== id) set({ selection: id });
    },

    save: async () => {
      const { flowId, doc, busy } = get();
      if (!flowId || !doc || busy) return false;
      set({ busy: 'saving', notice: null });
      try {
        const flow = await client.update(flowId, doc);
        // The document may have changed while the request was out: it stays dirty then.
        const current = get().doc;
        set({
          saved: doc,
          dirty: current !== doc,
          meta: summaryOf(flow),
          problems: locate(doc, flow.problems ?? []),
          busy: null,
        });
        return true;
      } catch (e) {
        const problems = e instanceof ApiError && e.problems.length > 0 ? locate(doc, e.problems) : get().problems;
        set({ busy: null, problems, notice: { kind: 'error', text: `Not saved: ${errorMessage(e)}` } });
        return false;
      }
    },

    publish: async () => {
      if (get().dirty && !(await get().save())) return false;
      const { flowId, saved, busy } = get();
      if (!flowId || !saved || busy) return false;
      set({ busy: 'publishing', notice: null });
      try {
        const published = await client.publish(flowId);
        const meta = get().meta;
        set({
          busy: null,
          problems: [],
          meta: meta ? { ...meta, published_version: published.version, draft_changed: false } : meta,
          notice: { kind: 'info', text: `Published as version ${published.version}.` },
        });
        return true;
      } catch (e) {
        const problems = e instanceof ApiError && e.problems.length > 0 ? locate(saved, e.problems) : get().problems;
        const text =
          e instanceof ApiError && e.code === 'invalid_flow'
            ? `Not published: fix the ${problems.length === 1 ? 'problem' : `${problems.length} problems`} listed first.`
            : `Not published: ${errorMessage(e)}`;
        set({ busy: null, problems, notice: { kind: 'error', text } });
        return false;
      }
    },

    setEnabled: async (enabled) => {
      const { flowId, busy } = get();
      if (!flowId || busy) return;
      set({ busy: 'enabling', notice: null });
      try {
        const flow = await (enabled ? client.enable(flowId) : client.disable(flowId));
        set({ busy: null, meta: summaryOf(flow) });
      } catch (e) {
        set({ busy: null, notice: { kind: 'error', text: errorMessage(e) } });
      }
    },

    autoLayout: () => {
      get().apply((doc) => setPositions(doc, layoutFlow(doc, { keep: false }).positions));
    },

    openPicker: (target) => set({ picker: target }),
    dismissNotice: () => set({ notice: null }),
    reset: () => {
      loadToken++;
      lastCoalesce = null;
      set({ ...initial });
    },
  }));
}

export const useEditorStore = createEditorStore();
