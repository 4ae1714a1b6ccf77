// The main journey of a new user, in a real browser against the real binary, with HubSpot and
// Slack replaced by a local mock: first start → create the owner → a new flow → a Vapi call
// trigger (secret generated) → a filter built with the condition builder → HubSpot "Create
// contact" with a new API-key connection and the email mapped with the data picker → a Slack
// message → tested with the Vapi sample (results inline) → published and turned on → Vapi's
// webhook → the run in the flow's history with the HubSpot step's input and output, and the mock
// services received the right requests.
//
// Everything is done through the UI; the API is only used to assert state and to send the
// platform's webhook (which is what Vapi would do).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, startServer, startMockVendors } from './support.mjs';

const HUBSPOT_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const SLACK_TOKEN = 'xoxb-e2e-test-token';
const SALES_LEADS = { id: 'C0SALESLEADS', name: 'sales-leads' };

let mock;
let server;
let browser;

before(async () => {
  mock = await startMockVendors(respond);
  server = await startServer('call-to-crm', {
    SWITCHBOARD_BASE_URL_HUBSPOT: `${mock.url}/hubspot`,
    SWITCHBOARD_BASE_URL_SLACK: `${mock.url}/slack`,
  });
  browser = await openBrowser('call-to-crm');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await mock?.stop();
});

test('a new user builds call → filter → HubSpot → Slack, tests it, publishes it and sees the real run', async (t) => {
  let uiProblems;
  try {
    uiProblems = await journey(t);
  } catch (e) {
    // The screen at the moment of the failure, next to the stages' screenshots.
    await browser.shot('failure').catch(() => {});
    throw e;
  }
  // The journey would work around UI problems the way a user could (each printed as a "UI
  // problem:" diagnostic); none may be needed.
  await t.test('the journey needs no workaround', () => {
    assert.deepEqual([...uiProblems], []);
  });
});

