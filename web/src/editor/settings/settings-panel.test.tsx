import { renderToString } from 'react-dom/server';
import type React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Piece } from '../../api/types';
import { setNodeProp } from '../../forms/prop-value';
import type { ActionStep, FlowDocument } from '../../flow/types';
import { useCatalog } from '../../store/catalog-store';
import { useEditorStore } from '../../store/editor-store';
import { SettingsPanel } from '../settings-panel';

const crm: Piece = {
  id: 'crm',
  name: 'Acme CRM',
  description: '',
  category: 'CRM',
  auth: 'api_key',
  auth_fields: [{ name: 'api_key', label: 'API key', kind: 'short_text', required: true, secret: true }],
  actions: [
    {
      name: 'create_contact',
      label: 'Create contact',
      description: 'Creates a contact.',
      extra_props: false,
      props: [
        { name: 'email', label: 'Email', kind: 'short_text', required: true, help: 'Where to write.', example: 'ada@example.com' },
        { name: 'notes', label: 'Notes', kind: 'long_text', required: false },
        { name: 'score', label: 'Score', kind: 'number', required: false, default: 10 },
        { name: 'vip', label: 'VIP', kind: 'boolean', required: false },
        { name: 'stage', label: 'Stage', kind: 'select', required: false, options: [{ label: 'Lead', value: 'lead' }, { label: 'Customer', value: 'customer' }] },
        { name: 'owner', label: 'Owner', kind: 'dynamic_select', required: false, options_from: { action: 'list_owners', value: 'id' } },
        { name: 'labels', label: 'Labels', kind: 'multi_select', required: false, options: [{ label: 'Hot', value: 'hot' }, { label: 'Cold', value: 'cold' }] },
        { name: 'custom', label: 'Custom fields', kind: 'key_value', required: false },
        { name: 'tags', label: 'Tags', kind: 'array', required: false },
        { name: 'raw', label: 'Raw', kind: 'json', required: false },
        { name: 'api_secret', label: 'Secret', kind: 'short_text', required: false, secret: true },
      ],
    },
  ],
  triggers: [],
};

const call: Piece = {
  id: 'call',
  name: 'Call platforms',
  description: '',
  category: 'Calls',
  auth: 'none',
  actions: [],
  triggers: [
    {
      name: 'famulor',
      label: 'Famulor',
      description: 'Famulor’s post-call webhook.',
      setup: 'In Famulor, enable the Post call webhook and paste the webhook URL.',
      url_token: 'token',
      props: [{ name: 'token', label: 'URL token', kind: 'short_text', required: true, secret: true }],
    },
  ],
};

function doc(): FlowDocument {
  return {
    schema_version: 1,
    name: 'Panel',
    trigger: { id: 'call', piece: 'call', trigger: 'famulor', props: { token: 'tok123' } },
    steps: [
      {
        id: 'contact',
        type: 'action',
        piece: 'crm',
        action: 'create_contact',
        connection: 'Acme',
        props: { email: '{{ trigger.email }}', score: '{{ steps.x.n }}', stage: 'lead', custom: { source: 'call', n: 2 }, tags: ['a'] },
        retry: { max_attempts: 4, backoff: 'fixed' },
        on_error: 'continue',
        timeout_sec: 30,
      },
    ],
    edges: [{ from: 'call', to: 'contact' }],
  };
}

// Server rendering reads a zustand store's initial state (its server snapshot), so each render
// copies the current state into it; the originals come back after each test.
const stores = [useEditorStore, useCatalog] as const;
const originals = stores.map((s) => ({ ...s.getInitialState() }));
function render(node: React.ReactNode): string {
  for (const s of stores) Object.assign(s.getInitialState(), s.getState());
  return renderToString(node);
}

afterEach(() => {
  stores.forEach((s, i) => Object.assign(s.getInitialState(), originals[i]));
  useEditorStore.getState().reset();
  useCatalog.setState({ pieces: null });
});

