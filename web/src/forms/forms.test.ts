import { describe, expect, it } from 'vitest';
import type { Connection, PropMeta } from '../api/types';
import { EditError } from '../flow/edit';
import { leadRouter } from '../test/fixtures';
import type { ActionStep, FlowDocument } from '../flow/types';
import { patchRetry, RETRY_DEFAULTS, toggleRetryOn, onErrorField } from './behaviour';
import { authValues, connectionsFor, findConnection, needsConnection, readOAuthMessage, suggestName } from './connections';
import { buildFields, fieldModel, isTemplate, missingRequired, optionIndex } from './prop-form';
import {
  isSimpleList,
  listFromItems,
  objectFromRows,
  parseJson,
  parseNumber,
  patchStep,
  rowsFromObject,
  setNodeConnection,
  setNodeProp,
  withProp,
} from './prop-value';
import { canGenerate, generateSecret, platformUrl } from './secret';

const props: PropMeta[] = [
  { name: 'email', label: 'Email', kind: 'short_text', required: true, example: 'ada@example.com', help: 'The contact’s email.' },
  { name: 'count', label: 'Count', kind: 'number', required: false, default: 10 },
  { name: 'notify', label: 'Notify', kind: 'boolean', required: false, default: true },
  { name: 'stage', label: 'Stage', kind: 'select', required: false, options: [{ label: 'Lead', value: 'lead' }, { label: 'Customer', value: 'customer' }] },
  { name: 'channel', label: 'Channel', kind: 'dynamic_select', required: true, options_from: { action: 'list_channels', value: 'id', depends_on: ['team'] } },
  { name: 'extra', label: 'Extra', kind: 'json', required: false },
  { name: 'headers', label: 'Headers', kind: 'key_value', required: false },
  { name: 'tags', label: 'Tags', kind: 'array', required: false },
  { name: 'token', label: 'Token', kind: 'short_text', required: false, secret: true },
];

function withAction(step: Partial<ActionStep> = {}): FlowDocument {
  return {
    schema_version: 1,
    name: 't',
    trigger: { id: 'call', piece: 'call', trigger: 'vapi' },
    steps: [{ id: 'crm', type: 'action', piece: 'hubspot', action: 'create_contact', props: { email: 'a@b.c' }, ...step }],
    edges: [{ from: 'call', to: 'crm' }],
  };
}

describe('metadata → form model', () => {
  it('maps every kind to its control, with required, secret, help and placeholders', () => {
    const fields = buildFields(props, { count: 5 });
    expect(fields.map((f) => f.control)).toEqual(['text', 'number', 'checkbox', 'select', 'dynamic_select', 'json', 'key_value', 'array', 'text']);
    const [email, count, notify, , channel, , , , token] = fields;
    expect(email).toMatchObject({ required: true, help: 'The contact’s email.', placeholder: 'e.g. ada@example.com', value: undefined });
    expect(count).toMatchObject({ required: false, value: 5, placeholder: 'e.g. 10', defaultValue: 10 });
    expect(notify!.placeholder).toBe('e.g. true');
    expect(channel!.optionsFrom?.depends_on).toEqual(['team']);
    expect(token!.secret).toBe(true);
    expect(email!.secret).toBe(false);
  });

  it('detects templates where the kind expects something else, not in text fields', () => {
    const fields = buildFields(props, { email: '{{ trigger.email }}', count: '{{ steps.n }}', stage: '{{ x }}', notify: true });
    expect(fields.find((f) => f.name === 'email')!.template).toBe(false);
    expect(fields.find((f) => f.name === 'count')!.template).toBe(true);
    expect(fields.find((f) => f.name === 'stage')!.template).toBe(true);
    expect(fields.find((f) => f.name === 'notify')!.template).toBe(false);
    expect(isTemplate('hello {{ a }} there')).toBe(true);
    expect(isTemplate('{ not one }')).toBe(false);
    expect(isTemplate(42)).toBe(false);
  });

  it('keeps props the piece does not declare as extra fields', () => {
    const fields = buildFields(props.slice(0, 1), { email: 'x', custom_field: 'v', custom_num: 3 });
    expect(fields.map((f) => [f.name, f.extra, f.kind])).toEqual([
      ['email', false, 'short_text'],
      ['custom_field', true, 'short_text'],
      ['custom_num', true, 'json'],
    ]);
  });

  it('lists required props still empty, counting a default as filled', () => {
    const meta: PropMeta[] = [...props, { name: 'mode', label: 'Mode', kind: 'short_text', required: true, default: 'x' }];
    expect(missingRequired(buildFields(meta, { email: '  ' })).map((f) => f.name)).toEqual(['email', 'channel']);
    expect(missingRequired(buildFields(meta, { email: 'a', channel: 'C1' }))).toEqual([]);
  });

  it('finds a select option by value, of any JSON type', () => {
    const options = [{ label: 'One', value: 1 }, { label: 'Obj', value: { a: 1 } }];
    expect(optionIndex(options, 1)).toBe(0);
    expect(optionIndex(options, { a: 1 })).toBe(1);
    expect(optionIndex(options, '1')).toBe(-1);
    expect(optionIndex(options, undefined)).toBe(-1);
    expect(fieldModel({ name: 'x', label: '', kind: 'long_text', required: false }, undefined).label).toBe('x');
  });
});

