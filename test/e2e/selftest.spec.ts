import { execFileSync } from 'node:child_process';
import { expect, test } from './ui-helpers';

test.setTimeout(4 * 60_000);

/** Hostile cases that run in a few seconds; the memory cases take longer and stay in the Node suite. */
const SUBSET = ['infinite-loop', 'unbounded-recursion', 'fetch', 'function-return-this', 'read-date', 'throw-non-error', 'syntax-error'];

interface HostileResult {
  name: string;
  passed: boolean;
  observed: string;
  historyHash: string;
}

test('the sandbox self-test gives the same verdicts, messages and history hashes in Chromium as in Node', async ({ page }) => {
  const node: HostileResult[] = JSON.parse(execFileSync(process.execPath, ['bin/brokerlab.js', 'selftest', '--json'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })).results;
  const wanted = [...SUBSET, 'next-run-unaffected'];
  const expected = node.filter((r) => wanted.includes(r.name)).map(({ name, passed, observed, historyHash }) => ({ name, passed, observed, historyHash }));
  expect(expected.map((r) => r.name), 'Node knows every case in the subset').toEqual(wanted);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'About' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'About Brokerlab' })).toBeVisible();
  await page.getByLabel('Only these cases').fill(SUBSET.join(', '));
  await page.getByRole('button', { name: 'Run the self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toHaveText(new RegExp(`^${wanted.length} of ${wanted.length} passed in [\\d.]+ s\\.$`), { timeout: 180_000 });

  const rows = page.getByTestId('selftest-results').locator('tbody tr');
  await expect(rows).toHaveCount(wanted.length);
  const chromium = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.getAttribute('data-case')!,
      passed: tr.getAttribute('data-passed') === 'true',
      observed: tr.querySelector('[data-field="observed"]')!.textContent!,
      historyHash: tr.getAttribute('data-hash')!,
    })),
  );
  expect(chromium).toEqual(expected);
  await page.screenshot({ path: 'test-results/screenshots/about-selftest.png', fullPage: true });
});
