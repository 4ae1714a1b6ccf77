// Sample data of the open flow: what each step (and the trigger) produced in the last test, by
// node id. The data picker offers its fields, the expression preview evaluates against it, and
// the canvas shows a tested step's result inline. Tests (of the flow or of one step) write here.

import { create } from 'zustand';
import * as api from '../api/api';
import { errorMessage } from '../api/client';

/** One step's result from the latest test, beyond its output (shown inline on the canvas). */
export interface TestResult {
  status: string;
  input?: unknown;
  output?: unknown;
  error?: { message: string; kind?: string } | null;
  duration_ms?: number | null;
}

interface SamplesState {
  /** The flow these samples belong to. */
  flowId: string | null;
  /** Outputs by node id (trigger id included). */
  samples: Record<string, unknown>;
  /** The latest test result per node id (set by tests in this session). */
  results: Record<string, TestResult>;
  loading: boolean;
  error: string | null;
  /** Loads the flow's saved sample data (`GET /api/v1/flows/{id}/samples`). */
  load: (flowId: string) => Promise<void>;
  /** Records a node's output (and optionally its test result). */
  setSample: (nodeId: string, output: unknown, result?: TestResult) => void;
  /** Replaces everything with a whole test run's outputs and results. */
  setRun: (samples: Record<string, unknown>, results: Record<string, TestResult>) => void;
  clear: () => void;
}

export const useSamples = create<SamplesState>()((set, get) => ({
  flowId: null,
  samples: {},
  results: {},
  loading: false,
  error: null,
  load: async (flowId) => {
    set({ flowId, loading: true, error: null, samples: {}, results: {} });
    try {
      const samples = await api.flows.samples(flowId);
      // A slower answer for a flow that is no longer open is dropped.
      if (get().flowId === flowId) set({ samples, loading: false });
    } catch (e) {
      if (get().flowId === flowId) set({ loading: false, error: errorMessage(e) });
    }
  },
  setSample: (nodeId, output, result) =>
    set((s) => ({
      samples: { ...s.samples, [nodeId]: output },
      results: result ? { ...s.results, [nodeId]: result } : s.results,
    })),
  setRun: (samples, results) => set((s) => ({ samples: { ...s.samples, ...samples }, results })),
  clear: () => set({ flowId: null, samples: {}, results: {}, error: null }),
}));
