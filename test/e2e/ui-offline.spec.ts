import { cliHash, expect, test, waitForRun } from './ui-helpers';

test('after one visit the app works offline: reload, run a scenario, open the editor', async ({ page, context }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Brokerlab' })).toBeVisible();
  // The service worker takes control once it has precached the whole build (clientsClaim).
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 60_000 });
  const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
  expect(manifest.name).toBe('Brokerlab');
  expect(manifest.icons.length).toBeGreaterThanOrEqual(3);

  await context.setOffline(true);
  // Offline for real: anything the service worker did not precache fails.
  expect(await page.evaluate(() => fetch('/not-precached.txt').then((r) => `status ${r.status}`, () => 'failed'))).toBe('failed');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Brokerlab' })).toBeVisible();
  await page.getByRole('link', { name: 'Playground', exact: true }).click();
  await page.goto('/#/playground?scenario=gossip&seed=6');
  expect(await waitForRun(page)).toBe(cliHash('gossip', 6));

  await page.getByRole('button', { name: 'Open the editor' }).click();
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/offline-playground-editor.png' });
  await context.setOffline(false);
});
