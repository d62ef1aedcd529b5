import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect, test, timelineTime } from './ui-helpers';

const RUN_MS = 120_000;
test.setTimeout(5 * 60_000);

const LAB = 'at-least-once';
const CRASH_AT_MS = 6000;

async function waitForLabRun(page: Page): Promise<void> {
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: RUN_MS });
  await expect(page.getByTestId('lab-history-hash')).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
}

/** The diagram's geometry as its canvas publishes it (`data-*` attributes from lane-layout.ts). */
async function diagram(canvas: Locator) {
  const box = (await canvas.boundingBox())!;
  const attr = async (name: string): Promise<number> => Number(await canvas.getAttribute(name));
  const startUs = await attr('data-window-start');
  const endUs = await attr('data-window-end');
  const gutter = await attr('data-gutter-px');
  const right = 14;
  return {
    box,
    gutter,
    axis: await attr('data-axis-px'),
    laneHeight: await attr('data-lane-height-px'),
    xOf: (us: number) => gutter + ((us - startUs) / (endUs - startUs)) * (box.width - gutter - right),
  };
}

/**
 * Which lane a node is on: click each lane near the start and read the diagram's own description.
 * A view off screen does not follow the run and catches up once scrolled to (use-on-screen.ts), so
 * until it has, the node's lane may not be drawn yet: look again, measuring afresh each time.
 */
async function laneY(page: Page, canvas: Locator, node: string): Promise<number> {
  let found: number | undefined;
  await expect
    .poll(async () => (found = await findLane(page, canvas, node)) !== undefined, { message: `a lane for ${node}`, timeout: 20_000 })
    .toBe(true);
  return found!;
}

async function findLane(page: Page, canvas: Locator, node: string): Promise<number | undefined> {
  const { gutter, axis, laneHeight, box } = await diagram(canvas);
  for (let lane = 0; axis + (lane + 1) * laneHeight <= box.height; lane++) {
    const y = axis + (lane + 0.5) * laneHeight;
    await canvas.click({ position: { x: gutter + 14, y } });
    const details = (await page.getByTestId('spacetime-details').textContent()) ?? '';
    if (details.startsWith(`${node} at `)) return y;
  }
  return undefined;
}

/** Pixels of the crash colour (#ff7b72) in a strip of the node's lane just after `us`. */
async function crashPixels(canvas: Locator, xFrom: number, y: number): Promise<number> {
  return canvas.evaluate(
    (el, { x, y }) => {
      const c = el as HTMLCanvasElement;
      const scale = c.width / c.clientWidth;
      const data = c.getContext('2d')!.getImageData(Math.round((x - 4) * scale), Math.round((y - 6) * scale), Math.round(60 * scale), Math.round(12 * scale)).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 255) < 24 && Math.abs(data[i + 1]! - 123) < 30 && Math.abs(data[i + 2]! - 114) < 30) n++;
      return n;
    },
    { x: xFrom, y },
  );
}