async function journey(t) {
  const { page, shot, errors } = browser;
  /** UI problems the journey works around like a user would (listed in the test's output). */
  const uiProblems = new Set();
  const uiProblem = (text) => {
    if (!uiProblems.has(text)) t.diagnostic(`UI problem: ${text}`);
    uiProblems.add(text);
  };
  page.setDefaultTimeout(10_000);
  await page.goto(server.url);

  // 1. First start: the owner account, then the first flow.
  await page.getByRole('heading', { name: 'Welcome to Switchboard' }).waitFor();
  await shot('first-start');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'No flows yet' }).waitFor();
  await shot('flows-empty');
  await page.getByRole('button', { name: 'Create your first flow' }).click();
  await page.waitForURL(/\/flows\/[0-9a-f]+/);
  const flowId = page.url().split('/flows/')[1].split(/[?#/]/)[0];
  await page.getByLabel('Flow canvas').waitFor();
  await shot('new-flow');

  const panel = page.getByRole('complementary', { name: 'Step settings' });
  const node = (text) => page.locator('.react-flow__node').filter({ hasText: text });

  // 2. The trigger: a Vapi call, with a generated secret.
  await page.getByRole('button', { name: 'Change the trigger' }).click();
  const picker = page.getByRole('dialog');
  await picker.getByRole('heading', { name: 'Choose what starts the flow' }).waitFor();
  await picker.getByRole('searchbox').fill('Vapi');
  await shot('trigger-picker');
  await picker.getByRole('button').filter({ hasText: 'AI phone call: Vapi' }).filter({ hasNotText: 'mid-call' }).click();
  await picker.waitFor({ state: 'detached' });
  await node('AI phone call').click();
  await panel.getByRole('heading', { name: 'Trigger' }).waitFor();
  await panel.getByRole('button', { name: 'Generate' }).first().click();
  await assertEventually(async () => assert.match(await panel.getByLabel(/^Secret/).inputValue(), /^[A-Za-z0-9]{32}$/));
  await shot('trigger-secret');

  // 3. A filter after the trigger, built with the condition builder.
  await page.getByRole('button', { name: 'Add a step after Vapi', exact: true }).click();
  await addStep('filter', 'Filter');
  // (By CSS: the legend sits inside a div, so the fieldset has no accessible name; reported.)
  const condition = panel.locator('fieldset.condition-builder').filter({ hasText: 'Continue only when' });
  await condition.waitFor();
  const toBuilder = condition.getByRole('button', { name: 'Use the condition builder for Continue only when' });
  if (await toBuilder.isVisible()) {
    // UI issue (reported): a new filter's condition is `true`, which the builder cannot show, so
    // it opens as a raw expression. A user clears it and switches to the builder.
    uiProblem('a new filter opens as the raw expression `true`, not in the condition builder');
    await shot('filter-opens-as-expression');
    await condition.getByRole('combobox').first().fill('');
    await toBuilder.click();
  }
  const fieldInput = condition.getByRole('combobox', { name: 'Field of condition 1' });
  await fieldInput.waitFor();
  await pickData('Pick into condition 1', ['Vapi', 'call', 'extracted', 'intent']);
  assert.equal(await fieldInput.inputValue(), 'trigger.call.extracted.intent');
  await condition.getByLabel('Operator of condition 1').selectOption({ label: 'equals' });
  await condition.getByLabel('Value of condition 1').fill('book_appointment');
  // The live preview evaluates it against the Vapi sample.
  await condition.getByText('With the example data this is').waitFor();
  await shot('filter-condition');

  // 4. HubSpot "Create contact" after the filter, with a new API-key connection.
  await page.getByRole('button', { name: 'Add a step after Filter', exact: true }).click();
  await addStep('hubspot create contact', 'HubSpot: Create contact');
  await connectNewAccount('HubSpot', 'Private app access token', HUBSPOT_TOKEN);
  const hubspotAccount = await panel.getByRole('combobox', { name: /^Account/ }).inputValue();
  assert.notEqual(hubspotAccount, '', 'the new HubSpot connection is selected');
  await pickData('Insert data into Email', ['Vapi', 'call', 'extracted', 'email']);
  assert.equal(await panel.getByRole('combobox', { name: 'Email', exact: true }).inputValue(), '{{ trigger.call.extracted.email }}');
  await panel.getByText('ada@example.com').first().waitFor(); // the preview
  await pickData('Insert data into Phone', ['Vapi', 'call', 'from']);
  assert.equal(await panel.getByRole('combobox', { name: 'Phone', exact: true }).inputValue(), '{{ trigger.call.from }}');
  await shot('hubspot-settings');

  // 5. A Slack message after HubSpot, with its own new connection.
  await page.getByRole('button', { name: 'Add a step after Create contact', exact: true }).click();
  await addStep('slack send channel message', 'Slack: Send channel message');
  await connectNewAccount('Slack', 'Bot token', SLACK_TOKEN);
  // The channel list loads from Slack through the new connection.
  const channel = panel.getByRole('combobox', { name: /^Channel/ });
  await channel.locator('option', { hasText: SALES_LEADS.name }).waitFor({ state: 'attached' });
  // A name the list does not offer can be typed; then back to the list.
  await channel.selectOption({ label: 'Type a value…' });
  const typed = panel.getByRole('textbox', { name: /^Channel/ });
  await typed.fill('#not-listed');
  assert.equal(await typed.inputValue(), '#not-listed');
  await panel.getByRole('button', { name: 'Choose from the list' }).click();
  assert.equal(await channel.inputValue(), 'current', 'the typed name shows as the current value');
  await channel.selectOption({ label: SALES_LEADS.name });
  const text = panel.getByRole('combobox', { name: 'Text', exact: true });
  await text.fill('New booking from ');
  await pickData('Insert data into Text', ['Vapi', 'call', 'extracted', 'email']);
  await text.press('End');
  await text.pressSequentially(' (HubSpot contact ');
  await pickData('Insert data into Text', ['Create contact', 'id']);
  await text.press('End');
  await text.pressSequentially(')');
  const slackText = await text.inputValue();
  assert.match(slackText, /^New booking from \{\{ trigger\.call\.extracted\.email \}\} \(HubSpot contact \{\{ steps\.\w+\.id \}\}\)$/);
  await shot('slack-settings');

  // 6. Save, then test with the Vapi end-of-call report.
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  await assertEventually(async () => assert.equal(await save.isDisabled(), true, 'saving ends with nothing unsaved'));
  await page.getByText('All changes saved').waitFor();
  const saved = await getJson(`/api/v1/flows/${flowId}`);
  const doc = saved.document;
  assert.equal(doc.trigger.piece, 'call');
  assert.equal(doc.trigger.trigger, 'vapi');
  assert.deepEqual(
    doc.steps.map((s) => s.type === 'action' ? `${s.piece}.${s.action}` : s.type),
    ['filter', 'hubspot.create_contact', 'slack.send_message'],
  );
  const [filter, hubspot, slack] = doc.steps;
  assert.match(filter.condition, /trigger\.call\.extracted\.intent/);
  assert.match(filter.condition, /book_appointment/);
  assert.equal(hubspot.connection, hubspotAccount);
  assert.equal(hubspot.props.email, '{{ trigger.call.extracted.email }}');
  assert.equal(hubspot.props.phone, '{{ trigger.call.from }}');
  assert.equal(slack.props.channel, SALES_LEADS.id);
  assert.equal(slack.props.text, slackText);
  assert.match(slackText, new RegExp(`steps\\.${hubspot.id}\\.id`), 'the reference points at the HubSpot step');
  assert.deepEqual(doc.edges, [
    { from: doc.trigger.id, to: filter.id },
    { from: filter.id, to: hubspot.id },
    { from: hubspot.id, to: slack.id },
  ]);

  const before = mock.requests.length;
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const testDialog = page.getByRole('dialog', { name: 'Test the flow' });
  await testDialog.getByRole('combobox', { name: 'Sample event' }).selectOption({ label: 'End-of-call report' });
  await shot('test-dialog');
  await testDialog.getByRole('button', { name: 'Run the test' }).click();
  const outcome = testDialog.locator('.test-outcome');
  await outcome.waitFor({ timeout: 20_000 });
  assert.equal(await outcome.getAttribute('role'), 'status', `the test succeeded: ${await outcome.textContent()}`);
  await outcome.getByText('Succeeded').first().waitFor();
  await shot('test-done');
  await testDialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  await testDialog.waitFor({ state: 'detached' });

  // Each step's result inline on the canvas.
  for (const label of ['AI phone call', 'Filter', 'Create contact', 'Send channel message']) {
    await node(label).getByRole('img', { name: 'Last test: Succeeded' }).waitFor();
  }
  await node('Create contact').click();
  const inline = panel.locator('.test-result');
  await inline.getByText('Succeeded').waitFor();
  await inline.getByRole('heading', { name: 'Input' }).waitFor();
  await inline.getByRole('heading', { name: 'Output' }).waitFor();
  await inline.getByText('"501"').first().waitFor(); // the contact id HubSpot answered
  await inline.scrollIntoViewIfNeeded();
  await shot('test-results-inline');

  const tested = mock.requests.slice(before);
  const testContact = onlyOne(tested.filter(isCreateContact), 'one contact created by the test');
  assertCreateContact(testContact);
  const testMessage = onlyOne(tested.filter(isPostMessage), 'one Slack message sent by the test');
  assert.equal(testMessage.headers.authorization, `Bearer ${SLACK_TOKEN}`);
  assert.equal(testMessage.body.channel, SALES_LEADS.id, 'the message goes to #sales-leads');
  assert.equal(testMessage.body.text, 'New booking from ada@example.com (HubSpot contact 501)');

  // 7. Publish, turn on, and let Vapi call the flow with the secret.
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const toggle = page.getByRole('switch');
  await assertEventually(async () => assert.equal(await toggle.isDisabled(), false, 'published: the switch can be turned on'));
  await toggle.click();
  await assertEventually(async () => assert.equal(await toggle.getAttribute('aria-checked'), 'true'));
  await shot('published-on');
  const live = await getJson(`/api/v1/flows/${flowId}`);
  assert.equal(live.enabled, true);
  assert.equal(live.published_version, 1);
  const secret = live.document.trigger.props.secret;
  assert.match(secret, /^[A-Za-z0-9]{32}$/, 'the generated secret was saved');
  const catalog = await getJson('/api/v1/pieces');
  const vapi = catalog.pieces.find((p) => p.id === 'call').triggers.find((t) => t.name === 'vapi');
  const report = vapi.samples.find((x) => x.event === 'end-of-call-report').payload;
  const beforeHook = mock.requests.length;
  const hook = await page.request.post(live.webhook_urls.platform, { data: report, headers: { 'x-vapi-secret': secret } });
  assert.equal(hook.status(), 202, await hook.text());
  const { run_id: runId } = await hook.json();
  assert.ok(runId, 'the webhook answers with the run id');

  // 8. The run in the flow's history, opened from there; the HubSpot step's input and output.
  await page.locator('.editor-header').getByRole('link', { name: 'Runs', exact: true }).click();
  await page.waitForURL(`**/flows/${flowId}/runs`);
  const runLink = page.getByRole('link', { name: /^Run of .*: open$/ });
  // The history lists the test run and the real one (newest first); wait for the real one to finish.
  await assertEventually(async () => {
    const rows = page.locator('.runs-table tbody tr').filter({ hasNot: page.getByText('Test', { exact: true }) });
    if ((await rows.count()) === 0 || !(await rows.first().getByText(/succeeded/i).count())) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      throw new Error('the real run is not listed as succeeded yet');
    }
  }, 15_000);
  assert.equal(await runLink.count(), 2, 'the test run and the real run');
  await shot('runs');
  await page.locator('.runs-table tbody tr').filter({ hasNot: page.getByText('Test', { exact: true }) }).first().getByRole('link', { name: /: open$/ }).click();
  await page.waitForURL(`**/runs/${runId}`);
  await page.getByRole('heading', { name: /^Run of/ }).getByText(/succeeded/i).waitFor();
  await shot('run');
  await page.locator('.react-flow__node').filter({ hasText: 'Create contact' }).click();
  const details = page.getByRole('region', { name: 'Create contact' });
  await details.getByText('Succeeded').first().waitFor();
  const input = details.locator('details.json-section').filter({ has: page.getByRole('heading', { name: 'Input' }) });
  const output = details.locator('details.json-section').filter({ has: page.getByRole('heading', { name: 'Output' }) });
  await input.getByText('ada@example.com').first().waitFor();
  await input.getByText('+14155550123').first().waitFor();
  await output.getByText('"501"').first().waitFor();
  await shot('run-hubspot-step');

  const run = await getJson(`/api/v1/runs/${runId}`);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.equal(run.steps[hubspot.id].input.email, 'ada@example.com');
  assert.equal(run.steps[hubspot.id].output.id, '501');
  const real = mock.requests.slice(beforeHook);
  const contact = onlyOne(real.filter(isCreateContact), 'one contact created by the real run');
  assertCreateContact(contact);
  const message = onlyOne(real.filter(isPostMessage), 'one Slack message sent by the real run');
  assert.equal(message.body.channel, SALES_LEADS.id);
  assert.equal(message.body.text, 'New booking from ada@example.com (HubSpot contact 501)');
  assert.equal(message.headers.authorization, `Bearer ${SLACK_TOKEN}`);

  // 9. No uncaught errors in the page.
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
  return uiProblems;

  // --- helpers bound to this page ---

  /** Picks a step in the open "Add a step" picker and waits for its settings. */
  async function addStep(search, choice) {
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Add a step' }).waitFor();
    await dialog.getByRole('searchbox').fill(search);
    await dialog.getByRole('button').filter({ hasText: choice }).first().click();
    await dialog.waitFor({ state: 'detached' });
    await panel.getByRole('heading', { name: choice, exact: true }).waitFor();
    const ids = await panel.getByRole('textbox', { name: 'Step id' }).evaluateAll((els) => els.map((e) => e.value));
    // UI issue (reported): the previously selected node's "Step id" field stays in the panel.
    if (ids.length !== 1) uiProblem(`after adding "${choice}" the settings panel shows ${ids.length} "Step id" fields: ${ids.join(', ')}`);
  }

  /** "Connect a new account" in the selected step's settings; the server tests it against the mock. */
  async function connectNewAccount(pieceName, fieldLabel, token) {
    const tests = mock.requests.length;
    await panel.getByRole('button', { name: '+ Connect a new account' }).click();
    const form = panel.getByRole('form', { name: `Connect a new ${pieceName} account` });
    await form.getByLabel(fieldLabel).fill(token);
    await shot(`${pieceName.toLowerCase()}-connect`);
    await form.getByRole('button', { name: 'Test and save' }).click();
    await form.waitFor({ state: 'detached', timeout: 15_000 });
    const select = panel.getByRole('combobox', { name: /^Account/ });
    await assertEventually(async () => assert.notEqual(await select.inputValue(), ''));
    // "Select it": the new account is chosen at once; choosing it again is what a user would do.
    await select.selectOption(await select.inputValue());
    const check = mock.requests.slice(tests).find((r) => r.headers.authorization === `Bearer ${token}`);
    assert.ok(check, `the server tested the ${pieceName} token against the service`);
  }

  /** Opens the data picker `button` of the settings panel and clicks through `labels` (tree levels). */
  async function pickData(button, labels) {
    await panel.getByRole('button', { name: button, exact: true }).click();
    const tree = panel.getByRole('dialog', { name: button }).getByRole('tree', { name: 'Data fields' });
    for (const [i, label] of labels.entries()) {
      const row = tree
        .locator(`li[role="treeitem"][aria-level="${i + 1}"]`)
        .filter({ has: page.locator('.data-label', { hasText: new RegExp(`^${escape(label)}$`) }) })
        .first();
      if (i < labels.length - 1) {
        if ((await row.getAttribute('aria-expanded')) !== 'true') {
          const twisty = row.locator('.data-twisty');
          const clickable = await twisty.click({ trial: true, timeout: 1_000 }).then(() => true, () => false);
          if (clickable) await twisty.click();
          else {
            // UI issue (reported): the popover is wider than the settings panel and its left part,
            // with the ▸ arrows, lies under the canvas, which takes the clicks. The picker's own
            // keyboard way instead: hover the row (makes it the active one), → opens it.
            uiProblem(`data picker "${button}": the ▸ of "${label}" is covered by the canvas and cannot be clicked`);
            await row.locator('.data-pick').hover();
            await assertEventually(async () => assert.equal(await row.getAttribute('aria-selected'), 'true'));
            await page.keyboard.press('ArrowRight');
          }
        }
        await assertEventually(async () => assert.equal(await row.getAttribute('aria-expanded'), 'true'));
      } else {
        await row.locator('.data-pick').click();
      }
    }
    await panel.getByRole('dialog', { name: button }).waitFor({ state: 'detached' });
  }
}

