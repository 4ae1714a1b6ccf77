import { ReactFlowProvider } from '@xyflow/react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { flowToGraph } from '../flow/graph';
import { useEditorStore } from '../store/editor-store';
import { leadRouter } from '../test/fixtures';
import { PiecePicker } from './piece-picker';
import { FlowCanvas } from './flow-canvas';

// Server-side rendering needs no browser, and still runs every node and edge component once.
describe('FlowCanvas', () => {
  it('renders every node with its label, the router branch buttons and the loop box', () => {
    useEditorStore.getState().open(leadRouter(), 'f1');
    useEditorStore.setState({ problems: [{ path: 'steps[2].script', message: 'bad script', node: 'total' }] });
    // Without a browser the canvas's own store starts from the provider's initial graph.
    const { nodes, edges } = flowToGraph(useEditorStore.getState().doc!, undefined, new Map([['total', ['bad script']]]));
    const html = renderToString(
      <ReactFlowProvider initialNodes={nodes} initialEdges={edges} initialWidth={1600} initialHeight={1600}>
        <FlowCanvas />
      </ReactFlowProvider>,
    );
    for (const label of ['Set values', 'Loop', 'Router', 'Respond', 'Code']) expect(html).toContain(label);
    expect(html).toContain('aria-label="Add a step on branch cold of Router"');
    expect(html).toContain('aria-label="Add a step inside Loop"');
    expect(html).toContain('aria-label="Change the trigger"');
    expect(html).toContain('Problem: bad script');
    // Only leaves get a plain "+": `answer`, and `scaled` at the end of the loop body.
    expect(html.match(/aria-label="Add a step after [^"]*"/g)).toEqual(['aria-label="Add a step after Code"', 'aria-label="Add a step after Respond"']);
    // (Edges and their "+" need measured handles, so only a browser draws them.)
    useEditorStore.getState().reset();
  });
});

describe('PiecePicker', () => {
  it('lists built-in steps and piece actions grouped by category, hiding internal actions', () => {
    const html = renderToString(
      <PiecePicker
        mode="step"
        loading={false}
        error={null}
        onPick={() => {}}
        onClose={() => {}}
        pieces={[
          {
            id: 'slack',
            name: 'Slack',
            description: '',
            category: 'Communication',
            auth: 'bearer',
            actions: [
              { name: 'send_message', label: 'Send a message', description: 'Posts a message.', props: [], extra_props: false },
              { name: 'list_channels', label: 'List channels', description: '', props: [], extra_props: false, internal: true },
            ],
            triggers: [],
          },
        ]}
      />,
    );
    expect(html).toContain('Built-in steps');
    expect(html).toContain('Filter');
    expect(html).toContain('Communication');
    expect(html).toContain('Slack: Send a message');
    expect(html).not.toContain('List channels');
  });
});
