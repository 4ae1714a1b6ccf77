// flow → graph: the canvas is a pure function of the document, the pieces catalog and the latest
// validation problems. The trigger and steps become nodes (node id = step id, unique across the flow),
// edges become edges (router edges labelled with their branch), loop bodies become group nodes whose
// body steps are child nodes. Positions come from `ui.positions`; missing ones are filled by the
// auto-layout (./layout.ts). graph → flow is the other direction: the positions the canvas reports
// are written back with `setPositions` (./edit.ts); nothing else is ever read from the canvas.
//
// This runs on every document change, so it is O(steps + edges): one index of the catalog, one walk
// of the document, and no per-node searches through arrays.

import type { Edge as RfEdge, Node as RfNode } from '@xyflow/react';
import { layoutFlow, NODE_HEIGHT, NODE_WIDTH } from './layout';
import { problemNode } from './model';
import { builtinInfo } from './new-step';
import type { Container, FlowDocument, JsonValue, Scope, Step, StepType } from './types';

/** What the pieces catalog gives the canvas: names, labels and icons, by id. */
export interface CatalogIndex {
  pieces: Map<
    string,
    {
      name: string;
      icon?: string;
      category: string;
      actions: Map<string, string>;
      triggers: Map<string, string>;
    }
  >;
}

export interface CatalogLike {
  pieces: ReadonlyArray<{
    id: string;
    name: string;
    icon?: string;
    category: string;
    actions: ReadonlyArray<{ name: string; label: string }>;
    triggers: ReadonlyArray<{ name: string; label: string }>;
  }>;
}

export function indexCatalog(catalog: CatalogLike | undefined): CatalogIndex {
  const pieces: CatalogIndex['pieces'] = new Map();
  for (const p of catalog?.pieces ?? []) {
    pieces.set(p.id, {
      name: p.name,
      icon: p.icon,
      category: p.category,
      actions: new Map(p.actions.map((a) => [a.name, a.label])),
      triggers: new Map(p.triggers.map((t) => [t.name, t.label])),
    });
  }
  return { pieces };
}

export type NodeKind = StepType | 'trigger';

/** What a node component renders; plain values only, so memoised nodes compare shallowly. */
export type StepNodeData = {
  kind: NodeKind;
  /** The step id (the trigger's id for the trigger). */
  stepId: string;
  /** Display label: the step's `name`, else the action/trigger label, else the type. */
  label: string;
  /** The second line: piece and action, or a summary of the step's settings. */
  detail: string;
  /** The piece's icon (a data URL) for action steps and the trigger. */
  icon?: string;
  /** Validation messages for this node, joined; absent when valid. */
  problem?: string;
  disabled: boolean;
  /** Whether the node has an outgoing edge (a leaf gets a "+" below it). */
  hasChildren: boolean;
  /** Router branches that have no edge yet (each gets its own "+"). */
  openBranches?: readonly string[];
  /** Loop ids enclosing the node, joined with `/` (empty at the top level). */
  scopeKey: string;
};

export type FlowNode = RfNode<StepNodeData, 'trigger' | 'step' | 'loop'>;

export type EdgeData = {
  scope: Scope;
  from: string;
  to: string;
  branch?: string;
};

export type FlowEdge = RfEdge<EdgeData, 'add'>;