// --- the mock HubSpot and Slack ---

function isCreateContact(r) {
  return r.method === 'POST' && r.path === '/hubspot/crm/v3/objects/contacts';
}

function isPostMessage(r) {
  return r.method === 'POST' && r.path === '/slack/chat.postMessage';
}

function assertCreateContact(r) {
  assert.equal(r.headers.authorization, `Bearer ${HUBSPOT_TOKEN}`);
  assert.match(r.headers['content-type'] ?? '', /application\/json/);
  assert.deepEqual(r.body.properties, { email: 'ada@example.com', phone: '+14155550123' }, JSON.stringify(r.body));
  assert.deepEqual(r.body.associations ?? [], []);
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
    if (isCreateContact(r)) {
      const now = new Date().toISOString();
      return [201, { id: '501', properties: { ...r.body?.properties, hs_object_id: '501', createdate: now, lastmodifieddate: now }, createdAt: now, updatedAt: now, archived: false }];
    }
    return [404, { status: 'error', message: `mock HubSpot: no ${r.method} ${r.path}` }];
  }
  if (r.path.startsWith('/slack/')) {
    if (auth !== `Bearer ${SLACK_TOKEN}`) return [200, { ok: false, error: 'invalid_auth' }];
    if (r.path === '/slack/auth.test') return [200, { ok: true, user_id: 'U1', team: 'T', url: 'https://t.slack.com/' }];
    if (r.path === '/slack/conversations.list') {
      return [200, { ok: true, channels: [{ id: 'C0GENERAL', name: 'general' }, SALES_LEADS], response_metadata: { next_cursor: '' } }];
    }
    if (isPostMessage(r)) return [200, { ok: true, channel: 'C1', ts: '1718000000.000100', message: { text: r.body?.text, type: 'message' } }];
    return [200, { ok: false, error: 'unknown_method' }];
  }
  return [404, { error: 'not mocked' }];
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
