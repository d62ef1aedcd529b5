import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { readabilityProblems } from './readability';
import { expect, test, timelineTime } from './ui-helpers';

/**
 * Demo mode (issue #8) and timeline playback (issue #7): the gallery, each demo's outcome with
 * its anomaly (and the same history as Node's CLI), play / pause / step / speed, the moments, the
 * fix, and a projector-readable layout at 1280×800 and 1920×1080.
 */

test.setTimeout(4 * 60_000);

/** Each demo, and what its outcome must say (numbers read from the page, never assumed). */
const DEMOS: { name: string; title: RegExp; anomaly: RegExp }[] = [
  { name: 'rabbitmq-auto-ack-crash', title: /Auto-ack/, anomaly: /: ([1-9]\d*) confirmed orders? lost/ },
  { name: 'kafka-acks1-failover', title: /acks=1/, anomaly: /: ([1-9]\d*) acknowledged writes? lost/ },
  { name: 'kafka-retry-duplicates', title: /Retries without idempotence/, anomaly: /: ([1-9]\d*) duplicates?/ },
  { name: 'kafka-rebalance-storm', title: /Rebalance storm/, anomaly: /([1-9]\d+) rebalances after ([1-9]\d*) poll timeouts?/ },
  { name: 'kafka-unclean-election', title: /Unclean leader election/, anomaly: /: ([1-9]\d*) acknowledged writes? lost to an unclean election/ },
  { name: 'kafka-clock-skew-lww', title: /Clock skew/, anomaly: /discarded ([1-9]\d*) later writes?/ },
];

/** Node's historyHash for the same demo: the CLI runs the same engine. */
function nodeHash(name: string, fix = false): string {
  const args = ['bin/brokerlab.js', 'run', name, '--json', ...(fix ? ['--fix'] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).historyHash;
}

/** The timeline's moment in microseconds, read from its readout (`1.234567 s` or `12.345 ms`). */
async function momentUs(page: Page): Promise<number> {
  const t = (await timelineTime(page).textContent())!;
  return t.endsWith(' s') ? Math.round(parseFloat(t) * 1e6) : Math.round(parseFloat(t) * 1e3);
}

async function entryNumber(page: Page): Promise<number> {
  const t = (await page.getByTestId('timeline-time').locator('.timeline-pos').textContent())!;
  return Number(/entry ([\d,]+)/.exec(t)![1]!.replace(/,/g, ''));
}

async function openDemo(page: Page, name: string): Promise<string> {
  await expect(page.getByTestId('demo-outcome')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('demo-history-hash')).toHaveText(/^[0-9a-f]{16}$/);
  void name;
  return (await page.getByTestId('demo-outcome').textContent())!;
}

/** Nothing in the demo page overlaps: the story column, the timeline and the views are apart. */
async function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const box = (sel: string): DOMRect | undefined => document.querySelector(sel)?.getBoundingClientRect();
    const problems: string[] = [];
    const story = box('.demo-story');
    const views = box('.demo-views');
    if (story && views && story.right > views.left && story.bottom > views.top && views.bottom > story.top && window.innerWidth > 1100) problems.push('story column overlaps the views');
    // Nothing in the story column sticks out of it (a long config name in a button, say).
    if (story) {
      for (const el of document.querySelectorAll('.demo-story *')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > story.right + 1) problems.push(`${el.tagName}.${el.className} "${el.textContent?.slice(0, 30)}" sticks out of the story column`);
      }
    }
    for (const el of document.querySelectorAll('.timeline > *')) {
      const a = el.getBoundingClientRect();
      for (const other of document.querySelectorAll('.timeline > *')) {
        if (other === el) continue;
        const b = other.getBoundingClientRect();
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) problems.push(`timeline: ${el.className} overlaps ${other.className}`);
      }
      if (a.right > window.innerWidth + 1) problems.push(`timeline: ${el.className} runs off the screen`);
    }
    for (const el of document.querySelectorAll('.demo-figure dd')) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 20) problems.push(`key figure "${el.textContent}" is ${size}px`);
    }
    const outcome = document.querySelector('.demo-outcome-text');
    if (outcome && parseFloat(getComputedStyle(outcome).fontSize) < 20) problems.push('the outcome sentence is under 20px');
    return problems;
  });
}

test('the gallery lists every demo with its broker and hook, from the header', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Pages' });
  await nav.getByRole('link', { name: 'Demos' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Demos' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Demos' })).toHaveAttribute('aria-current', 'page');
  await expect(page).toHaveTitle('Demos · Brokerlab');
  const cards = page.getByTestId('demo-card');
  await expect(cards).toHaveCount(DEMOS.length);
  for (const [i, d] of DEMOS.entries()) {
    await expect(cards.nth(i).getByRole('link')).toHaveText(d.title);
    await expect(cards.nth(i).getByRole('link')).toHaveAttribute('href', `#/demos/${d.name}`);
  }
  await expect(cards.first().locator('.broker-badge')).toHaveText('RabbitMQ');
  await expect(cards.nth(1).locator('.broker-badge')).toHaveText('Kafka');
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/demos-gallery-1280.png', fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: 'test-results/screenshots/demos-gallery-1920.png', fullPage: true });
});

