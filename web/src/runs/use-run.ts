import { useCallback, useEffect, useRef, useState } from 'react';
import * as api from '../api/api';
import { errorMessage } from '../api/client';
import type { RunRecord } from '../api/types';
import type { FlowDocument } from '../flow/types';

/** How often a queued or running run is fetched again. */
export const REFRESH_MS = 2000;

export function isActive(status: RunRecord['status']): boolean {
  return status === 'queued' || status === 'running';
}

/**
 * A run record and the document it ran (its published version, or the flow's current draft for a
 * test run), fetched again every couple of seconds while the run is queued or running.
 */
export function useRun(runId: string) {
  const [run, setRun] = useState<RunRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [doc, setDoc] = useState<FlowDocument | null>(null);
  const [docError, setDocError] = useState<string | null>(null);
  const docKey = useRef<string | null>(null);
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    try {
      const r = await api.runs.get(runId);
      if (!live.current) return;
      setRun(r);
      setError(null);
    } catch (e) {
      if (live.current) setError(errorMessage(e));
    }
  }, [runId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // The document: once per flow version (a retry may run the latest version).
  const flowId = run?.flow_id;
  const version = run?.version ?? null;
  const loadDoc = useCallback(async () => {
    if (!flowId) return;
    setDocError(null);
    try {
      const d = version === null ? (await api.flows.get(flowId)).document : (await api.flows.version(flowId, version)).document;
      if (live.current) setDoc(d);
    } catch (e) {
      if (live.current) setDocError(errorMessage(e));
    }
  }, [flowId, version]);
  useEffect(() => {
    const key = flowId ? `${flowId}@${version ?? 'draft'}` : null;
    if (!key || key === docKey.current) return;
    docKey.current = key;
    void loadDoc();
  }, [flowId, version, loadDoc]);

  const active = run ? isActive(run.status) : false;
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => void refresh(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [active, refresh]);

  return { run, error, doc, docError, refresh, reloadDoc: loadDoc };
}
