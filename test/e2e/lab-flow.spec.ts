import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, test, timelineTime } from './ui-helpers';

// A Kafka lab run takes about a second of engine time, several under load; Monaco's first load a few.
const RUN_MS = 120_000;
test.setTimeout(6 * 60_000);

/** The labs as Node lists them: the catalog must show the same, and `at-least-once` is preferred. */
function nodeLabs(): { id: string; title: string; dir: string; broker: string }[] {
  return JSON.parse(execFileSync(process.execPath, ['bin/brokerlab.js', 'labs', '--json'], { encoding: 'utf8' }));
}

/** The editor's text as shown (Monaco draws spaces as no-break spaces). */
async function editorText(page: Page): Promise<string> {
  return ((await page.getByTestId('code-editor').locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/**
 * Replaces the whole program from the keyboard, as a learner pasting their own file would:
 * the text goes on the clipboard, then Ctrl+A and Ctrl+V in the editor. (Typed key by key, or
 * inserted as one input event, Monaco's auto-indent would re-indent what the test means to write.)
 */
async function replaceCode(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

async function waitForLabRun(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: RUN_MS });
  await expect(page.getByTestId('lab-history-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
}

test('a learner opens a lab, sees the starter fail with evidence, jumps to it, fixes the code, passes, and finds it all after a reload', async ({ page }) => {
  const labs = nodeLabs();
  const lab = labs.find((l) => l.id === 'at-least-once') ?? labs[0]!;
  const solution = readFileSync(`${lab.dir}/solution.ts`, 'utf8');

  await page.goto('/');
  await page.getByRole('link', { name: 'Browse the labs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Labs' })).toBeVisible();
  await expect(page.getByTestId('catalog-count')).toHaveText(`${labs.length} of ${labs.length} labs shown · 0 passed`, { timeout: 30_000 });
  const card = page.locator(`[data-lab="${lab.id}"]`);
  await expect(card).toHaveAttribute('data-status', 'not started');
  await expect(card).toContainText('Not started');
  await page.screenshot({ path: 'test-results/screenshots/lab-catalog.png', fullPage: true });

  // Filters narrow the catalog and live in the address.
  await page.getByLabel('Broker').selectOption('kafka');
  await expect(page).toHaveURL(/#\/labs\?broker=kafka$/);
  await expect(page.locator('[data-lab]')).toHaveCount(labs.filter((l) => l.broker === 'kafka').length);
  await page.getByLabel('Broker').selectOption('');
  await expect(page.locator('[data-lab]')).toHaveCount(labs.length);

  await card.getByRole('link', { name: lab.title }).click();
  await expect(page).toHaveURL(new RegExp(`#/lab/${lab.id}$`));
  await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('lab-guide').getByRole('heading', { level: 2, name: 'Guide' })).toBeVisible();
  await expect(page.getByTestId('lab-guide').getByRole('heading', { level: 3 }).first()).toBeVisible();
  const editor = page.getByTestId('code-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // The starter type-checks against the lab's generated d.ts.
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });
  await expect(page.getByLabel('Seed')).toHaveValue('1');
  await page.screenshot({ path: 'test-results/screenshots/lab-page-start.png' });

  // Run the starter: the check the lab is about fails, with evidence.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForLabRun(page);
  const failed = page.locator('[data-check][data-state="failed"]');
  await expect(failed.first()).toBeVisible();
  if (lab.id === 'at-least-once') {
    await expect(page.locator('[data-check="no-lost-charge"]')).toHaveAttribute('data-state', 'failed');
    await expect(page.locator('[data-check="no-lost-charge"]')).toContainText('Every order charged');
  }
  await expect(page.getByText(`npx brokerlab run ${lab.id} --code handler.ts --seed 1`)).toBeVisible();
  // One failed run unlocks the first hint; the status says in progress.
  await expect(page.getByTestId('lab-hints').getByRole('listitem').first()).not.toContainText('Unlocks after');
  await expect(page.locator('.lab-head [data-status]')).toHaveAttribute('data-status', 'in progress');

  // Evidence scrubs the shared timeline, and every view with it, to the counterexample's moment.
  const evidence = failed.first().locator('.evidence-jump').first();
  const timeUs = Number(await evidence.getAttribute('data-time-us'));
  const seq = Number(await evidence.getAttribute('data-seq'));
  const when = (await evidence.locator('.evidence-when').textContent())!;
  await evidence.click();
  await expect(timelineTime(page)).toHaveText(when);
  const slider = page.getByRole('slider', { name: 'Simulated time' });
  await expect(slider).toHaveValue(String(timeUs));
  await expect(slider).toHaveAttribute('aria-valuetext', new RegExp(`entry ${(seq + 1).toLocaleString('en')} of`));
  await page.screenshot({ path: 'test-results/screenshots/lab-page-failed.png' });
  const table = page.getByTestId('history-table');
  await table.scrollIntoViewIfNeeded();
  await expect(table).toHaveAttribute('data-rows', String(seq + 1));
  await page.screenshot({ path: 'test-results/screenshots/lab-page-failed-full.png', fullPage: true });

  // Replace the code with the solution from the keyboard and run it: every check passes.
  await replaceCode(page, solution);
  await expect(page.getByTestId('save-status')).toHaveText(/^Saved at/, { timeout: 15_000 });
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 30_000 });
  await page.keyboard.press('ControlOrMeta+Enter'); // the editor's own binding
  await waitForLabRun(page);
  const checks = page.locator('[data-check]');
  const n = await checks.count();
  await expect(page.locator('[data-check][data-state="passed"]')).toHaveCount(n);
  await expect(page.getByTestId('lab-score')).toHaveText('100 / 100 points');
  await expect(page.locator('.lab-head [data-status]')).toHaveAttribute('data-status', 'passed');
  await expect(page.getByTestId('lab-progress')).toHaveText('Best 100 / 100 · 2 runs');
  await expect(page.getByTestId('save-status')).toHaveText(/^Saved at/, { timeout: 15_000 });
  await page.screenshot({ path: 'test-results/screenshots/lab-page-passed.png' });

  // Reload: the code and the progress are still there.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: lab.title })).toBeVisible({ timeout: 30_000 });
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // Every line as pasted, indentation included (the editor shows the whole solution at once).
  for (const line of solution.split('\n').filter((l) => l.trim() !== '')) await expect.poll(() => editorText(page)).toContain(line);
  await expect(page.locator('.lab-head [data-status]')).toHaveAttribute('data-status', 'passed');
  await expect(page.getByTestId('lab-progress')).toHaveText('Best 100 / 100 · 2 runs');

  // The catalog marks the lab passed.
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Labs' }).click();
  await expect(card).toHaveAttribute('data-status', 'passed', { timeout: 30_000 });
  await expect(card).toContainText('best 100 / 100 · 2 runs');
  await expect(page.getByTestId('catalog-count')).toContainText('· 1 passed');
  await page.screenshot({ path: 'test-results/screenshots/lab-catalog-passed.png', fullPage: true });
});

