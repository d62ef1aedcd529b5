import { readabilityProblems } from './readability';
import { expect, test } from './ui-helpers';

test.setTimeout(4 * 60_000);

test('the catalog, a lab with its results, and the about page are readable on a projector', async ({ page }) => {
  await page.goto('/#/labs');
  await expect(page.getByTestId('catalog-count')).toContainText('labs shown', { timeout: 30_000 });
  expect(await readabilityProblems(page)).toEqual([]);

  await page.goto('/#/lab/at-least-once');
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('lab-history-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 120_000 });
  await expect(page.locator('[data-check][data-state="failed"]').first()).toBeVisible();
  expect(await readabilityProblems(page)).toEqual([]);

  await page.goto('/#/about');
  await page.getByLabel('Only these cases').fill('fetch');
  await page.getByRole('button', { name: 'Run the self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toContainText('2 of 2 passed', { timeout: 120_000 });
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/about.png' });
});
