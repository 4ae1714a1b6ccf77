import { useEffect, useMemo } from 'react';
import { useCatalog } from '../store/catalog-store';
import { useEditorStore } from '../store/editor-store';
import { useSamples } from '../store/samples-store';
import { buildDataContext, type DataContext } from './context';

const EMPTY: DataContext = { scope: {}, roots: [], stepIds: [], inLoop: false, fromExamples: false };

/**
 * The data the selected step's fields can use (the settings panel edits the selected step). Loads
 * the flow's saved samples once when they are not loaded yet.
 */
export function useDataContext(): DataContext & { nodeId: string | null; isTrigger: boolean } {
  const doc = useEditorStore((s) => s.doc);
  const nodeId = useEditorStore((s) => s.selection);
  const flowId = useEditorStore((s) => s.flowId);
  const samples = useSamples((s) => s.samples);
  const samplesFlow = useSamples((s) => s.flowId);
  const pieces = useCatalog((s) => s.pieces);
  useEffect(() => {
    if (flowId && samplesFlow !== flowId) void useSamples.getState().load(flowId);
  }, [flowId, samplesFlow]);
  return useMemo(() => {
    const ctx = doc ? buildDataContext(doc, nodeId, samples, pieces) : EMPTY;
    return { ...ctx, nodeId, isTrigger: !!doc && nodeId === doc.trigger.id };
  }, [doc, nodeId, samples, pieces]);
}
