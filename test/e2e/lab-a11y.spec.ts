import type { Page } from '@playwright/test';
import { expect, test } from './ui-helpers';

test.setTimeout(4 * 60_000);

/** Text under 16 px, or under 4.5:1 against the nearest opaque background (the projector rule). */
function readabilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const parse = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]): number => {
      const f = (v: number): number => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const c = parse(getComputedStyle(el).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3]! > 0.9)) return c.slice(0, 3);
      }
      return [15, 20, 25];
    };
    const problems: string[] = [];
    const selector = 'main p, main label, main li, main dt, main dd, main h2, main h3, main th, main td, main button, main option, main legend, main code, main span';
    for (const el of document.querySelectorAll(selector)) {
      if (!(el instanceof HTMLElement) || el.offsetParent === null || !el.textContent?.trim() || el.closest('.monaco-editor, canvas, .uplot')) continue;
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      if (size < 16) problems.push(`${el.tagName}.${el.className} "${el.textContent.slice(0, 30)}" is ${size}px`);
      if (el.closest('button:disabled')) continue;
      const fg = lum(parse(style.color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) problems.push(`${el.tagName}.${el.className} "${el.textContent.slice(0, 30)}" has contrast ${ratio.toFixed(2)}`);
    }
    return [...new Set(problems)];
  });
}

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