test('a syntax error stops the run before it starts, marked at its line in the editor, and is not a failed attempt', async ({ page }) => {
  const lab = nodeLabs().find((l) => l.id === 'at-least-once') ?? nodeLabs()[0]!;
  await page.goto(`/#/lab/${lab.id}`);
  const editor = page.getByTestId('code-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await replaceCode(page, 'export async function handleMessage(msg, ctx) {\n  await ctx.commit(msg)\n  let x = ;\n}\n');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const error = page.getByTestId('lab-run-error');
  await expect(error).toContainText('handler.ts:3', { timeout: RUN_MS });
  await expect(error).toContainText('SyntaxError');
  // The run's problem is a marker at line 3, listed with the editor's problems.
  await expect(page.getByTestId('editor-problems')).toContainText('Line 3', { timeout: 30_000 });
  await expect(editor.locator('.squiggly-error').first()).toBeAttached();
  await expect(page.getByTestId('lab-progress')).toHaveText('No runs yet');
  await expect(page.getByTestId('lab-hints').getByRole('listitem').first()).toContainText('Unlocks after 1 failed run');
  await page.screenshot({ path: 'test-results/screenshots/lab-page-syntax-error.png' });

  // Reset code asks first; Escape keeps the code, confirming brings the starter back.
  await page.getByRole('button', { name: 'Reset code' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset your code?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep my code' })).toBeFocused();
  await page.screenshot({ path: 'test-results/screenshots/lab-page-reset-dialog.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect.poll(() => editorText(page)).toContain('let x = ;');
  await page.getByRole('button', { name: 'Reset code' }).click();
  await dialog.getByRole('button', { name: 'Replace with the starter' }).click();
  await expect.poll(() => editorText(page)).not.toContain('let x = ;');
  const starter = readFileSync(`${lab.dir}/starter.ts`, 'utf8');
  await expect.poll(() => editorText(page)).toContain(starter.split('\n')[0]!);
});

test('an exception in the handler during a run is marked at its line and listed with the node', async ({ page }) => {
  await page.goto('/#/lab/at-least-once');
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  const code = [
    "import type { Ctx, Message, OrderRecord } from 'brokerlab';",
    'export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {',
    "  if (msg.payload.order.orderId === 'o-5') throw new Error('order five is cursed');",
    '  await ctx.payments.charge(msg.payload.order.orderId, msg.payload.order.amountCents);',
    '  await ctx.commit(msg);',
    '}',
    '',
  ].join('\n');
  await replaceCode(page, code);
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForLabRun(page);
  const problems = page.getByTestId('editor-problems');
  await expect(problems).toContainText('Line 3, column', { timeout: 30_000 });
  await expect(problems).toContainText('order five is cursed');
  await expect(problems).toContainText('(on billing)');
  await expect(page.getByTestId('code-editor').locator('.squiggly-error').first()).toBeAttached();
  // The learner's next edit clears markers that point into the code as it was run.
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('// edited\n');
  await expect(problems).toHaveText('No problems.', { timeout: 30_000 });
});

test('the lab page is reachable and labelled from the keyboard', async ({ page }) => {
  await page.goto('/#/lab/at-least-once');
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // Every button, input and select on the page has an accessible name.
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, textarea, [tabindex="0"]')]
      .filter((el) => !(el as HTMLElement).closest('.monaco-editor') && (el as HTMLElement).offsetParent !== null)
      .filter((el) => {
        const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') || (el.textContent ?? '').trim();
        return !label;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  expect(unnamed).toEqual([]);
  // Tab from the guide reaches the seed, Run, Reset code and the editor, in reading order.
  await page.getByTestId('lab-guide').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Seed')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Reset code' })).toBeFocused();
  await page.keyboard.press('Tab');
  const inEditor = (): Promise<boolean> => page.evaluate(() => !!document.activeElement?.closest('.monaco-editor'));
  await expect.poll(inEditor).toBe(true);
  // Tab inside Monaco indents; Ctrl+M switches Tab to moving focus, as Monaco documents. Then
  // the checks, hints and faults follow.
  await page.keyboard.press('Control+M');
  await page.keyboard.press('Tab');
  await expect.poll(inEditor).toBe(false);
  await page.screenshot({ path: 'test-results/screenshots/lab-page-keyboard.png' });

  // IntelliSense knows the lab's API from its d.ts: ctx has the payment provider beside commit.
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('\nexport const probe = (c: Ctx) => c');
  await page.keyboard.type('.');
  const suggest = page.locator('.suggest-widget');
  await expect(suggest).toContainText('payments', { timeout: 30_000 });
  await expect(suggest).toContainText('commit');
  await page.screenshot({ path: 'test-results/screenshots/lab-page-intellisense.png' });
  await page.keyboard.press('Escape');
});