describe('SettingsPanel', () => {
  it('renders an action’s generated form with every prop kind, the connection and the failure settings', () => {
    useCatalog.setState({ pieces: [crm, call] });
    useEditorStore.getState().open(doc(), 'f1');
    useEditorStore.getState().select('contact');
    const html = render(<SettingsPanel />);
    expect(html).toContain('Acme CRM: Create contact');
    // The step id field and the actions stay.
    expect(html).toContain('Step id');
    expect(html).toContain('Duplicate');
    expect(html).toContain('Delete');
    // Labels, help, required marks (visible and for screen readers), placeholders.
    expect(html).toMatch(/<label class="field-label" for="prop-contact-email"[^>]*>Email/);
    expect(html).toContain('(required)');
    expect(html).toContain('Where to write.');
    // A text field holds its template as it is; a number holding one switches to reference mode.
    expect(html).toContain('value="{{ trigger.email }}"');
    expect(html).toMatch(/aria-pressed="true"[^>]*>Use a fixed value<span class="visually-hidden"> for (<!-- -->)?Score/);
    expect(html).toContain('value="{{ steps.x.n }}"');
    // Kinds: textarea, checkbox, select with its options, dynamic select, checkboxes, rows, JSON, secret.
    expect(html).toMatch(/<textarea[^>]*id="prop-contact-notes"/);
    expect(html).toMatch(/<input id="prop-contact-vip" type="checkbox"/);
    expect(html).toMatch(/<option value="0" selected="">Lead<\/option>/);
    expect(html).toContain('Reload the choices');
    expect(html).toContain('>Hot</span>');
    expect(html).toContain('aria-label="Custom fields: name 1"');
    expect(html).toContain('value="source"');
    expect(html).toContain('JSON</span>');
    expect(html).toContain('aria-label="Tags: item 1"');
    expect(html).toMatch(/<textarea[^>]*id="prop-contact-raw"/);
    expect(html).toMatch(/<input id="prop-contact-api_secret" type="password"/);
    // Connection selector and "connect a new account".
    expect(html).toContain('Connection');
    expect(html).toContain('+ Connect a new account');
    // Failure settings, with the document's values.
    expect(html).toContain('Try again when it fails');
    expect(html).toMatch(/id="behaviour-contact-attempts"[^>]*value="4"/);
    expect(html).toMatch(/<option value="fixed" selected="">/);
    expect(html).toMatch(/<option value="continue" selected="">/);
    expect(html).toMatch(/id="behaviour-contact-timeout"[^>]*value="30"/);
  });

  it('shows a call trigger’s set-up, its URL with the token, and Generate for the token', () => {
    useCatalog.setState({ pieces: [crm, call] });
    useEditorStore.getState().open(doc(), 'f1');
    useEditorStore.setState({
      meta: {
        id: 'f1',
        name: 'Panel',
        folder: null,
        enabled: false,
        published_version: null,
        draft_changed: false,
        created_at: '',
        updated_at: '',
        webhook_urls: { async: 'http://h/hooks/f1', sync: 'http://h/hooks/f1/sync', test: 'http://h/hooks/f1/test', platform: 'http://h/hooks/f1?token=old' },
      },
    });
    useEditorStore.getState().select('call');
    const html = render(<SettingsPanel />);
    expect(html).toContain('In Famulor, enable the Post call webhook');
    expect(html).toContain('value="http://h/hooks/f1?token=tok123"');
    expect(html).toContain('>Generate</button>');
    expect(html).toMatch(/id="prop-call-token" type="password"/);
    // The JSON view never shows the secret.
    expect(html).not.toContain('&quot;token&quot;: &quot;tok123&quot;');
    expect(html).not.toContain('Duplicate');
  });

  it('makes typing in one field one undo step', () => {
    useEditorStore.getState().open(doc(), 'f1');
    const { apply } = useEditorStore.getState();
    for (const text of ['A', 'Ad', 'Ada']) apply((d) => setNodeProp(d, 'contact', 'notes', text), { coalesce: 'contact:props.notes' });
    expect(useEditorStore.getState().past).toHaveLength(1);
    expect((useEditorStore.getState().doc!.steps[0] as ActionStep).props?.notes).toBe('Ada');
    useEditorStore.getState().undo();
    expect((useEditorStore.getState().doc!.steps[0] as ActionStep).props?.notes).toBeUndefined();
  });
});
