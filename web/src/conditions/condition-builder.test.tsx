import type React from 'react';
import { renderToString as renderToHtml } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { visibleRows } from '../expressions/data-picker';
import { ExpressionInput } from '../expressions/expression-input';
import { dataTree } from '../expressions/paths';
import type { FlowDocument } from '../flow/types';
import { useEditorStore } from '../store/editor-store';
import { useSamples } from '../store/samples-store';
import { ConditionBuilder } from './condition-builder';

const doc: FlowDocument = {
  schema_version: 1,
  name: 't',
  trigger: { id: 'call', piece: 'webhook', trigger: 'catch' },
  steps: [{ id: 'f', type: 'filter', condition: '' }],
  edges: [{ from: 'call', to: 'f' }],
};

function open() {
  useEditorStore.getState().open(doc);
  useEditorStore.getState().select('f');
  useSamples.setState({ flowId: null, samples: { call: { call: { status: 'ended', duration: 42 } } } });
}
// Server rendering reads a zustand store's initial state (its server snapshot): each render
// copies the current state into it; the originals come back after each test.
const stores = [useEditorStore, useSamples] as const;
const originals = stores.map((s) => ({ ...s.getInitialState() }));
function renderToString(node: React.ReactNode): string {
  for (const s of stores) Object.assign(s.getInitialState(), s.getState());
  return renderToHtml(node);
}
afterEach(() => {
  stores.forEach((s, i) => Object.assign(s.getInitialState(), originals[i]));
  useEditorStore.getState().reset();
  useSamples.getState().clear();
});
const noop = () => {};

describe('condition builder (rendered)', () => {
  it('shows builder rows for an expression it wrote, with a live result', () => {
    open();
    const html = renderToString(
      <ConditionBuilder id="c" label="Continue only when" value='lower(to_string(trigger.call.status)) == "ended" && to_float(trigger.call.duration) > 30' onChange={noop} />,
    );
    expect(html).toContain('value="trigger.call.status"');
    expect(html).toContain('value="trigger.call.duration"');
    expect(html).toContain('Edit as expression');
    expect(html).toContain('all of these are true (AND)');
    expect(html).toMatch(/this is <\/span><code>true<\/code>/);
  });
  it('opens a hand-written expression as an expression, with its preview', () => {
    open();
    const html = renderToString(<ConditionBuilder id="c" label="When" value="trigger.call.duration > 40" onChange={noop} />);
    expect(html).toContain('Use the condition builder');
    expect(html).toContain('>trigger.call.duration &gt; 40</textarea>');
    expect(html).toMatch(/Preview: <\/span><code>true<\/code>/);
  });
  it('template fields preview the rendered text and have an Insert data button', () => {
    open();
    const html = renderToString(<ExpressionInput id="m" value="Status: {{ upper(trigger.call.status) }}" onChange={noop} />);
    expect(html).toContain('Insert data');
    expect(html).toContain('&quot;Status: ENDED&quot;');
    const unsupported = renderToString(<ExpressionInput id="m" value="{{ e164(trigger.call.status) }}" onChange={noop} />);
    expect(unsupported).toContain('Preview not available for e164()');
  });
});

describe('data picker rows', () => {
  const roots = [dataTree('Trigger', ['trigger'], { call: { from: '+1', status: 'ended' }, id: 7 }), dataTree('Lead', ['steps', 'lead'], { 'first name': 'Ana' })];
  it('shows expanded branches only, and every match when searching', () => {
    expect(visibleRows(roots, new Set(), '').map((r) => r.node.key)).toEqual(['trigger', 'steps.lead']);
    expect(visibleRows(roots, new Set(['trigger']), '').map((r) => r.node.key)).toEqual(['trigger', 'trigger.call', 'trigger.id', 'steps.lead']);
    expect(visibleRows(roots, new Set(), 'stat').map((r) => r.node.key)).toEqual(['trigger', 'trigger.call', 'trigger.call.status']);
    expect(visibleRows(roots, new Set(), 'first').map((r) => [r.node.key, r.level])).toEqual([
      ['steps.lead', 1],
      ['steps.lead["first name"]', 2],
    ]);
  });
});
