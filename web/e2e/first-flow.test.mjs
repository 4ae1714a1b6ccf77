// A new user's first minutes, in a real browser against the real binary: first start → create
// the owner → the empty flows list → a new flow → a Vapi call trigger from the picker → a step
// added with the "+" → saved → still there after a reload → listed with its status.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer('first-flow');
  browser = await openBrowser('first-flow');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a new user creates the owner account and builds and saves a first flow', async () => {
  const { page, shot, errors } = browser;
  await page.goto(server.url);

  // First start: the owner account is created in the browser.
  await page.getByRole('heading', { name: 'Welcome to Switchboard' }).waitFor();
  await shot('first-start');
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();

  await page.getByRole('heading', { name: 'No flows yet' }).waitFor();
  await shot('flows-empty');
  await page.getByRole('button', { name: 'Create your first flow' }).click();

  // The editor: a canvas with the trigger.
  await page.waitForURL(/\/flows\/[0-9a-f]+/);
  const flowId = page.url().split('/flows/')[1].split(/[?#/]/)[0];
  await page.getByLabel('Flow canvas').waitFor();
  await shot('new-flow');

  // The trigger: a Vapi call, chosen in the searchable picker.
  await page.getByRole('button', { name: 'Change the trigger' }).click();
  const picker = page.getByRole('dialog');
  await picker.getByRole('heading', { name: 'Choose what starts the flow' }).waitFor();
  await picker.getByRole('searchbox').fill('Vapi');
  await shot('trigger-picker');
  await picker.getByRole('button').filter({ hasText: 'AI phone call: Vapi' }).filter({ hasNotText: 'mid-call' }).click();
  await picker.waitFor({ state: 'detached' });

  // A step after the trigger, through its "+".
  await page.getByRole('button', { name: /^Add a step after/ }).first().click();
  await page.getByRole('dialog').getByRole('heading', { name: 'Add a step' }).waitFor();
  await page.getByRole('dialog').getByRole('searchbox').fill('filter');
  await shot('step-picker');
  await page.getByRole('dialog').getByRole('searchbox').press('Enter');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await shot('step-added');

  // Saved, and still there after a reload.
  const save = page.getByRole('button', { name: 'Save', exact: true });
  await save.click();
  await assertEventually(async () => assert.equal(await save.isDisabled(), true, 'saving ends with nothing unsaved'));
  const saved = await (await page.request.get(`${server.url}/api/v1/flows/${flowId}`)).json();
  assert.equal(saved.document.trigger.piece, 'call');
  assert.match(saved.document.trigger.trigger, /^vapi/);
  assert.equal(saved.document.steps.length, 1, JSON.stringify(saved.document));
  assert.deepEqual(saved.document.edges, [{ from: saved.document.trigger.id, to: saved.document.steps[0].id }]);

  await page.reload();
  await page.getByLabel('Flow canvas').waitFor();
  await page.getByRole('button', { name: /^Add a step after/ }).first().waitFor();
  assert.equal(await page.locator('.react-flow__node').count(), 2, 'the trigger and the step');
  await shot('reloaded');

  // Back in the list: the flow, not published yet.
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'Flows', exact: true }).waitFor();
  await page.getByText('Not published').first().waitFor();
  await shot('flows-list');

  // Into a folder, and found by the folder filter.
  await page.getByRole('button', { name: /^Move .* to a folder$/ }).click();
  await page.getByRole('dialog').getByLabel('Folder', { exact: true }).fill('Sales');
  await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
  await page.getByText(/moved to Sales/).waitFor();
  await page.getByRole('main').getByRole('combobox', { name: /^Folder/ }).selectOption('Sales');
  await page.getByRole('button', { name: /^Move .* to a folder$/ }).waitFor();
  await shot('in-a-folder');
  const listed = await (await page.request.get(`${server.url}/api/v1/flows?folder=Sales`)).json();
  assert.deepEqual(listed.flows.map((f) => f.id), [flowId]);

  // The trigger's settings: a generated secret fixes the flow's one problem.
  await page.goto(`${server.url}/flows/${flowId}`);
  await page.locator('.react-flow__node').filter({ hasText: 'AI phone call' }).click();
  const panel = page.getByRole('complementary', { name: 'Step settings' });
  await panel.getByRole('button', { name: 'Generate' }).first().click();
  await shot('trigger-settings');
  await save.click();
  await assertEventually(async () => assert.equal(await page.getByText(/problems? to fix before publishing/).count(), 0));

  // The flow's own settings, with no step selected: a variable the steps can read as vars.<name>.
  await page.locator('.react-flow__pane').click({ position: { x: 30, y: 400 } });
  const flowPanel = page.getByRole('complementary', { name: 'Flow settings' });
  await flowPanel.getByRole('button', { name: '+ Add variable' }).click();
  await flowPanel.getByRole('textbox', { name: 'Variables: variable 1' }).fill('time_zone');
  await flowPanel.getByRole('textbox', { name: 'Variables: value of time_zone' }).fill('Europe/Berlin');
  await flowPanel.getByRole('spinbutton', { name: /^Runs at the same time/ }).or(flowPanel.getByRole('textbox', { name: /^Runs at the same time/ })).fill('2');
  await flowPanel.getByLabel('Description').click();
  await shot('flow-settings');
  await save.click();
  await assertEventually(async () => {
    const doc = (await (await page.request.get(`${server.url}/api/v1/flows/${flowId}`)).json()).document;
    assert.deepEqual(doc.vars, { time_zone: 'Europe/Berlin' });
    assert.deepEqual(doc.settings, { concurrency: 2 });
  });

  // Publish, turn it on, and let "Vapi" call it with the secret.
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const toggle = page.getByRole('switch');
  await assertEventually(async () => assert.equal(await toggle.isDisabled(), false, 'published: the switch can be turned on'));
  await toggle.click();
  await assertEventually(async () => assert.equal(await toggle.getAttribute('aria-checked'), 'true'));
  await shot('published-on');
  const live = await (await page.request.get(`${server.url}/api/v1/flows/${flowId}`)).json();
  assert.equal(live.enabled, true);
  const secret = live.document.trigger.props.secret;
  assert.match(secret, /^[A-Za-z0-9]{32}$/, 'a generated 32-character secret');
  const catalog = await (await page.request.get(`${server.url}/api/v1/pieces`)).json();
  const vapi = catalog.pieces.find((p) => p.id === 'call').triggers.find((t) => t.name === 'vapi');
  const report = vapi.samples.find((x) => x.event === 'end-of-call-report').payload;
  const hook = await page.request.post(live.webhook_urls.platform, {
    data: report,
    headers: { 'x-vapi-secret': secret },
  });
  assert.equal(hook.status(), 202, await hook.text());
  const { run_id: runId } = await hook.json();

  // The run is in the flow's history, and its page shows the steps.
  await page.goto(`${server.url}/flows/${flowId}/runs`);
  await page.getByRole('link', { name: /./ }).filter({ hasText: /\d/ }).first().waitFor();
  await shot('runs');
  await page.goto(`${server.url}/runs/${runId}`);
  await page.getByText(/succeeded/i).first().waitFor();
  await shot('run');
  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});

/** Retries an assertion for up to 5 s (the UI updates asynchronously). */
async function assertEventually(check) {
  const until = Date.now() + 5_000;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
}
