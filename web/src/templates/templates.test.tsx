import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Connection, Piece } from '../api/types';
import { indexCatalog } from '../flow/graph';
import type { FlowDocument } from '../flow/types';
import { matchRoute } from '../router';
import {
  connectionsBody,
  filterTemplates,
  initialChoices,
  NO_FILTER,
  piecesOf,
  segmentCounts,
  segmentLabel,
  SEGMENT_LABELS,
  templateFilterFromSearch,
  templateFilterToSearch,
  unchosen,
  useTemplateBody,
} from './model';
import { previewGraph } from './preview-canvas';
import { TemplateCard } from './template-card';
import type { TemplateConnection, TemplateSummary } from './types';
import { UseTemplateDialog } from './use-template-dialog';

const sales: TemplateSummary = {
  id: 'sales-qualified-call-to-hubspot',
  name: 'Qualified call → HubSpot contact + deal + Slack alert',
  description: 'When a Vapi call ends with a booked appointment, the caller becomes a HubSpot contact.',
  segments: ['sales'],
  tags: ['vapi', 'hubspot', 'slack', 'lead qualification'],
  pieces: ['call', 'hubspot', 'slack'],
  connections: [
    { name: 'hubspot', piece: 'hubspot', label: 'Your HubSpot account (private app token)' },
    { name: 'slack', piece: 'slack', label: 'The Slack workspace to alert' },
  ],
};
const midCall: TemplateSummary = {
  id: 'mid-call-hubspot-lookup',
  name: 'Mid-call tool: look up the caller in HubSpot',
  description: 'A Vapi tool the assistant calls during the conversation.',
  segments: ['sales', 'mid_call'],
  tags: ['vapi', 'tool call'],
  pieces: ['call', 'hubspot'],
  connections: [{ name: 'hubspot', piece: 'hubspot', label: 'Your HubSpot account (private app token)' }],
};
const ops: TemplateSummary = {
  id: 'operations-failed-run-alert',
  name: 'Failed run → email the team',
  description: 'Tells the team when a flow fails.',
  segments: ['operations'],
  tags: ['monitoring'],
  pieces: ['gmail'],
  connections: [],
};
const all = [sales, midCall, ops];
const names: Record<string, string> = { call: 'AI phone call', hubspot: 'HubSpot', slack: 'Slack', gmail: 'Gmail' };
const pieceName = (id: string) => names[id];
const ids = (list: readonly TemplateSummary[]) => list.map((t) => t.id);

const conn = (id: string, name: string, piece: string): Connection => ({ id, name, piece, fields: ['token'], created_at: '', updated_at: '' });

describe('segment labels', () => {
  it('names every server segment in plain words', () => {
    expect(SEGMENT_LABELS).toEqual({
      sales: 'Sales',
      recruiting: 'Recruiting',
      lead_gen: 'Lead generation',
      market_research: 'Market research',
      multi_location: 'Multi-location',
      mid_call: 'Mid-call tools',
      operations: 'Operations',
    });
    expect(segmentLabel('lead_gen')).toBe('Lead generation');
    expect(segmentLabel('mid_call')).toBe('Mid-call tools');
  });

  it('turns an unknown segment id into words instead of showing the id', () => {
    expect(segmentLabel('field_service')).toBe('Field service');
    expect(segmentLabel('home-care')).toBe('Home care');
  });

  it('counts the templates of each segment', () => {
    expect(Object.fromEntries(segmentCounts(all))).toEqual({ sales: 2, mid_call: 1, operations: 1 });
  });
});

describe('filterTemplates', () => {
  it('keeps everything without filters', () => {
    expect(ids(filterTemplates(all, NO_FILTER, pieceName))).toEqual(ids(all));
  });

  it('filters by segment', () => {
    expect(ids(filterTemplates(all, { ...NO_FILTER, segment: 'sales' }))).toEqual([sales.id, midCall.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, segment: 'mid_call' }))).toEqual([midCall.id]);
    expect(filterTemplates(all, { ...NO_FILTER, segment: 'recruiting' })).toEqual([]);
  });

  it('filters by app', () => {
    expect(ids(filterTemplates(all, { ...NO_FILTER, piece: 'slack' }))).toEqual([sales.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, piece: 'hubspot' }))).toEqual([sales.id, midCall.id]);
  });

  it('searches name, description, tags and app names, case-insensitively, every word', () => {
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: 'DEAL' }))).toEqual([sales.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: 'tool call' }))).toEqual([midCall.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: 'monitoring' }))).toEqual([ops.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: 'gmail' }, pieceName))).toEqual([ops.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: 'phone call' }, pieceName))).toEqual([sales.id, midCall.id]);
    expect(ids(filterTemplates(all, { ...NO_FILTER, search: '  hubspot   slack ' }))).toEqual([sales.id]);
    expect(filterTemplates(all, { ...NO_FILTER, search: 'salesforce' })).toEqual([]);
  });

  it('combines the filters', () => {
    expect(ids(filterTemplates(all, { segment: 'sales', piece: 'hubspot', search: 'lookup' }))).toEqual([]);
    expect(ids(filterTemplates(all, { segment: 'sales', piece: 'hubspot', search: 'look up' }))).toEqual([midCall.id]);
    expect(ids(filterTemplates(all, { segment: 'operations', piece: 'hubspot', search: '' }))).toEqual([]);
  });

  it('lists each app once, by its shown name', () => {
    expect(piecesOf(all, pieceName)).toEqual(['call', 'gmail', 'hubspot', 'slack']);
  });
});

