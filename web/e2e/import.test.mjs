// A user leaving ActivePieces brings a flow along, in a real browser against the real binary: the
// exported file is picked with "Import a file" → the import report lists each step (converted, to
// check, not converted, with the reasons) → "Open the flow" → the editor shows the report banner and
// the steps that were not converted as disabled placeholders keeping the original code.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { openBrowser, startServer } from './support.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const EXPORT = join(here, '..', '..', 'engine', 'src', 'import', 'activepieces', 'fixtures', 'sms_sync_flow.json');

let server;
let browser;

before(async () => {
  server = await startServer('import');
  browser = await openBrowser('import');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an ActivePieces export is imported with its report and opened in the editor', async () => {
  const { page, shot, errors } = browser;
  await page.goto(server.url);
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'No flows yet' }).waitFor();

  // The file input behind "Import a file".
  await page.getByLabel(/^Flow file to import/).setInputFiles(EXPORT);
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('heading', { name: /imported$/ }).waitFor();
  await dialog.getByText('From ActivePieces: 3 converted, 1 to check, 2 not converted.').waitFor();
  const items = dialog.getByRole('list', { name: 'Imported nodes' }).getByRole('listitem').filter({ has: page.locator('strong') });
  assert.equal(await items.count(), 6, 'one line per source step');
  // What needs attention comes first, with the reason.
  const first = items.first();
  assert.match(await first.innerText(), /Not converted[\s\S]*Make reference[\s\S]*cannot run here/);
  await dialog.getByText('`@activepieces/piece-foo` action `enrich_contact` has no equivalent here').waitFor();
  await shot('report');

  await dialog.getByRole('button', { name: 'Open the flow' }).click();
  await page.waitForURL(/\/flows\/[0-9a-f]+/);
  await page.getByLabel('Flow canvas').waitFor();
  await page.getByText(/^Imported from ActivePieces: 3 converted, 1 to check, 2 not converted\./).waitFor();

  // The placeholder for the CODE step: on the canvas as turned off, its script keeping the code.
  const placeholder = page.getByRole('group', { name: /^Make reference, .*turned off/ });
  await placeholder.waitFor();
  await page.getByRole('button', { name: 'Show the import report' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Show step “step_1”' }).click();
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'Code' }).first().waitFor();
  await page.getByText('Show as JSON').click();
  const json = await page.getByLabel('The step as JSON').innerText();
  assert.match(json, /"disabled": true/);
  assert.match(json, /Imported from ActivePieces, not converted/);
  await shot('placeholder');

  // A step that was skipped in ActivePieces came in turned off; it can be turned back on.
  await page.getByRole('group', { name: /^Tell the team, .*turned off/ }).click();
  await page.getByText('This step is off: runs skip it').waitFor();
  await page.getByRole('button', { name: 'Turn on', exact: true }).click();
  await page.getByRole('group', { name: /^Tell the team, Slack · Send channel message$/ }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Turn off', exact: true }).getAttribute('aria-pressed'), 'false');

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});
