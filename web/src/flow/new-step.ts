// New steps as the piece picker creates them: the built-in step types with sensible starting values
// (so a freshly added step is as close to valid as possible), and piece actions.

import { slugId, uniqueId } from './model';
import type { FlowDocument, Step, StepType } from './types';

export type BuiltinType = Exclude<StepType, 'action'>;

export interface BuiltinInfo {
  type: BuiltinType;
  label: string;
  description: string;
}

/** The built-in step types, in picker order, described for non-programmers. */
export const BUILTIN_STEPS: readonly BuiltinInfo[] = [
  { type: 'filter', label: 'Filter', description: 'Continue only when a condition is true.' },
  { type: 'router', label: 'Router', description: 'Send the flow down different branches by condition.' },
  { type: 'loop', label: 'Loop', description: 'Repeat steps for each item of a list.' },
  { type: 'set', label: 'Set values', description: 'Build an object of named values for later steps.' },
  { type: 'code', label: 'Code', description: 'Compute a value with a short script.' },
  { type: 'delay', label: 'Delay', description: 'Wait for a while, or until a date, before going on.' },
  { type: 'wait', label: 'Wait for a webhook', description: 'Pause until something calls the resume URL.' },
  { type: 'respond', label: 'Respond', description: 'Answer the webhook caller.' },
  { type: 'subflow', label: 'Run another flow', description: 'Call another flow and use its result.' },
  { type: 'stop', label: 'Stop', description: 'End the run here, as succeeded or failed.' },
];

export function builtinInfo(type: StepType): BuiltinInfo | undefined {
  return BUILTIN_STEPS.find((b) => b.type === type);
}

/** A built-in step with a fresh id (based on its type) not used anywhere in `doc`. */
export function newBuiltinStep(type: BuiltinType, taken: ReadonlySet<string>): Step {
  const id = uniqueId(type, taken);
  switch (type) {
    case 'filter':
      return { id, type, condition: 'true' };
    case 'router':
      return {
        id,
        type,
        mode: 'first_match',
        branches: [{ name: 'branch_1', condition: 'true' }, { name: 'otherwise' }],
      };
    case 'loop':
      return { id, type, items: '{{ [] }}', parallelism: 1, steps: [], edges: [] };
    case 'set':
      return { id, type, values: {} };
    case 'code':
      return { id, type, script: '// The value of the last line is the output.\n()' };
    case 'delay':
      return { id, type, duration: '1m' };
    case 'wait':
      return { id, type, timeout: '1d', on_timeout: 'fail' };
    case 'respond':
      return { id, type, status: 200, body: {} };
    case 'subflow':
      return { id, type, flow: '', input: {}, wait: true };
    case 'stop':
      return { id, type, outcome: 'succeeded' };
  }
}

/** An action step of a piece, with an id based on the action's name. */
export function newActionStep(piece: string, action: string, taken: ReadonlySet<string>): Step {
  return { id: uniqueId(slugId(action), taken), type: 'action', piece, action, props: {} };
}

/** A blank flow: a webhook trigger and nothing else (the user picks the real trigger first). */
export function blankFlow(name: string): FlowDocument {
  return {
    schema_version: 1,
    name,
    trigger: { id: 'start', piece: 'webhook', trigger: 'catch' },
    steps: [],
    edges: [],
    ui: { positions: { start: [0, 0] } },
  };
}
