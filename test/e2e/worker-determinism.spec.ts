import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

/** The CLI's answer for a seed: the Node host running the same engine. */
function nodeHash(seed: number): string {
  const out = execFileSync(process.execPath, ['bin/brokerlab.js', 'run', 'gossip', '--seed', String(seed), '--json'], { encoding: 'utf8' });
  return JSON.parse(out).historyHash;
}

test('the Chromium worker computes the same historyHash as Node for the same seed', async ({ page }) => {
  await page.goto('/');
  const seeds = [1, 2, 3, 4, 5];
  const hashes = new Set<string>();
  for (const seed of seeds) {
    await page.getByLabel('Seed').fill(String(seed));
    await page.getByRole('button', { name: 'Run gossip' }).click();
    await expect(page.getByRole('button', { name: 'Run gossip' })).toBeEnabled();
    const hash = (await page.getByTestId('history-hash').textContent())!;
    expect(hash, `seed ${seed}: reproduce with npx brokerlab run gossip --seed ${seed}`).toBe(nodeHash(seed));
    hashes.add(hash);
  }
  expect(hashes.size).toBe(seeds.length);
  await expect(page.getByRole('row')).toHaveCount(26);
  // Every streamed entry arrived before the result: the last row is the last entry of the history.
  const entries = Number((await page.getByTestId('entries').textContent())!.replace(/,/g, ''));
  await expect(page.getByRole('row').last().getByRole('cell').first()).toHaveText(String(entries - 1));
  await page.screenshot({ path: 'test-results/screenshots/home-after-run.png', fullPage: true });
});

test('a bad seed gets a clear message and runs nothing', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Seed').fill('12abc');
  await page.getByLabel('Seed').press('Enter');
  await expect(page.getByRole('alert')).toHaveText('The seed is a whole number (0 or more); "12abc" is not.');
  await expect(page.getByTestId('history-hash')).toHaveText('—');
  await page.screenshot({ path: 'test-results/screenshots/home-bad-seed.png', fullPage: true });
});