describe('form values → document values', () => {
  it('parses numbers, keeping templates and explaining bad input', () => {
    expect(parseNumber('42')).toEqual({ ok: true, value: 42 });
    expect(parseNumber(' -2.5 ')).toEqual({ ok: true, value: -2.5 });
    expect(parseNumber('')).toEqual({ ok: true, value: undefined });
    expect(parseNumber('{{ steps.n }}')).toEqual({ ok: true, value: '{{ steps.n }}' });
    expect(parseNumber('12abc').ok).toBe(false);
    expect(parseNumber('0x10').ok).toBe(false);
    expect(parseNumber('1.5', { integer: true })).toEqual({ ok: false, error: 'Enter a whole number.' });
    expect(parseNumber('0', { min: 1 }).ok).toBe(false);
  });

  it('reports JSON parse errors instead of throwing', () => {
    expect(parseJson('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJson('')).toEqual({ ok: true, value: undefined });
    expect(parseJson('{{ trigger.body }}')).toEqual({ ok: true, value: '{{ trigger.body }}' });
    const bad = parseJson('{"a": 1');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^This is not valid JSON/);
  });

  it('turns key/value rows into an object, skipping rows being typed and refusing duplicates', () => {
    const rows = rowsFromObject({ a: 'x', n: 2, list: [1] });
    expect(rows).toEqual([
      { key: 'a', text: 'x', json: false },
      { key: 'n', text: '2', json: true },
      { key: 'list', text: '[1]', json: true },
    ]);
    expect(objectFromRows(rows)).toEqual({ ok: true, value: { a: 'x', n: 2, list: [1] } });
    expect(objectFromRows([...rows, { key: '', text: 'half', json: false }])).toEqual({ ok: true, value: { a: 'x', n: 2, list: [1] } });
    expect(objectFromRows([{ key: 'a', text: '1', json: false }, { key: 'a', text: '2', json: false }]).ok).toBe(false);
    expect(objectFromRows([{ key: 'n', text: '{oops', json: true }]).ok).toBe(false);
    expect(objectFromRows([])).toEqual({ ok: true, value: undefined });
  });

  it('edits lists of text as rows', () => {
    expect(listFromItems(['a', ' ', 'b '])).toEqual(['a', 'b']);
    expect(listFromItems(['', ''])).toBeUndefined();
    expect(isSimpleList(['a'])).toBe(true);
    expect(isSimpleList([{ a: 1 }])).toBe(false);
    expect(isSimpleList(undefined)).toBe(true);
  });

  it('sets a prop and drops cleared ones, returning the same object when nothing changes', () => {
    const p = { email: 'a', count: 1 };
    expect(withProp(p, 'count', 2)).toEqual({ email: 'a', count: 2 });
    expect(withProp(p, 'count', undefined)).toEqual({ email: 'a' });
    expect(withProp(p, 'email', '')).toEqual({ count: 1 });
    expect(withProp(p, 'tags', [])).toBe(p);
    expect(withProp(p, 'headers', {})).toBe(p);
    expect(withProp(p, 'count', 1)).toBe(p);
    expect(withProp(undefined, 'x', false)).toEqual({ x: false });
  });

  it('updates an action step’s props and connection in the document', () => {
    const doc = withAction();
    const next = setNodeProp(doc, 'crm', 'firstname', 'Ada');
    expect((next.steps[0] as ActionStep).props).toEqual({ email: 'a@b.c', firstname: 'Ada' });
    expect(doc.steps[0]).not.toBe(next.steps[0]);
    expect(setNodeProp(next, 'crm', 'firstname', 'Ada')).toBe(next);
    const cleared = setNodeProp(next, 'crm', 'email', '');
    expect((cleared.steps[0] as ActionStep).props).toEqual({ firstname: 'Ada' });

    const connected = setNodeConnection(doc, 'crm', 'HubSpot');
    expect((connected.steps[0] as ActionStep).connection).toBe('HubSpot');
    expect(setNodeConnection(connected, 'crm', 'HubSpot')).toBe(connected);
    expect('connection' in setNodeConnection(connected, 'crm', '').steps[0]!).toBe(false);
    expect(() => setNodeProp(doc, 'nope', 'a', 1)).toThrow(EditError);
  });

  it('updates the trigger’s props, removing an empty props object', () => {
    const doc = withAction();
    const next = setNodeProp(doc, 'call', 'secret', 's3cret');
    expect(next.trigger.props).toEqual({ secret: 's3cret' });
    expect(next.steps).toBe(doc.steps);
    expect('props' in setNodeProp(next, 'call', 'secret', undefined).trigger).toBe(false);
  });

  it('patches built-in steps inside loop bodies, removing fields set to undefined', () => {
    const doc = leadRouter();
    const next = patchStep(doc, 'points', { script: '1', timeout_sec: 5 });
    const loop = next.steps.find((s) => s.id === 'score');
    expect(loop?.type === 'loop' && loop.steps[0]).toMatchObject({ id: 'points', script: '1', timeout_sec: 5 });
    expect(patchStep(next, 'points', { script: '1' })).toBe(next);
    const removed = patchStep(next, 'points', { timeout_sec: undefined });
    const loop2 = removed.steps.find((s) => s.id === 'score');
    expect(loop2?.type === 'loop' && 'timeout_sec' in loop2.steps[0]!).toBe(false);
    expect(() => patchStep(doc, 'points', { id: 'x' })).toThrow(EditError);
  });
});

describe('behaviour settings', () => {
  it('writes only what differs from the engine defaults, always with max_attempts', () => {
    expect(patchRetry(undefined, {})).toEqual({ max_attempts: 3 });
    expect(patchRetry({ max_attempts: 3 }, { backoff: 'fixed', initial_delay_ms: 1000 })).toEqual({ max_attempts: 3, backoff: 'fixed' });
    expect(patchRetry({ max_attempts: 5, backoff: 'fixed' }, { backoff: 'exponential' })).toEqual({ max_attempts: 5 });
    expect(patchRetry({ max_attempts: 2 }, { on: [...RETRY_DEFAULTS.on] })).toEqual({ max_attempts: 2 });
    expect(toggleRetryOn(undefined, '5xx', false)).toEqual(['network', 'timeout', '429']);
    expect(toggleRetryOn(['network'], 'any', true)).toEqual(['network', 'any']);
    expect(onErrorField('fail')).toBeUndefined();
    expect(onErrorField('continue')).toBe('continue');
  });
});

describe('connections', () => {
  const list: Connection[] = [
    { id: '1', name: 'Slack', piece: 'slack', fields: ['token'], created_at: '', updated_at: '' },
    { id: '2', name: 'HubSpot sales', piece: 'hubspot', fields: ['token'], created_at: '', updated_at: '' },
    { id: '3', name: 'HubSpot', piece: 'hubspot', fields: ['token'], created_at: '', updated_at: '' },
  ];

  it('filters to the piece, by name, and resolves ids or names', () => {
    expect(connectionsFor(list, 'hubspot').map((c) => c.id)).toEqual(['3', '2']);
    expect(connectionsFor(list, 'pipedrive')).toEqual([]);
    expect(findConnection(list, '2')?.name).toBe('HubSpot sales');
    expect(findConnection(list, 'HubSpot')?.id).toBe('3');
    expect(findConnection(list, undefined)).toBeUndefined();
    expect(suggestName('HubSpot', list)).toBe('HubSpot 2');
    expect(suggestName('Pipedrive', list)).toBe('Pipedrive');
  });

  it('knows which pieces pick a connection', () => {
    expect(needsConnection({ auth: 'bearer', auth_fields: [{ name: 'token', label: 'T', kind: 'short_text', required: true }] })).toBe(true);
    expect(needsConnection({ auth: 'oauth2' })).toBe(true);
    expect(needsConnection({ auth: 'custom', auth_fields: [] })).toBe(false);
    expect(needsConnection({ auth: 'none' })).toBe(false);
    expect(needsConnection(undefined)).toBe(false);
  });

  it('builds the values of a new connection and reports missing required fields', () => {
    const fields: PropMeta[] = [
      { name: 'api_key', label: 'API key', kind: 'short_text', required: true, secret: true },
      { name: 'server_prefix', label: 'Server', kind: 'short_text', required: false },
      { name: 'port', label: 'Port', kind: 'number', required: false },
      { name: 'tls', label: 'TLS', kind: 'boolean', required: false },
    ];
    expect(authValues(fields, { api_key: ' k ', server_prefix: ' us1 ', port: '587', tls: false })).toEqual({
      values: { api_key: ' k ', server_prefix: 'us1', port: 587, tls: false },
      errors: {},
    });
    const missing = authValues(fields, { server_prefix: '', port: 'abc' });
    expect(missing.values).toEqual({});
    expect(Object.keys(missing.errors).sort()).toEqual(['api_key', 'port']);
    expect(missing.errors.api_key).toBe('API key is required.');
  });

  it('reads the OAuth2 callback page’s message and ignores others', () => {
    expect(readOAuthMessage({ type: 'switchboard:oauth2', connection: 'c-1' })).toEqual({ kind: 'connected', connection: 'c-1' });
    expect(readOAuthMessage({ type: 'switchboard:oauth2', error: 'denied' })).toEqual({ kind: 'error', error: 'denied' });
    expect(readOAuthMessage({ type: 'other', connection: 'x' })).toBeNull();
    expect(readOAuthMessage('switchboard:oauth2')).toBeNull();
  });
});

describe('call trigger secrets', () => {
  it('generates 32 letters and digits, without modulo bias', () => {
    const s = generateSecret(32);
    expect(s).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generateSecret(32)).not.toBe(s);
    // Bytes ≥ 248 are drawn again: a source of only 255s then zeros gives all 'A'.
    let calls = 0;
    const fake = (b: Uint8Array) => b.fill(calls++ === 0 ? 255 : 0);
    expect(generateSecret(4, fake)).toBe('AAAA');
  });

  it('offers Generate only where the user chooses the secret', () => {
    const vapi = { name: 'vapi' };
    expect(canGenerate('call', vapi, { name: 'secret', secret: true })).toBe(true);
    expect(canGenerate('call', { name: 'vapi_tool' }, { name: 'secret', secret: true })).toBe(true);
    expect(canGenerate('call', { name: 'famulor', url_token: 'token' }, { name: 'token', secret: true })).toBe(true);
    expect(canGenerate('call', { name: 'bland' }, { name: 'secret', secret: true })).toBe(false);
    expect(canGenerate('call', { name: 'retell' }, { name: 'api_key', secret: true })).toBe(false);
    expect(canGenerate('webhook', vapi, { name: 'secret', secret: true })).toBe(false);
  });

  it('keeps the platform URL’s token in step with the document', () => {
    expect(platformUrl('http://h/hooks/f1', undefined, 'x')).toBe('http://h/hooks/f1');
    expect(platformUrl('http://h/hooks/f1?token=old', 'token', 'new value')).toBe('http://h/hooks/f1?token=new%20value');
    expect(platformUrl('http://h/hooks/f1/sync?token=old', 'token', '')).toBe('http://h/hooks/f1/sync');
    expect(platformUrl('http://h/hooks/f1', 'token', 'abc')).toBe('http://h/hooks/f1?token=abc');
  });
});
