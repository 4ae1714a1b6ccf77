// The second journey: a new user starts from a template instead of a blank flow, in a real browser
// against the real binary, with HubSpot and Slack replaced by a local mock: first start → the
// owner → "Start from a template" → the gallery filtered to Sales → the preview of "Qualified call
// → HubSpot contact + deal + Slack alert" → use it, connecting new HubSpot and Slack accounts in
// the dialog → the editor opens the new draft (its remaining problem: the call platform's secret)
// → the secret generated → saved → tested with Vapi's end-of-call report → every step succeeded
// and the mock services received the contact upsert, the deal and the Slack alert.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, startServer, startMockVendors } from './support.mjs';

const HUBSPOT_TOKEN = 'pat-na1-66666666-7777-8888-9999-000000000000';
const SLACK_TOKEN = 'xoxb-e2e-template-token';
const TEMPLATE = 'Qualified call → HubSpot contact + deal + Slack alert';

let mock;
let server;
let browser;

before(async () => {
  mock = await startMockVendors(respond);
  server = await startServer('from-template', {
    SWITCHBOARD_BASE_URL_HUBSPOT: `${mock.url}/hubspot`,
    SWITCHBOARD_BASE_URL_SLACK: `${mock.url}/slack`,
  });
  browser = await openBrowser('from-template');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await mock?.stop();
});

test('a new user starts from the sales template, connects HubSpot and Slack, and tests it', async () => {
  try {
    await journey();
  } catch (e) {
    await browser.shot('failure').catch(() => {});
    throw e;
  }
});

