import type { Step } from '../../flow/types';
import { ConditionInput } from './condition-input';
import { JsonEditor } from './json-editor';
import { FieldShell } from './field-shell';
import { KeyValueEditor } from './key-value-editor';
import { NumberInput } from './number-input';
import { RouterForm } from './router-form';
import { TextSetting } from './text-setting';

type Patch = (patch: Record<string, unknown>, coalesce?: string) => void;

/** The small forms of the built-in steps (filter, router, loop, code, set, delay, wait, respond, stop, subflow). */
export function BuiltinForm({ step, onPatch }: { step: Exclude<Step, { type: 'action' }>; onPatch: Patch }) {
  const id = `step-${step.id}`;
  const c = (field: string) => `${step.id}:${field}`;
  switch (step.type) {
    case 'filter':
      return <ConditionInput id={`${id}-condition`} label="Continue only when" value={step.condition} onChange={(v) => onPatch({ condition: v ?? '' }, c('condition'))} />;
    case 'router':
      return <RouterForm step={step} onPatch={onPatch} />;
    case 'code':
      return (
        <TextSetting
          id={`${id}-script`}
          label="Script"
          required
          code
          multiline={10}
          value={step.script}
          help="A rhai script: the value of its last line is the step’s output. trigger, steps.<id> and vars are in scope."
          onChange={(v) => onPatch({ script: v ?? '' }, c('script'))}
        />
      );
    case 'set':
      return (
        <FieldShell id={`${id}-values`} label="Values" as="fieldset" help="Each name becomes steps.<id>.<name>; values may use {{ }} references.">
          <KeyValueEditor id={`${id}-values`} label="Values" value={step.values} onChange={(v) => onPatch({ values: v ?? {} }, c('values'))} />
        </FieldShell>
      );
    case 'loop':
      return (
        <>
          <TextSetting
            id={`${id}-items`}
            label="Items"
            required
            code
            value={typeof step.items === 'string' ? step.items : JSON.stringify(step.items)}
            help="A list to go through, e.g. {{ trigger.body.leads }}. Inside the loop, item is the current item and index its position."
            onChange={(v) => onPatch({ items: v ?? '' }, c('items'))}
          />
          <FieldShell id={`${id}-parallelism`} label="Items at once" help="1 goes through the items one after another.">
            <NumberInput id={`${id}-parallelism`} value={step.parallelism} integer min={1} placeholder="1" help="x" onChange={(v) => onPatch({ parallelism: typeof v === 'number' ? v : undefined }, c('parallelism'))} />
          </FieldShell>
        </>
      );
    case 'delay':
      return (
        <>
          <p className="muted small-text">Fill in one of the two: how long to wait, or until when.</p>
          <TextSetting id={`${id}-duration`} label="Wait for" value={step.duration} placeholder="e.g. 15m, 2h, 1d" help="90s, 15m, 2h, 3d or 1h 30m." onChange={(v) => onPatch({ duration: v }, c('duration'))} />
          <TextSetting id={`${id}-until`} label="Or wait until" value={step.until} code placeholder="{{ trigger.body.callback_at }}" help="A date-time (2026-05-01T09:00:00Z) or a {{ }} reference to one." onChange={(v) => onPatch({ until: v }, c('until'))} />
        </>
      );
    case 'wait':
      return (
        <>
          <TextSetting id={`${id}-timeout`} label="Give up after" value={step.timeout} placeholder="e.g. 1d" help="Empty: wait for as long as it takes." onChange={(v) => onPatch({ timeout: v }, c('timeout'))} />
          <FieldShell id={`${id}-ontimeout`} label="When it gives up">
            <select id={`${id}-ontimeout`} value={step.on_timeout ?? 'fail'} onChange={(e) => onPatch({ on_timeout: e.target.value })}>
              <option value="fail">Fail the step</option>
              <option value="continue">Continue (the output says timed_out)</option>
            </select>
          </FieldShell>
        </>
      );
    case 'respond':
      return (
        <>
          <FieldShell id={`${id}-status`} label="Status code" help="200 means OK (the default).">
            <NumberInput id={`${id}-status`} value={step.status} integer min={100} placeholder="200" help="x" onChange={(v) => onPatch({ status: typeof v === 'number' ? v : undefined }, c('status'))} />
          </FieldShell>
          <FieldShell id={`${id}-body`} label="Body" help="JSON, or a {{ }} reference. Strings inside may use {{ }} too.">
            <JsonEditor id={`${id}-body`} value={step.body} help="x" rows={6} onChange={(v) => onPatch({ body: v }, c('body'))} />
          </FieldShell>
          <FieldShell id={`${id}-headers`} label="Headers" as="fieldset">
            <KeyValueEditor id={`${id}-headers`} label="Headers" keyLabel="Header" value={step.headers} onChange={(v) => onPatch({ headers: v }, c('headers'))} />
          </FieldShell>
        </>
      );
    case 'stop':
      return (
        <>
          <FieldShell id={`${id}-outcome`} label="End the run as">
            <select id={`${id}-outcome`} value={step.outcome ?? 'succeeded'} onChange={(e) => onPatch({ outcome: e.target.value })}>
              <option value="succeeded">Succeeded</option>
              <option value="failed">Failed</option>
            </select>
          </FieldShell>
          <TextSetting id={`${id}-message`} label="Message" value={step.message} help="Why it stopped; {{ }} references allowed." onChange={(v) => onPatch({ message: v }, c('message'))} />
        </>
      );
    case 'subflow':
      return (
        <>
          <TextSetting id={`${id}-flow`} label="Flow id" required value={step.flow} code help="The id of the flow to run (from its address)." onChange={(v) => onPatch({ flow: v ?? '' }, c('flow'))} />
          <FieldShell id={`${id}-input`} label="Input" as="fieldset" help="The other flow sees it as trigger.body.">
            <KeyValueEditor id={`${id}-input`} label="Input" value={step.input} onChange={(v) => onPatch({ input: v }, c('input'))} />
          </FieldShell>
          <label className="field inline">
            <input type="checkbox" checked={step.wait !== false} onChange={(e) => onPatch({ wait: e.target.checked })} />
            <span>Wait for it and use its result</span>
          </label>
        </>
      );
  }
}
