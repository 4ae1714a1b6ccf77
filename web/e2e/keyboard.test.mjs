// The editor by keyboard alone: no mouse click anywhere. Tab (and Shift+Tab) must reach every
// control the journey needs, in a sensible order, each with a visible focus mark; Enter and Space
// work them, Escape closes dialogs, and the canvas's steps can be selected, deleted and restored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser, startServer } from './support.mjs';

let server;
let browser;

before(async () => {
  server = await startServer('keyboard');
  browser = await openBrowser('keyboard');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The focused element: its accessible name (label, aria-label or text), role and focus mark. */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { name: '', tag: 'body', visible: false };
    const labelled = el.getAttribute('aria-labelledby');
    const byId = labelled ? labelled.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ') : '';
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent ?? '' : '';
    const wrapping = el.closest('label')?.textContent ?? '';
    const name = (el.getAttribute('aria-label') || byId || label || wrapping || el.textContent || el.getAttribute('placeholder') || '').trim().replace(/\s+/g, ' ');
    const style = getComputedStyle(el);
    // A focus mark: an outline, or a box-shadow ring (the canvas's nodes).
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    return { name, tag: el.tagName.toLowerCase(), visible, debug: `${el.className} fv=${el.matches(':focus-visible')} ${style.outlineStyle} ${style.outlineWidth} ${style.boxShadow}` };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches, at most `limit` times. */
async function tabTo(page, pattern, { back = false, limit = 60 } = {}) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    seen.push(f.name.slice(0, 40));
    if (pattern.test(f.name)) {
      assert.ok(f.visible, `“${f.name}” has a visible focus mark (${f.debug})`);
      return f;
    }
  }
  assert.fail(`Tab never reached ${pattern}; it went through: ${seen.join(' | ')}`);
}

test('a flow is built, saved and edited with the keyboard only', async () => {
  const { page, shot, errors } = browser;
  await page.goto(server.url);

  // First start: the owner account, typed and submitted with Enter.
  await page.getByRole('heading', { name: 'Welcome to Switchboard' }).waitFor();
  await tabTo(page, /^Email/);
  await page.keyboard.type('owner@example.com');
  await tabTo(page, /^Password/);
  await page.keyboard.type('a long enough password');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'No flows yet' }).waitFor();

  // A new flow from the empty list.
  await tabTo(page, /^Create your first flow$/);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/flows\/[0-9a-f]+/);
  await page.getByLabel('Flow canvas').waitFor();
  await shot('editor');

  // The default webhook trigger, selected on the canvas with Enter: its authentication is a form,
  // not JSON: the kind, then its fields.
  await tabTo(page, /^Catch webhook, Trigger/);
  await page.keyboard.press('Enter');
  await tabTo(page, /^Authentication/);
  await page.keyboard.press('ArrowDown');
  await tabTo(page, /^Header name/);
  await page.keyboard.type('x-api-key');
  await tabTo(page, /^Secret value/);
  await page.keyboard.type('a-long-secret');
  await shot('webhook-auth');

  // The trigger, from the picker: search, then Tab to the choice.
  await tabTo(page, /^Change the trigger$/, { back: true });
  await page.keyboard.press('Enter');
  const picker = page.getByRole('dialog');
  await picker.getByRole('heading', { name: 'Choose what starts the flow' }).waitFor();
  assert.equal((await focused(page)).tag, 'input', 'the picker opens with its search focused');
  await page.keyboard.type('Vapi');
  await tabTo(page, /^AI phone call: Vapi/);
  await shot('trigger-picker');
  await page.keyboard.press('Enter');
  await picker.waitFor({ state: 'detached' });

  // A step after the trigger through its "+", chosen by typing and Enter.
  await tabTo(page, /^Add a step after/);
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').getByRole('heading', { name: 'Add a step' }).waitFor();
  await page.keyboard.type('filter');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor({ state: 'detached' });

  // The new step is selected: its settings are reachable by Tab; the condition builder works.
  await page.getByRole('heading', { name: 'Filter' }).first().waitFor();
  await tabTo(page, /^Name/);
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Only booked calls');
  await shot('filter-settings');

  // Saved with Ctrl+S.
  await page.keyboard.press('Control+s');
  await page.getByText('Saved').first().waitFor();

  // Steps on the canvas take focus; Enter selects one, Delete removes it, Ctrl+Z brings it back.
  await tabTo(page, /^Only booked calls/, { back: true, limit: 80 });
  await page.keyboard.press('Enter');
  await page.keyboard.press('Delete');
  await page.getByText('Only booked calls').first().waitFor({ state: 'detached' });
  await page.keyboard.press('Control+z');
  await page.getByText('Only booked calls').first().waitFor();
  await shot('restored');

  // Escape closes a dialog and gives focus back to the button that opened it.
  await tabTo(page, /^Add a step after Only booked calls/);
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.match((await focused(page)).name, /^Add a step after Only booked calls/);

  // The gallery's filters are buttons with a pressed state, and end up in the address.
  await page.goto(`${server.url}/templates`);
  await page.getByRole('heading', { name: 'Templates' }).waitFor();
  await tabTo(page, /^Sales/);
  await page.keyboard.press('Enter');
  await page.waitForURL(/segment=sales/);
  await shot('templates-filtered');

  assert.deepEqual(errors, [], 'no uncaught errors in the page');
});