describe('the "use" body', () => {
  const needed: TemplateConnection[] = sales.connections;

  it('sends only the chosen connections, by the template connection name', () => {
    expect(connectionsBody(needed, { hubspot: 'HubSpot – sales', slack: '' })).toEqual({ hubspot: 'HubSpot – sales' });
    expect(connectionsBody(needed, { hubspot: 'HubSpot', slack: 'Slack' })).toEqual({ hubspot: 'HubSpot', slack: 'Slack' });
    expect(connectionsBody(needed, {})).toEqual({});
  });

  it('never sends a key the template does not need, or a blank choice', () => {
    expect(connectionsBody(needed, { hubspot: '  ', slack: 'Slack', gmail: 'Gmail' })).toEqual({ slack: 'Slack' });
  });

  it('adds the name only when one is typed', () => {
    expect(useTemplateBody(needed, { hubspot: 'HubSpot' }, '  ')).toEqual({ connections: { hubspot: 'HubSpot' } });
    expect(useTemplateBody(needed, { hubspot: 'HubSpot', slack: 'Slack' }, ' Leads ')).toEqual({ name: 'Leads', connections: { hubspot: 'HubSpot', slack: 'Slack' } });
  });

  it('lists what is not chosen yet', () => {
    expect(unchosen(needed, { hubspot: 'HubSpot' }).map((c) => c.name)).toEqual(['slack']);
    expect(unchosen(needed, { hubspot: 'HubSpot', slack: 'Slack' })).toEqual([]);
  });

  it('preselects the only account of an app, not one of several', () => {
    const existing = [conn('1', 'HubSpot', 'hubspot'), conn('2', 'Slack A', 'slack'), conn('3', 'Slack B', 'slack')];
    expect(initialChoices(needed, existing)).toEqual({ hubspot: 'HubSpot', slack: '' });
    expect(initialChoices(needed, [])).toEqual({ hubspot: '', slack: '' });
  });
});

describe('the gallery views', () => {
  const pieces = [
    { id: 'hubspot', name: 'HubSpot', description: '', category: 'crm', icon: 'data:image/svg+xml,h', auth: 'bearer', actions: [], triggers: [] },
    { id: 'slack', name: 'Slack', description: '', category: 'chat', auth: 'bearer', actions: [], triggers: [] },
  ] as unknown as Piece[];
  const index = indexCatalog({ pieces });

  it('a card shows the name, description, app icons and segment names', () => {
    const html = renderToString(<TemplateCard template={sales} index={index} onPreview={() => {}} onUse={() => {}} />);
    expect(html).toContain('Qualified call → HubSpot contact + deal + Slack alert');
    expect(html).toContain('booked appointment');
    expect(html).toContain('alt="HubSpot"');
    expect(html).toContain('Slack'); // no icon: the name
    expect(html).toContain('>Sales<');
    expect(html).toContain('Use this template');
  });

  it('the use dialog asks for every needed account and offers to connect a new one', () => {
    const html = renderToString(<UseTemplateDialog template={sales} pieces={pieces} onClose={() => {}} />);
    expect(html).toContain('Your HubSpot account (private app token)');
    expect(html).toContain('The Slack workspace to alert');
    expect(html).toContain('aria-label="Connect a new HubSpot account"');
    expect(html).toContain('aria-label="Connect a new Slack account"');
    expect(html).toContain('Flow name');
    expect(html).toContain('Create the flow');
  });

  it('the preview graph draws every step, with plain edges', () => {
    const doc = {
      schema_version: 1,
      name: 'x',
      trigger: { id: 'call', piece: 'call', trigger: 'vapi', props: {} },
      steps: [
        { id: 'contact', type: 'action', piece: 'hubspot', action: 'upsert_contact', props: {} },
        { id: 'alert', type: 'action', piece: 'slack', action: 'send_message', props: {} },
      ],
      edges: [
        { from: 'call', to: 'contact' },
        { from: 'contact', to: 'alert' },
      ],
    } as unknown as FlowDocument;
    const { nodes, edges } = previewGraph(doc, index);
    expect(nodes.map((n) => n.id)).toEqual(['call', 'contact', 'alert']);
    expect(nodes.every((n) => n.draggable === false && n.selectable === false)).toBe(true);
    expect(edges.map((e) => [e.source, e.target, e.type])).toEqual([
      ['call', 'contact', 'smoothstep'],
      ['contact', 'alert', 'smoothstep'],
    ]);
  });

  it('routes /templates to the gallery', () => {
    expect(matchRoute('/templates')).toEqual({ page: 'templates' });
    expect(matchRoute('/templates/')).toEqual({ page: 'templates' });
  });
});

describe('the gallery filter in the address', () => {
  it('round-trips and leaves out empty parts', () => {
    const filter = { segment: 'recruiting', piece: 'hubspot', search: 'interview invite' };
    const qs = templateFilterToSearch(filter);
    expect(qs).toBe('?segment=recruiting&app=hubspot&q=interview+invite');
    expect(templateFilterFromSearch(qs)).toEqual(filter);
    expect(templateFilterToSearch(NO_FILTER)).toBe('');
    expect(templateFilterFromSearch('')).toEqual(NO_FILTER);
    expect(templateFilterToSearch({ ...NO_FILTER, search: '   ' })).toBe('');
  });
});
