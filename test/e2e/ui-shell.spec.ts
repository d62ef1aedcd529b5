import { readabilityProblems } from './readability';
import { expect, test } from './ui-helpers';

test('the header reaches every page by keyboard and marks the current one', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Brokerlab' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await expect(nav.getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');

  // Tab from the top: skip link, brand, then the page links, in reading order.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(nav.getByRole('link', { name: 'Playground' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/playground$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Playground' })).toHaveAttribute('aria-current', 'page');
  await expect(nav.getByRole('link', { name: 'Home' })).not.toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle('Playground · Brokerlab');
  await page.screenshot({ path: 'test-results/screenshots/playground-empty.png' });

  await page.goBack();
  await expect(page.getByRole('heading', { level: 1, name: 'Brokerlab' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/home.png' });
});

test('the skip link moves focus past the header to the page', async ({ page }) => {
  await page.goto('/#/playground');
  // A person tabs once the page is there; the lazy page must not steal focus when it arrives.
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: /skip/i })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
});

test('a lab address shows the lab placeholder, and an unknown one says so', async ({ page }) => {
  await page.goto('/#/lab/kafka-at-least-once');
  await expect(page.getByRole('heading', { level: 1, name: 'Lab: kafka-at-least-once' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Labs' })).toHaveAttribute('aria-current', 'page');
  await page.screenshot({ path: 'test-results/screenshots/lab-placeholder.png' });

  await page.goto('/#/no-such-page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await expect(page.getByText('#/no-such-page')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/not-found.png' });
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Brokerlab' })).toBeVisible();
});

test('body text is at least 16px and the text colours pass WCAG AA on their panels', async ({ page }) => {
  await page.goto('/#/playground');
  await expect(page.getByRole('heading', { level: 1, name: 'Playground' })).toBeVisible();
  expect(await readabilityProblems(page, 'main p, main label, main li, main dt, main dd, main h2, main button, main option, main legend, header a')).toEqual([]);
});
