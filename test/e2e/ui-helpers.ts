import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';

export { expect };

/**
 * The UI tests' `test`: every page error (an uncaught exception) and every error React reports
 * (a view that failed to render, caught by its boundary) fails the test that caused it.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED/.test(m.text())) errors.push(`console error: ${m.text()}`);
    });
    await use(page);
    expect(errors, 'errors in the page').toEqual([]);
  },
});

/** The CLI's historyHash for a run: the Node host running the same engine. */
export function cliHash(scenario: string, seed: number, faults?: unknown): string {
  const args = ['bin/brokerlab.js', 'run', scenario, '--seed', String(seed), '--json'];
  if (faults !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'brokerlab-ui-')), 'faults.json');
    writeFileSync(file, JSON.stringify(faults));
    args.push('--faults', file);
  }
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).historyHash;
}

/** Waits for the playground's run to finish and returns its hash. */
export async function waitForRun(page: Page): Promise<string> {
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: 30_000 });
  const hash = page.getByTestId('pg-history-hash');
  await expect(hash).toHaveText(/^[0-9a-f]{16}$/, { timeout: 30_000 });
  return (await hash.textContent())!;
}

/** The timeline's readout of the current moment, e.g. `400.000 ms`. */
export function timelineTime(page: Page) {
  return page.getByTestId('timeline-time').locator('.timeline-time');
}
