import { behaviourOf, onErrorField, patchRetry, RETRY_DEFAULTS, RETRY_ON, toggleRetryOn } from '../../forms/behaviour';
import type { RetryPolicy, Step } from '../../flow/types';
import { describedBy, FieldShell } from './field-shell';
import { NumberInput } from './number-input';

/**
 * When the step fails: retries (`retry`: attempts, backoff, first delay, which failures), what
 * a failure does (`on_error`: fail or continue) and the per-attempt timeout (`timeout_sec`).
 */
export function BehaviourSettings({ id, step, onPatch }: { id: string; step: Step; onPatch: (patch: Record<string, unknown>, coalesce?: string) => void }) {
  const { retry, onError, timeoutSec } = behaviourOf(step);
  const setRetry = (patch: Partial<RetryPolicy>, coalesce?: string) => onPatch({ retry: patchRetry(retry, patch) }, coalesce);
  const onErrorHelp =
    onError === 'continue'
      ? 'The run goes on; this step’s output is { error: … } so later steps can check it.'
      : 'The run stops and is marked failed.';
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>When it fails</h3>
      <label className="field inline">
        <input type="checkbox" checked={retry !== undefined} onChange={(e) => onPatch({ retry: e.target.checked ? patchRetry(undefined, {}) : undefined })} />
        <span>Try again when it fails</span>
      </label>
      {retry && (
        <div className="nested">
          <FieldShell id={`${id}-attempts`} label="Attempts in all" help="The first attempt included (2–10).">
            <NumberInput
              id={`${id}-attempts`}
              value={retry.max_attempts ?? RETRY_DEFAULTS.max_attempts}
              integer
              min={1}
              help="x"
              onChange={(v) => typeof v === 'number' && setRetry({ max_attempts: v }, `${step.id}:retry.attempts`)}
            />
          </FieldShell>
          <FieldShell id={`${id}-backoff`} label="Wait between attempts">
            <select
              id={`${id}-backoff`}
              value={retry.backoff ?? RETRY_DEFAULTS.backoff}
              onChange={(e) => setRetry({ backoff: e.target.value as 'fixed' | 'exponential' })}
            >
              <option value="exponential">Longer each time (exponential)</option>
              <option value="fixed">The same each time (fixed)</option>
            </select>
          </FieldShell>
          <FieldShell id={`${id}-delay`} label="First wait (milliseconds)" help={`Default ${RETRY_DEFAULTS.initial_delay_ms} ms.`}>
            <NumberInput
              id={`${id}-delay`}
              value={retry.initial_delay_ms}
              integer
              min={0}
              placeholder={String(RETRY_DEFAULTS.initial_delay_ms)}
              help="x"
              onChange={(v) => setRetry({ initial_delay_ms: typeof v === 'number' ? v : undefined }, `${step.id}:retry.delay`)}
            />
          </FieldShell>
          <FieldShell id={`${id}-on`} label="Retry when" as="fieldset">
            {RETRY_ON.map((o) => (
              <label key={o.value} className="field inline">
                <input
                  type="checkbox"
                  checked={(retry.on ?? RETRY_DEFAULTS.on).includes(o.value)}
                  onChange={(e) => setRetry({ on: toggleRetryOn(retry.on, o.value, e.target.checked) })}
                />
                <span>{o.label}</span>
              </label>
            ))}
          </FieldShell>
        </div>
      )}
      <FieldShell id={`${id}-onerror`} label="If it still fails" help={onErrorHelp}>
        <select
          id={`${id}-onerror`}
          value={onError}
          aria-describedby={describedBy(`${id}-onerror`, onErrorHelp, null)}
          onChange={(e) => onPatch({ on_error: onErrorField(e.target.value as 'fail' | 'continue') })}
        >
          <option value="fail">Stop the run (fail)</option>
          <option value="continue">Continue with the next steps</option>
        </select>
      </FieldShell>
      <FieldShell id={`${id}-timeout`} label="Time limit per attempt (seconds)" help="Empty: no limit of its own.">
        <NumberInput
          id={`${id}-timeout`}
          value={timeoutSec}
          min={0.001}
          help="x"
          onChange={(v) => onPatch({ timeout_sec: typeof v === 'number' ? v : undefined }, `${step.id}:timeout`)}
        />
      </FieldShell>
    </section>
  );
}
