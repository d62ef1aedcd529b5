import type { Page } from '@playwright/test';
import { expect, test } from './ui-helpers';

const RUN_MS = 120_000;
test.setTimeout(4 * 60_000);

/** The at-least-once starter with a handler that burns ~300k steps a message: a run of many seconds. */
const SLOW_CODE = `import type { Ctx, Message, OrderRecord } from 'brokerlab';

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  let spin = 0;
  for (let i = 0; i < 300000; i++) spin += i % 7;
  if (spin < 0) throw new Error('never');
  await ctx.commit(msg);
  await ctx.payments.charge(msg.payload.order.orderId, msg.payload.order.amountCents);
}
`;

async function replaceCode(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

test('a lab offers its nodes to fault before any run, and Stop ends a long run keeping what it streamed', async ({ page }) => {
  await page.goto('/#/lab/at-least-once');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 });

  // Never run on this browser, yet the fault panel lists the lab's nodes (the brokers and the controller).
  await page.getByLabel('Fault', { exact: true }).selectOption('crash');
  const nodeSelect = page.getByLabel('Node', { exact: true });
  await expect(nodeSelect.locator('option', { hasText: 'controller' })).toHaveCount(1, { timeout: 60_000 });
  await expect(nodeSelect.locator('option', { hasText: 'b1' })).toHaveCount(1);

  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await replaceCode(page, SLOW_CODE);
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const stop = page.getByRole('button', { name: 'Stop', exact: true });
  await expect(stop).toBeVisible();
  // Let some of the run stream in, then stop it.
  const entries = async (): Promise<number> => Number((/of ([\d,]+)/.exec((await page.getByTestId('timeline-time').textContent()) ?? '')?.[1] ?? '0').replace(/,/g, ''));
  await expect.poll(entries, { timeout: RUN_MS }).toBeGreaterThan(0);
  await stop.click();
  const notice = page.getByTestId('lab-notice');
  await expect(notice).toContainText('Stopped after', { timeout: 30_000 });
  await expect(stop).toBeHidden();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  // What streamed stays: the timeline still has entries, and no check result was claimed.
  expect(await entries()).toBeGreaterThan(0);
  await expect(page.getByTestId('lab-history-hash')).not.toHaveText(/^[0-9a-f]{16}$/);
  await page.screenshot({ path: 'test-results/screenshots/lab-stopped.png' });

  // The engine starts afresh: the next run goes to the end.
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await page.getByRole('button', { name: 'Reset code' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Replace with the starter' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('lab-history-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
});

test('Stop ends a playground run; the next run starts a fresh engine and goes to the end', async ({ page }) => {
  await page.goto('/#/playground');
  await page.getByLabel('Scenario').selectOption('gossip');
  await page.getByLabel('Seed').fill('3');
  await page.getByRole('textbox', { name: 'Nodes' }).fill('20');
  await expect(page.getByLabel('Node', { exact: true })).toContainText('n20');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const entries = async (): Promise<number> => Number(((await page.getByTestId('pg-entries').textContent()) ?? '0').replace(/,/g, ''));
  await expect.poll(entries, { timeout: RUN_MS }).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  const notice = page.getByRole('status').filter({ hasText: 'Stopped after' });
  await expect(notice).toBeVisible({ timeout: 30_000 });
  // The notice and the views agree on how far the run got (nothing the stopped worker had queued arrives later).
  const said = Number((/Stopped after ([\d,]+)/.exec((await notice.textContent()) ?? '')?.[1] ?? '-1').replace(/,/g, ''));
  await page.waitForTimeout(500);
  await expect(page.getByTestId('timeline-time')).toContainText(`of ${said.toLocaleString('en')}`);
  await expect(page.getByTestId('pg-history-hash')).not.toHaveText(/^[0-9a-f]{16}$/);
  await page.screenshot({ path: 'test-results/screenshots/playground-stopped.png' });

  await page.getByRole('textbox', { name: 'Nodes' }).fill('3');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('pg-history-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
});