test('a crash injected from the lab\'s fault panel shows in the space-time diagram, the topology and the console; the timeline scrubs across it', async ({ page, context }) => {
  await page.goto(`/#/lab/${LAB}`);
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // Before any run the panel already offers the lab's nodes: the engine builds the lab's world to list them.
  await page.getByLabel('Fault', { exact: true }).selectOption('crash');
  await expect(page.getByLabel('Node', { exact: true }).locator('option', { hasText: 'b3' })).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Add to schedule' })).toBeEnabled();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForLabRun(page);

  const canvas = page.getByTestId('spacetime-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const y = await laneY(page, canvas, 'b3');
  const geo = await diagram(canvas);
  const before = await crashPixels(canvas, geo.xOf(CRASH_AT_MS * 1000), y);
  expect(before, 'b3 never crashes in the lab by itself').toBe(0);

  // Add the crash from the panel; it joins the schedule and the address.
  await page.getByLabel('Fault', { exact: true }).selectOption('crash');
  await page.getByLabel('At (ms)').fill(String(CRASH_AT_MS));
  await page.getByLabel('Node', { exact: true }).selectOption('b3');
  await page.getByRole('button', { name: 'Add to schedule' }).click();
  await expect(page.getByTestId('fault-schedule').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('fault-schedule')).toContainText('crash b3');
  await expect(page.getByText('1 extra fault goes with the run.')).toBeVisible();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForLabRun(page);
  const url = new URL(page.url().replace(`#/lab/${LAB}`, `/lab/${LAB}`));
  expect(url.searchParams.get('seed')).toBe('1');
  expect(JSON.parse(Buffer.from(url.searchParams.get('faults')!, 'base64url').toString('utf8'))).toEqual([{ at: CRASH_AT_MS, kind: 'crash', node: 'b3' }]);
  await expect(page.getByTestId('lab-repro')).toHaveText(`npx brokerlab run ${LAB} --code handler.ts --seed 1 --faults faults.json`);
  // The file that command reads is the one the page offers.
  const [faultsFile] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download faults.json' }).click()]);
  expect(faultsFile.suggestedFilename()).toBe('faults.json');
  expect(JSON.parse(readFileSync((await faultsFile.path())!, 'utf8'))).toEqual([{ at: CRASH_AT_MS, kind: 'crash', node: 'b3' }]);

  // The diagram now shows b3 down from 6 s (the red cross, then a dashed red lane).
  await canvas.scrollIntoViewIfNeeded();
  const y2 = await laneY(page, canvas, 'b3');
  const geo2 = await diagram(canvas);
  await expect.poll(() => crashPixels(canvas, geo2.xOf(CRASH_AT_MS * 1000), y2)).toBeGreaterThan(10);
  await canvas.screenshot({ path: 'test-results/screenshots/lab-fault-spacetime.png' });

  // The console lists the crash; clicking it scrubs every view there.
  const filters = page.getByRole('group', { name: 'Console filters' });
  await filters.scrollIntoViewIfNeeded();
  await filters.getByLabel('Node').selectOption('b3');
  await page.getByTestId('console-lines').getByRole('button', { name: /crash: volatile state lost/ }).first().click();
  await expect(timelineTime(page)).toHaveText('6.000000 s');
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-node="b3"]')).toHaveAttribute('data-life', 'crashed');

  // Scrub with the keyboard: one entry back is before the crash, Page Up moves 100 ms on, Home and End.
  const slider = page.getByRole('slider', { name: 'Simulated time' });
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('[data-node="b3"]')).toHaveAttribute('data-life', 'up');
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('[data-node="b3"]')).toHaveAttribute('data-life', 'crashed');
  await page.keyboard.press('PageUp');
  await expect(timelineTime(page)).toHaveText(/^6\.1\d{5} s$/);
  await page.keyboard.press('Home');
  await expect(timelineTime(page)).toHaveText('0.000 ms');
  await page.keyboard.press('End');
  await expect(timelineTime(page)).toHaveText('19.000000 s');
  await page.screenshot({ path: 'test-results/screenshots/lab-fault.png' });

  // The address reproduces the setup: another tab opens the lab with the same seed and schedule.
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByLabel('Seed')).toHaveValue('1', { timeout: 30_000 });
  await expect(other.getByTestId('fault-schedule')).toContainText('crash b3');
  await other.close();
});

test('a schedule the engine rejects comes back naming the entry and the field, and is not a failed attempt', async ({ page }) => {
  await page.goto(`/#/lab/${LAB}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  await page.getByLabel('Schedule as JSON').fill('[{"at": 100, "kind": "crash", "node": "zz"}]');
  await page.getByRole('button', { name: 'Apply JSON' }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const alert = page.getByTestId('lab-run-error');
  await expect(alert).toContainText('entry 0, field "node": unknown node "zz"', { timeout: RUN_MS });
  await expect(page.getByTestId('lab-progress')).toHaveText('No runs yet');
  await page.screenshot({ path: 'test-results/screenshots/lab-bad-schedule.png' });
});