export interface FlowGraph {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

const EMPTY_INDEX: CatalogIndex = { pieces: new Map() };

function truncate(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

function summary(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return '';
  return truncate(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The second line of a built-in step: what it is set to, in a few words. */
function detailOf(step: Step): string {
  switch (step.type) {
    case 'filter':
      return truncate(step.condition ?? '') || 'no condition yet';
    case 'router':
      return `${step.branches.length} branch${step.branches.length === 1 ? '' : 'es'}, ${step.mode === 'all_match' ? 'all that match' : 'first match'}`;
    case 'loop':
      return `for each of ${summary(step.items)}`;
    case 'code':
      return truncate(step.script ?? '');
    case 'set':
      return Object.keys(step.values ?? {}).join(', ') || 'no values yet';
    case 'respond':
      return `status ${step.status ?? 200}`;
    case 'stop':
      return step.outcome === 'failed' ? 'stops as failed' : 'stops as succeeded';
    case 'delay':
      return step.duration ? `for ${step.duration}` : step.until ? `until ${truncate(step.until, 40)}` : '';
    case 'wait':
      return step.timeout ? `at most ${step.timeout}` : 'until resumed';
    case 'subflow':
      return step.flow ? `flow ${step.flow}` : 'no flow chosen';
    case 'action':
      return '';
  }
}

/**
 * The canvas graph of a document. `problems` maps node ids to their validation messages (see
 * `problemNode` in ./model.ts).
 */
export function flowToGraph(
  doc: FlowDocument,
  catalog: CatalogIndex = EMPTY_INDEX,
  problems: ReadonlyMap<string, readonly string[]> = new Map(),
): FlowGraph {
  const { positions, sizes } = layoutFlow(doc, { keep: true });
  const nodes: FlowNode[] = [];
  const edges: FlowEdge[] = [];

  const problemOf = (id: string) => {
    const list = problems.get(id);
    return list && list.length > 0 ? list.join(' · ') : undefined;
  };

  // What a screen reader (and keyboard user) hears on a focused node: not the card's raw text.
  const ariaLabel = (d: StepNodeData) =>
    [d.label, d.detail, d.disabled ? 'turned off' : '', d.problem ? `problem: ${d.problem}` : ''].filter(Boolean).join(', ');

  const trigger = doc.trigger;
  const tPiece = catalog.pieces.get(trigger.piece);
  const triggerData: StepNodeData = {
    kind: 'trigger',
    stepId: trigger.id,
    label: trigger.name || tPiece?.triggers.get(trigger.trigger) || trigger.trigger,
    detail: `Trigger · ${tPiece?.name ?? trigger.piece}`,
    icon: tPiece?.icon,
    problem: problemOf(trigger.id),
    disabled: false,
    hasChildren: doc.edges.some((e) => e.from === trigger.id),
    scopeKey: '',
  };
  nodes.push({
    id: trigger.id,
    type: 'trigger',
    position: toXY(positions[trigger.id]),
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    deletable: false,
    data: triggerData,
    ariaLabel: ariaLabel(triggerData),
  });

  const walk = (container: Container, scope: Scope, parentId: string | undefined) => {
    const scopeKey = scope.join('/');
    // Which router branches already have an edge, for the per-branch "+" buttons.
    const usedBranches = new Map<string, Set<string>>();
    const sources = new Set<string>();
    for (const e of container.edges) {
      sources.add(e.from);
      if (e.branch === undefined) continue;
      let set = usedBranches.get(e.from);
      if (!set) usedBranches.set(e.from, (set = new Set()));
      set.add(e.branch);
    }
    for (const step of container.steps) {
      let label: string;
      let detail: string;
      let icon: string | undefined;
      if (step.type === 'action') {
        const piece = catalog.pieces.get(step.piece);
        const actionLabel = piece?.actions.get(step.action);
        label = step.name || actionLabel || step.action;
        detail = `${piece?.name ?? step.piece} · ${actionLabel ?? step.action}`;
        icon = piece?.icon;
      } else {
        label = step.name || builtinInfo(step.type)?.label || step.type;
        detail = detailOf(step);
      }
      const data: StepNodeData = {
        kind: step.type,
        stepId: step.id,
        label,
        detail,
        icon,
        problem: problemOf(step.id),
        disabled: step.disabled === true,
        hasChildren: sources.has(step.id),
        scopeKey,
      };
      if (step.type === 'router') {
        const used = usedBranches.get(step.id);
        data.openBranches = step.branches.map((b) => b.name).filter((n) => !used?.has(n));
      }
      const node: FlowNode = {
        id: step.id,
        type: step.type === 'loop' ? 'loop' : 'step',
        position: toXY(positions[step.id]),
        data,
        ariaLabel: ariaLabel(data),
      };
      if (step.type === 'loop') {
        const size = sizes.get(step.id)!;
        node.width = size.width;
        node.height = size.height;
        node.style = { width: size.width, height: size.height };
      } else {
        node.width = NODE_WIDTH;
        node.height = NODE_HEIGHT;
      }
      if (parentId) {
        node.parentId = parentId;
        node.extent = 'parent';
      }
      // Parents must come before their children in the node list.
      nodes.push(node);
      if (step.type === 'loop') walk(step, [...scope, step.id], step.id);
    }
    const seen = new Set<string>();
    for (const e of container.edges) {
      let id = `${scopeKey}|${e.from}->${e.to}|${e.branch ?? ''}`;
      // A duplicate edge is a validation problem, but it must still get its own id here.
      for (let n = 2; seen.has(id); n++) id = `${scopeKey}|${e.from}->${e.to}|${e.branch ?? ''}|${n}`;
      seen.add(id);
      const edge: FlowEdge = {
        id,
        type: 'add',
        source: e.from,
        target: e.to,
        data: e.branch === undefined ? { scope, from: e.from, to: e.to } : { scope, from: e.from, to: e.to, branch: e.branch },
      };
      if (e.branch !== undefined) edge.label = e.branch;
      // Body edges must draw above their loop's box.
      if (scope.length > 0) edge.zIndex = scope.length;
      edges.push(edge);
    }
  };
  walk(doc, [], undefined);
  return { nodes, edges };
}

function toXY(p: readonly [number, number] | undefined): { x: number; y: number } {
  return p ? { x: p[0], y: p[1] } : { x: 0, y: 0 };
}

/**
 * Validation problems by node, from the API's `problems` (computed against `doc`, the document as
 * saved), with the problems about the whole flow under `''`.
 */
export function problemsByNode(
  doc: FlowDocument,
  problems: ReadonlyArray<{ path: string; message: string }>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    const key = problemNode(doc, p.path) ?? '';
    const list = out.get(key);
    if (list) list.push(p.message);
    else out.set(key, [p.message]);
  }
  return out;
}
