// The flow document (schema_version 1), mirroring engine/src/flow/*.rs and flows/flow.schema.json.
// The editor treats this JSON as the single source of truth: the canvas and every form are functions
// of it plus the pieces catalog, and every edit produces a new document (see ./edit.ts).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonMap = { [key: string]: JsonValue };

export type StepType =
  | 'action'
  | 'filter'
  | 'router'
  | 'loop'
  | 'code'
  | 'set'
  | 'respond'
  | 'stop'
  | 'delay'
  | 'wait'
  | 'subflow';

export const STEP_TYPES: readonly StepType[] = [
  'action',
  'filter',
  'router',
  'loop',
  'code',
  'set',
  'respond',
  'stop',
  'delay',
  'wait',
  'subflow',
];

export type RetryOn = 'network' | 'timeout' | '5xx' | '429' | 'any';

export interface RetryPolicy {
  max_attempts?: number;
  backoff?: 'fixed' | 'exponential';
  initial_delay_ms?: number;
  max_delay_ms?: number;
  jitter?: boolean;
  on?: RetryOn[];
}

/** Fields every step has. */
export interface StepCommon {
  id: string;
  name?: string;
  disabled?: boolean;
  retry?: RetryPolicy;
  timeout_sec?: number;
  on_error?: 'fail' | 'continue';
}

export interface ActionStep extends StepCommon {
  type: 'action';
  piece: string;
  action: string;
  connection?: string;
  props?: JsonMap;
}

export interface FilterStep extends StepCommon {
  type: 'filter';
  condition: string;
}

export interface Branch {
  name: string;
  /** A branch without a condition is the fallback, taken only when no other matches. */
  condition?: string;
}

export interface RouterStep extends StepCommon {
  type: 'router';
  mode?: 'first_match' | 'all_match';
  branches: Branch[];
}

export interface LoopStep extends StepCommon {
  type: 'loop';
  items: JsonValue;
  parallelism?: number;
  /** The body: its entry steps are those with no incoming body edge. */
  steps: Step[];
  edges: Edge[];
}

export interface CodeStep extends StepCommon {
  type: 'code';
  script: string;
}

export interface SetStep extends StepCommon {
  type: 'set';
  values: JsonMap;
}

export interface RespondStep extends StepCommon {
  type: 'respond';
  status?: number;
  headers?: JsonMap;
  body?: JsonValue;
}

export interface StopStep extends StepCommon {
  type: 'stop';
  outcome?: 'succeeded' | 'failed';
  message?: string;
}

export interface DelayStep extends StepCommon {
  type: 'delay';
  duration?: string;
  until?: string;
}

export interface WaitStep extends StepCommon {
  type: 'wait';
  timeout?: string;
  on_timeout?: 'fail' | 'continue';
}

export interface SubflowStep extends StepCommon {
  type: 'subflow';
  flow: string;
  input?: JsonMap;
  wait?: boolean;
}

export type Step =
  | ActionStep
  | FilterStep
  | RouterStep
  | LoopStep
  | CodeStep
  | SetStep
  | RespondStep
  | StopStep
  | DelayStep
  | WaitStep
  | SubflowStep;

export interface Trigger {
  /** The node id edges start from (e.g. `call`). */
  id: string;
  name?: string;
  piece: string;
  trigger: string;
  props?: JsonMap;
  connection?: string;
}

export interface Edge {
  from: string;
  to: string;
  /** For edges out of a router: the branch name. */
  branch?: string;
}

export interface Settings {
  timeout_sec?: number;
  error_flow?: string;
  concurrency?: number;
}

/** A node position as stored in the document: `[x, y]` (DESIGN.md section 2). */
export type Position = [number, number];

/**
 * Editor state kept in the document; the engine never reads it.
 *
 * `positions` maps every node id (the trigger's, every step's, loop bodies' included) to `[x, y]`: the
 * top-left corner of the node. Top-level nodes are in canvas coordinates; a step inside a loop body
 * is relative to the top-left corner of its loop's group box (what @xyflow/react calls a child
 * node's position). Ids are unique across the whole flow, so one flat map is enough. Other keys
 * are kept as they are.
 */
export interface FlowUi {
  positions?: Record<string, Position>;
  [key: string]: unknown;
}

export interface FlowDocument {
  schema_version: number;
  name: string;
  description?: string;
  trigger: Trigger;
  steps: Step[];
  edges: Edge[];
  vars?: JsonMap;
  settings?: Settings;
  ui?: FlowUi;
}

/** Something with a body: the document itself (top level) or a loop step. */
export interface Container {
  steps: Step[];
  edges: Edge[];
}

/**
 * Where a step lives: the loop ids from the top level down to its container (empty for top-level
 * steps). Loops nest, so a body step of a loop inside a loop has a scope of two ids.
 */
export type Scope = readonly string[];