test('each demo shows its anomaly and the history Node computes; play moves the timeline, pause stops it, step moves one entry', async ({ page }) => {
  for (const d of DEMOS) {
    await page.goto('/#/demos');
    await page.getByRole('link', { name: d.title }).click();
    await expect(page).toHaveURL(new RegExp(`#/demos/${d.name}$`));
    await expect(page.getByRole('heading', { level: 1, name: d.title })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'What to watch' })).toBeVisible();
    const outcome = await openDemo(page, d.name);
    expect(outcome, d.name).toMatch(d.anomaly);
    await expect(page.getByTestId('demo-outcome')).toHaveClass(/bad/);
    await expect(page.locator('.demo-figure.bad').first()).toBeVisible();
    expect(await page.getByTestId('demo-history-hash').textContent(), `${d.name}: the page and Node disagree`).toBe(nodeHash(d.name));

    // Play from the end starts over and moves the shared moment forward at the chosen speed.
    await page.getByLabel('Speed').selectOption({ label: '4×' });
    const endUs = await momentUs(page);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
    await expect.poll(() => momentUs(page)).toBeGreaterThan(0);
    const t1 = await momentUs(page);
    expect(t1).toBeLessThan(endUs);
    await expect.poll(() => momentUs(page), { message: `${d.name}: the timeline advances while playing` }).toBeGreaterThan(t1 + 100_000);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const paused = await momentUs(page);
    await page.waitForTimeout(400);
    expect(await momentUs(page), `${d.name}: paused`).toBe(paused);
    const n = await entryNumber(page);
    await page.getByRole('button', { name: 'Next entry' }).click();
    await expect.poll(() => entryNumber(page)).toBe(n + 1);
  }
});

test('moments scrub every view there; Space plays and pauses on the timeline; the fix shows no anomaly', async ({ page }) => {
  await page.goto('/#/demos/kafka-acks1-failover');
  await openDemo(page, 'kafka-acks1-failover');
  const moments = page.getByTestId('demo-moment');
  await expect(moments).toHaveCount(5);
  const crash = moments.filter({ hasText: 'The leader crashes' });
  await crash.click();
  await expect(crash).toHaveAttribute('aria-current', 'step');
  expect(await momentUs(page)).toBe(2_500_000);
  // The console follows the moment (views off screen catch up when scrolled to): the crash is there.
  await page.getByTestId('console-lines').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('console-lines')).toContainText('crash');

  // Space on the slider plays; Space again pauses; the moment list follows playback.
  await page.getByLabel('Speed').selectOption({ label: '1×' });
  await page.getByRole('slider', { name: 'Simulated time' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toBeVisible();
  await expect.poll(() => momentUs(page)).toBeGreaterThan(2_700_000);
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play', exact: true })).toBeVisible();
  const stopped = await momentUs(page);
  await page.waitForTimeout(300);
  expect(await momentUs(page)).toBe(stopped);
  await page.screenshot({ path: 'test-results/screenshots/demos-acks1-moment-1280.png' });

  // Entry by entry: one entry at a time.
  await page.getByLabel('Speed').selectOption({ label: 'Entry by entry' });
  const before = await entryNumber(page);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await expect.poll(() => entryNumber(page)).toBeGreaterThanOrEqual(before + 2);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  expect(await entryNumber(page)).toBeLessThan(before + 10);

  // The fix: the same story with acks=all loses nothing, and the address says so.
  await page.getByRole('link', { name: /With the fix: acks=all/ }).click();
  await expect(page).toHaveURL(/#\/demos\/kafka-acks1-failover\?variant=fix$/);
  await expect(page.getByRole('heading', { name: 'Outcome with acks=all' })).toBeVisible();
  await expect(page.getByTestId('demo-outcome')).toContainText(': 0 acknowledged writes lost', { timeout: 60_000 });
  await expect(page.getByTestId('demo-outcome')).toHaveClass(/good/);
  await expect(page.getByTestId('demo-history-hash')).toHaveText(nodeHash('kafka-acks1-failover', true));
  await page.screenshot({ path: 'test-results/screenshots/demos-acks1-fix-1280.png' });
});

test('a demo is readable on a projector: large figures, contrast, nothing overlapping, at 1280×800 and 1920×1080', async ({ page }) => {
  for (const size of [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ]) {
    await page.setViewportSize(size);
    for (const name of ['rabbitmq-auto-ack-crash', 'kafka-acks1-failover', 'kafka-rebalance-storm', 'kafka-clock-skew-lww', 'kafka-retry-duplicates', 'kafka-unclean-election']) {
      await page.goto(`/#/demos/${name}`);
      await openDemo(page, name);
      // Scrub to the first moment of interest, as a lecturer would before talking.
      await page.getByTestId('demo-moment').nth(1).click();
      await expect(page.getByTestId('spacetime-canvas')).toBeVisible();
      expect(await readabilityProblems(page), `${name} at ${size.width}`).toEqual([]);
      expect(await overlaps(page), `${name} at ${size.width}`).toEqual([]);
      // The page as the lecturer opened it: at the top, the story column too.
      await page.evaluate(() => {
        window.scrollTo(0, 0);
        document.querySelector('.demo-story')?.scrollTo(0, 0);
      });
      await page.screenshot({ path: `test-results/screenshots/demos-${name}-${size.width}.png` });
    }
  }
});

test('an unknown demo says so and links to the gallery', async ({ page }) => {
  await page.goto('/#/demos/no-such-demo');
  await expect(page.getByRole('heading', { level: 1, name: 'Demo not found' })).toBeVisible();
  await page.getByRole('link', { name: 'See all demos' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Demos' })).toBeVisible();
});
