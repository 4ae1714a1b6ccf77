import { useEffect, useState } from 'react';
import * as api from '../api/api';
import type { FlowListItem } from '../api/types';
import { patchFlow } from '../flow/edit';
import type { JsonMap, JsonValue } from '../flow/types';
import { useEditorStore } from '../store/editor-store';
import { FieldShell } from './settings/field-shell';
import { KeyValueEditor } from './settings/key-value-editor';
import { NumberInput } from './settings/number-input';

// The flows an error flow is chosen from: loaded once per flow opened, not each time the
// selection is cleared (which shows this panel again).
let choices: { flowId: string; list: Promise<FlowListItem[]> } | null = null;
function flowChoices(flowId: string): Promise<FlowListItem[]> {
  if (choices?.flowId !== flowId) choices = { flowId, list: api.flows.list().catch(() => []) };
  return choices.list;
}

/**
 * The side panel when no step is selected: the flow's own settings — what it is for, its
 * variables (`vars.<name>`, which templates ask you to fill in), the flow started when a run
 * fails, and run limits.
 */
export function FlowSettingsPanel() {
  const doc = useEditorStore((s) => s.doc);
  const flowId = useEditorStore((s) => s.flowId);
  const [flows, setFlows] = useState<FlowListItem[] | null>(null);
  useEffect(() => {
    let live = true;
    void flowChoices(flowId ?? '').then((list) => live && setFlows(list));
    return () => {
      live = false;
    };
  }, [flowId]);
  if (!doc) return null;
  const apply = (patch: Parameters<typeof patchFlow>[1], coalesce?: string) =>
    useEditorStore.getState().apply((d) => patchFlow(d, patch), coalesce ? { coalesce } : undefined);
  const errorFlow = doc.settings?.error_flow ?? '';
  const others = (flows ?? []).filter((f) => f.id !== flowId);
  const unknownErrorFlow = errorFlow !== '' && flows !== null && !others.some((f) => f.id === errorFlow);
  return (
    <aside className="side-panel settings-panel" aria-label="Flow settings">
      <p className="muted">Select a step to see its settings, or use a + to add one.</p>
      <h2>Flow settings</h2>
      <FieldShell id="flow-description" label="Description" help="What the flow is for, for whoever opens it next.">
        <textarea
          id="flow-description"
          rows={2}
          value={doc.description ?? ''}
          onChange={(e) => apply({ description: e.target.value }, 'flow-description')}
          aria-describedby="flow-description-help"
        />
      </FieldShell>
      <FieldShell
        id="flow-vars"
        label="Variables"
        as="fieldset"
        help="Values the steps read as vars.<name> (a time zone, a phone number per location, a link). Templates say which ones to set."
      >
        <KeyValueEditor
          id="flow-vars"
          label="Variables"
          keyLabel="Variable"
          value={doc.vars}
          onChange={(v: JsonValue | undefined) => apply({ vars: (v ?? undefined) as JsonMap | undefined }, 'flow-vars')}
        />
      </FieldShell>
      <FieldShell id="flow-error-flow" label="When a run fails, start" help="Another flow that gets the failed run's details (an alert to Slack or by email, for example).">
        <select
          id="flow-error-flow"
          value={errorFlow}
          onChange={(e) => apply({ settings: { error_flow: e.target.value || undefined } })}
          aria-describedby="flow-error-flow-help"
        >
          <option value="">Nothing</option>
          {unknownErrorFlow && <option value={errorFlow}>{errorFlow} (not found)</option>}
          {others.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </FieldShell>
      <FieldShell id="flow-timeout" label="Time limit per run (seconds)" help="A run taking longer fails; waiting and paused time does not count. Empty: the server's default.">
        <NumberInput
          id="flow-timeout"
          value={doc.settings?.timeout_sec}
          integer
          min={1}
          help="x"
          onChange={(v) => apply({ settings: { timeout_sec: typeof v === 'number' ? v : undefined } }, 'flow-timeout')}
        />
      </FieldShell>
      <FieldShell id="flow-concurrency" label="Runs at the same time" help="At most this many runs of this flow at once (1: one after another). Empty: no limit of its own.">
        <NumberInput
          id="flow-concurrency"
          value={doc.settings?.concurrency}
          integer
          min={1}
          help="x"
          onChange={(v) => apply({ settings: { concurrency: typeof v === 'number' ? v : undefined } }, 'flow-concurrency')}
        />
      </FieldShell>
    </aside>
  );
}