async function journey() {
  const { page, shot, errors } = browser;
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);

  // 1. First start: the owner account; the empty flows list offers templates.
  await page.getByRole('heading', { name: 'Welcome to Switchboard' }).waitFor();
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'No flows yet' }).waitFor();
  await shot('flows-empty');
  await page.locator('.page-title').getByRole('button', { name: 'Start from a template' }).click();

  // 2. The gallery, filtered to Sales.
  await page.waitForURL('**/templates');
  await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
  const grid = page.getByRole('list', { name: 'Templates' });
  const card = (name) => grid.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
  await card(TEMPLATE).waitFor();
  const everything = await grid.locator(':scope > li').count();
  assert.ok(everything >= 3, `the gallery lists the templates (${everything})`);
  await shot('gallery');
  const salesChip = page.getByRole('group', { name: 'Use case' }).getByRole('button', { name: /^Sales/ });
  await salesChip.click();
  assert.equal(await salesChip.getAttribute('aria-pressed'), 'true');
  await assertEventually(async () => {
    const shown = await grid.locator(':scope > li').count();
    assert.ok(shown > 0 && shown < everything, `Sales shows fewer templates (${shown} of ${everything})`);
  });
  for (const li of await grid.locator(':scope > li').all()) {
    await li.getByRole('list', { name: 'For' }).getByText('Sales', { exact: true }).waitFor();
  }
  await card(TEMPLATE).waitFor();
  await shot('gallery-sales');

  // 3. The preview: the description and the flow on a read-only canvas.
  await card(TEMPLATE).getByRole('button', { name: `Preview “${TEMPLATE}”` }).click();
  const preview = page.getByRole('dialog', { name: TEMPLATE, exact: true });
  await preview.getByText('#sales-leads hears about it').waitFor();
  await assertEventually(async () => assert.equal(await preview.locator('.react-flow__node').count(), 5, 'the trigger and four steps'));
  await preview.locator('.react-flow__node').filter({ hasText: 'Filter' }).waitFor();
  await shot('preview');
  await preview.getByRole('button', { name: 'Use this template' }).click();
  await preview.waitFor({ state: 'detached' });

  // 4. Use it: new HubSpot and Slack accounts, connected in the dialog (tested against the mock).
  const dialog = page.getByRole('dialog', { name: `Use “${TEMPLATE}”` });
  await dialog.getByRole('heading', { name: 'Accounts' }).waitFor();
  await shot('use-dialog');
  const hubspotSelect = dialog.getByRole('combobox', { name: 'Your HubSpot account (private app token)' });
  const slackSelect = dialog.getByRole('combobox', { name: 'The Slack workspace to alert' });
  await connectNewAccount(dialog, 'HubSpot', 'Private app access token', HUBSPOT_TOKEN, hubspotSelect);
  await connectNewAccount(dialog, 'Slack', 'Bot token', SLACK_TOKEN, slackSelect);
  const hubspotAccount = await hubspotSelect.inputValue();
  const slackAccount = await slackSelect.inputValue();
  await dialog.getByRole('status').filter({ hasText: 'No account' }).waitFor({ state: 'detached' });
  await shot('use-dialog-connected');
  await dialog.getByRole('button', { name: 'Create the flow' }).click();

  // 5. The editor opens the new draft; the call platform's secret is what is left to set.
  await page.waitForURL(/\/flows\/[0-9a-f]+/);
  const flowId = page.url().split('/flows/')[1].split(/[?#/]/)[0];
  await page.getByLabel('Flow canvas').waitFor();
  const created = await getJson(`/api/v1/flows/${flowId}`);
  assert.deepEqual(
    created.document.steps.filter((s) => s.type === 'action').map((s) => [s.id, s.connection]),
    [['contact', hubspotAccount], ['deal', hubspotAccount], ['alert', slackAccount]],
  );
  assert.ok(created.problems.length > 0, 'the draft lists its remaining problems');
  assert.ok(created.problems.every((p) => !/connection/i.test(p.message)), `no connection problem: ${JSON.stringify(created.problems)}`);
  const problems = page.getByRole('region', { name: /problems? to fix before publishing/ });
  await problems.getByText(/secret/i).first().waitFor();
  await shot('editor-new-flow');

  // 6. Generate the Vapi secret in the trigger's settings, then save.
  const panel = page.getByRole('complementary', { name: 'Step settings' });
  const node = (text) => page.locator('.react-flow__node').filter({ hasText: text });
  await node('AI phone call').click();
  await panel.getByRole('heading', { name: 'Trigger' }).waitFor();
  await panel.getByRole('button', { name: 'Generate' }).first().click();
  await assertEventually(async () => assert.match(await panel.getByLabel(/^Secret/).inputValue(), /^[A-Za-z0-9]{32}$/));
  await shot('trigger-secret');
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  await page.getByText('All changes saved').waitFor();
  const saved = await getJson(`/api/v1/flows/${flowId}`);
  assert.match(saved.document.trigger.props.secret, /^[A-Za-z0-9]{32}$/, 'the secret was saved');
  assert.deepEqual(saved.problems, [], 'nothing left to fix');
  await shot('saved');

  // 7. Test with the Vapi end-of-call report: every step succeeds.
  const beforeTest = mock.requests.length;
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const testDialog = page.getByRole('dialog', { name: 'Test the flow' });
  await testDialog.getByRole('combobox', { name: 'Sample event' }).selectOption({ label: 'End-of-call report' });
  await testDialog.getByRole('button', { name: 'Run the test' }).click();
  const outcome = testDialog.locator('.test-outcome');
  await outcome.waitFor({ timeout: 20_000 });
  assert.equal(await outcome.getAttribute('role'), 'status', `the test succeeded: ${await outcome.textContent()}`);
  await outcome.getByText('Succeeded').first().waitFor();
  await shot('test-done');
  await testDialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await testDialog.waitFor({ state: 'detached' });
  const nodes = page.locator('.react-flow__node');
  assert.equal(await nodes.count(), 5);
  for (const n of await nodes.all()) await n.getByRole('img', { name: 'Last test: Succeeded' }).waitFor();
  await shot('test-results');

  const tested = mock.requests.slice(beforeTest);
  const upsert = onlyOne(tested.filter((r) => r.method === 'POST' && r.path === '/hubspot/crm/v3/objects/contacts/batch/upsert'), 'one contact upsert');
  assert.equal(upsert.headers.authorization, `Bearer ${HUBSPOT_TOKEN}`);
  assert.equal(upsert.body.inputs[0].id, 'ada@example.com', JSON.stringify(upsert.body));
  assert.match(JSON.stringify(upsert.body), /ada@example\.com/);
  const deal = onlyOne(tested.filter((r) => r.method === 'POST' && r.path === '/hubspot/crm/v3/objects/0-3'), 'one deal');
  assert.equal(deal.headers.authorization, `Bearer ${HUBSPOT_TOKEN}`);
  assert.match(JSON.stringify(deal.body), /ada@example\.com/, JSON.stringify(deal.body));
  assert.match(JSON.stringify(deal.body), /"501"/, 'the deal is associated with the upserted contact');
  const message = onlyOne(tested.filter((r) => r.method === 'POST' && r.path === '/slack/chat.postMessage'), 'one Slack message');
  assert.equal(message.headers.authorization, `Bearer ${SLACK_TOKEN}`);
  assert.equal(message.body.channel, '#sales-leads');
  assert.match(message.body.text, /ada@example\.com/);

  // 8. No uncaught errors in the page.
  assert.deepEqual(errors, [], 'no uncaught errors in the page');

  /** "+ Connect a new account" for one needed account; the new connection is then chosen. */
  async function connectNewAccount(scope, pieceName, fieldLabel, token, select) {
    const tests = mock.requests.length;
    await scope.getByRole('button', { name: `Connect a new ${pieceName} account` }).click();
    const form = scope.getByRole('form', { name: `Connect a new ${pieceName} account` });
    await form.getByLabel(fieldLabel).fill(token);
    await shot(`${pieceName.toLowerCase()}-connect`);
    await form.getByRole('button', { name: 'Test and save' }).click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    await assertEventually(async () => assert.notEqual(await select.inputValue(), '', `the new ${pieceName} account is chosen`));
    const check = mock.requests.slice(tests).find((r) => r.headers.authorization === `Bearer ${token}`);
    assert.ok(check, `the server tested the ${pieceName} token against the service`);
  }
}

function onlyOne(list, what) {
  assert.equal(list.length, 1, `${what}: ${JSON.stringify(list)}`);
  return list[0];
}


function respond(r) {
  const auth = r.headers.authorization ?? '';
  if (r.path.startsWith('/hubspot/')) {
    if (auth !== `Bearer ${HUBSPOT_TOKEN}`) return [401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' }];
    if (r.method === 'GET' && r.path === '/hubspot/crm/v3/objects/contacts') return [200, { results: [] }];
    if (r.method === 'POST' && r.path === '/hubspot/crm/v3/objects/contacts/batch/upsert') {
      return [200, { status: 'COMPLETE', results: [{ id: '501', new: true, properties: {} }] }];
    }
    if (r.method === 'POST' && r.path === '/hubspot/crm/v3/objects/0-3') return [201, { id: '901', properties: {}, createdAt: '2026-05-06T10:00:00Z' }];
    return [404, { status: 'error', message: `mock HubSpot: no ${r.method} ${r.path}` }];
  }
  if (r.path.startsWith('/slack/')) {
    if (auth !== `Bearer ${SLACK_TOKEN}`) return [200, { ok: false, error: 'invalid_auth' }];
    if (r.path === '/slack/auth.test') return [200, { ok: true, user_id: 'U1', team: 'T', url: 'https://t.slack.com/' }];
    if (r.path === '/slack/conversations.list') {
      return [200, { ok: true, channels: [{ id: 'C0GENERAL', name: 'general' }, { id: 'C0SALESLEADS', name: 'sales-leads' }], response_metadata: { next_cursor: '' } }];
    }
    if (r.path === '/slack/chat.postMessage') return [200, { ok: true, channel: 'C1', ts: '1.2' }];
    return [200, { ok: false, error: 'unknown_method' }];
  }
  return [404, { error: 'not mocked' }];
}

/** Retries an assertion for up to `ms` (the UI updates asynchronously). */
async function assertEventually(check, ms = 5_000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}

async function getJson(path) {
  const res = await browser.page.request.get(`${server.url}${path}`);
  assert.equal(res.status(), 200, `${path}: ${await res.text()}`);
  return res.json();
}
