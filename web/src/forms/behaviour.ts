// A step's behaviour settings (engine/src/flow/step.rs: `retry`, `on_error`, `timeout_sec`) as a
// form: the defaults the engine applies, and form values → the step's fields.

import type { RetryOn, RetryPolicy, Step } from '../flow/types';

/** The engine's defaults for a retry policy's absent fields. */
export const RETRY_DEFAULTS: Required<RetryPolicy> = {
  max_attempts: 3,
  backoff: 'exponential',
  initial_delay_ms: 1000,
  max_delay_ms: 60_000,
  jitter: true,
  on: ['network', 'timeout', '5xx', '429'],
};

export const RETRY_ON: readonly { value: RetryOn; label: string }[] = [
  { value: 'network', label: 'The service cannot be reached' },
  { value: 'timeout', label: 'An attempt times out' },
  { value: '5xx', label: 'The service has an error (5xx)' },
  { value: '429', label: 'Too many requests (429)' },
  { value: 'any', label: 'Any failure' },
];

/** The retry policy with `patch` applied; fields equal to the engine's default are left out. */
export function patchRetry(current: RetryPolicy | undefined, patch: Partial<RetryPolicy>): RetryPolicy {
  const merged: RetryPolicy = { ...current, ...patch };
  const out: RetryPolicy = {};
  for (const key of Object.keys(RETRY_DEFAULTS) as (keyof RetryPolicy)[]) {
    const v = merged[key];
    if (v === undefined) continue;
    if (key !== 'max_attempts' && JSON.stringify(v) === JSON.stringify(RETRY_DEFAULTS[key])) continue;
    (out as Record<string, unknown>)[key] = v;
  }
  // `max_attempts` is always written: it is what makes "retry" visible in the document.
  out.max_attempts = merged.max_attempts ?? RETRY_DEFAULTS.max_attempts;
  return out;
}

/** A retry policy's `on` list with `value` switched on or off (empty → the defaults). */
export function toggleRetryOn(current: readonly RetryOn[] | undefined, value: RetryOn, on: boolean): RetryOn[] {
  const list = new Set(current ?? RETRY_DEFAULTS.on);
  if (on) list.add(value);
  else list.delete(value);
  return RETRY_ON.map((o) => o.value).filter((v) => list.has(v));
}

/** The behaviour fields of a step, for the form (absent fields as the engine reads them). */
export function behaviourOf(step: Step): { retry: RetryPolicy | undefined; onError: 'fail' | 'continue'; timeoutSec: number | undefined } {
  return { retry: step.retry, onError: step.on_error ?? 'fail', timeoutSec: step.timeout_sec };
}

/** `on_error` as the document stores it: `fail` is the default and is left out. */
export function onErrorField(value: 'fail' | 'continue'): 'continue' | undefined {
  return value === 'continue' ? 'continue' : undefined;
}
