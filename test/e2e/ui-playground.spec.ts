import { cliHash, expect, test, timelineTime, waitForRun } from './ui-helpers';

test('Ctrl+Enter runs the chosen scenario; the URL reproduces it; the hash matches Node', async ({ page, context }) => {
  await page.goto('/#/playground');
  await page.getByLabel('Scenario').selectOption('echo');
  await page.getByLabel('Seed').fill('4');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('Control+Enter');
  const hash = await waitForRun(page);
  expect(hash, 'reproduce with npx brokerlab run echo --seed 4').toBe(cliHash('echo', 4));
  await expect(page).toHaveURL(/#\/playground\?scenario=echo&seed=4$/);
  await expect(page.getByText('npx brokerlab run echo --seed 4')).toBeVisible();

  // A shared link runs by itself and lands on the same history.
  const other = await context.newPage();
  await other.goto(page.url());
  expect(await waitForRun(other)).toBe(hash);
  await expect(other.getByLabel('Scenario')).toHaveValue('echo');
  await expect(other.getByLabel('Seed')).toHaveValue('4');
});

test('fault buttons build a schedule that travels in the URL and is applied by the engine', async ({ page }) => {
  await page.goto('/#/playground?scenario=gossip&seed=2');
  await waitForRun(page);
  const add = async (kind: string, at: string, fill?: () => Promise<unknown>): Promise<void> => {
    await page.getByLabel('Fault', { exact: true }).selectOption(kind);
    await page.getByLabel('At (ms)').fill(at);
    await fill?.();
    await page.getByRole('button', { name: 'Add to schedule' }).click();
  };
  await add('crash', '400', () => page.getByLabel('Node', { exact: true }).selectOption('n2'));
  await add('restart', '900', () => page.getByLabel('Node', { exact: true }).selectOption('n2'));
  await add('partition', '1000', async () => {
    await page.getByRole('checkbox', { name: 'n1', exact: true }).check();
    await page.getByRole('checkbox', { name: 'n4', exact: true }).check();
  });
  await add('heal', '1400');
  await add('loss', '1500', () => page.getByLabel('Probability of loss (0–1)').fill('0.5'));
  await add('loss', '1700', () => page.getByLabel('Probability of loss (0–1)').fill('0'));
  await add('latency', '1800', () => page.getByLabel('Extra latency (ms)').fill('20'));
  await add('clockSkew', '1900', async () => {
    await page.getByLabel('Node', { exact: true }).selectOption('n5');
    await page.getByLabel('Offset (ms)').fill('-250');
  });
  await add('pause', '2000', () => page.getByLabel('Node', { exact: true }).selectOption('n3'));
  await add('resume', '2100', () => page.getByLabel('Node', { exact: true }).selectOption('n3'));
  const schedule = page.getByTestId('fault-schedule').getByRole('listitem');
  await expect(schedule).toHaveCount(10);
  await expect(schedule.nth(0)).toContainText('crash n2');
  await expect(schedule.nth(2)).toContainText('partition {n1, n4} | {n2, n3, n5}');
  await expect(schedule.nth(7)).toContainText('clock of n5 -250 ms');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const hash = await waitForRun(page);
  const faults = [
    { at: 400, kind: 'crash', node: 'n2' },
    { at: 900, kind: 'restart', node: 'n2' },
    { at: 1000, kind: 'partition', groups: [['n1', 'n4'], ['n2', 'n3', 'n5']] },
    { at: 1400, kind: 'heal' },
    { at: 1500, kind: 'loss', p: 0.5 },
    { at: 1700, kind: 'loss', p: 0 },
    { at: 1800, kind: 'latency', addMs: 20 },
    { at: 1900, kind: 'clockSkew', node: 'n5', offsetMs: -250 },
    { at: 2000, kind: 'pause', node: 'n3' },
    { at: 2100, kind: 'resume', node: 'n3' },
  ];
  expect(hash, 'the same schedule through the CLI gives the same history').toBe(cliHash('gossip', 2, faults));
  const url = new URL(page.url().replace('#/playground', '/playground'));
  const encoded = url.searchParams.get('faults')!;
  expect(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))).toEqual(faults);

  // The console lists the crash; clicking it scrubs every view to that moment.
  // Views off screen skip the stream and catch up when shown, so each check first scrolls to its view.
  const filters = page.getByRole('group', { name: 'Console filters' });
  await filters.scrollIntoViewIfNeeded();
  await filters.getByLabel('Node').selectOption('n2');
  const consoleLines = page.getByTestId('console-lines');
  await consoleLines.getByRole('button', { name: /crash: volatile state lost/ }).first().click();
  await expect(timelineTime(page)).toHaveText('400.000 ms');
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-node="n2"]')).toHaveAttribute('data-life', 'crashed');
  await expect(page.getByTestId('topology-summary')).toContainText('crashed: n2');
  await page.getByTestId('history-table').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('history-table')).not.toHaveAttribute('data-rows', '0');
  const crashSeq = Number(await page.getByTestId('history-table').getAttribute('data-rows')) - 1;
  await expect(page.getByTestId('history-table').getByRole('row').last()).toContainText('crash');
  expect(crashSeq).toBeGreaterThan(0);

  // At the partition, links between the sides are cut; after the heal they are whole again.
  await filters.scrollIntoViewIfNeeded();
  await filters.getByLabel('Node').selectOption('');
  await filters.getByLabel('Text').fill('partition');
  await consoleLines.getByRole('button', { name: /fault partition/ }).first().click();
  await expect(timelineTime(page)).toHaveText('1.000000 s');
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-link][data-cut="true"]').first()).toBeVisible();
  await expect(page.locator('[data-link="n1-n2"], [data-link="n2-n1"]')).toHaveAttribute('data-cut', 'true');
  await expect(page.locator('[data-link="n1-n4"], [data-link="n4-n1"]')).toHaveAttribute('data-cut', 'false');
  await page.screenshot({ path: 'test-results/screenshots/playground-partition.png' });
  await filters.getByLabel('Text').fill('heal');
  await consoleLines.getByRole('button', { name: /fault heal/ }).first().click();
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-link][data-cut="true"]')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/playground-faults-full.png', fullPage: true });
});

test('a schedule the engine rejects comes back naming the entry and the field', async ({ page }) => {
  await page.goto('/#/playground');
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  await page.getByLabel('Schedule as JSON').fill('[{"at": 100, "kind": "crash", "node": "zz"}, {"at": "soon", "kind": "heal"}]');
  await page.getByRole('button', { name: 'Apply JSON' }).click();
  await expect(page.getByTestId('fault-schedule').getByRole('listitem')).toHaveCount(2);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const alert = page.getByTestId('run-error');
  await expect(alert).toContainText('entry 0, field "node": unknown node "zz"');
  await expect(alert).toContainText('entry 1, field "at"');
  await expect(page.getByTestId('pg-history-hash')).toHaveText('—');
  await page.screenshot({ path: 'test-results/screenshots/playground-bad-schedule.png' });

  // Bad JSON never replaces the schedule.
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  await page.getByLabel('Schedule as JSON').fill('[{"at": 1');
  await page.getByRole('button', { name: 'Apply JSON' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not JSON' })).toBeVisible();
  await expect(page.getByTestId('fault-schedule').getByRole('listitem')).toHaveCount(2);
});

test('one timeline scrubs the table, the topology and the charts; Reset clears the run', async ({ page }) => {
  await page.goto('/#/playground?scenario=gossip&seed=1');
  await waitForRun(page);
  const table = page.getByTestId('history-table');
  const entries = Number((await page.getByTestId('pg-entries').textContent())!.replace(/,/g, ''));
  // The timeline stays on screen (it is sticky) while the page scrolls to the table.
  await table.scrollIntoViewIfNeeded();
  await expect(table).toHaveAttribute('data-rows', String(entries));

  const slider = page.getByRole('slider', { name: 'Simulated time' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(table).toHaveAttribute('data-rows', '0');
  await expect(timelineTime(page)).toHaveText('0.000 ms');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(table).toHaveAttribute('data-rows', '2');
  const before = parseFloat((await timelineTime(page).textContent())!);
  await page.keyboard.press('PageUp');
  await expect(timelineTime(page)).toHaveText(`${(before + 100).toFixed(3)} ms`);
  // The table re-renders as a transition after the timeline moves: wait for it, then bound it.
  const rows = async (): Promise<number> => Number(await table.getAttribute('data-rows'));
  await expect.poll(rows).toBeGreaterThan(2);
  const rowsAt100 = await rows();
  expect(rowsAt100).toBeLessThan(entries);

  // Page-wide keys step entries too, and the step buttons are plain buttons.
  await page.getByRole('heading', { name: 'History up to the current moment' }).click();
  await page.keyboard.press('.');
  await expect(table).toHaveAttribute('data-rows', String(rowsAt100 + 1));
  await page.getByRole('button', { name: 'Previous entry' }).click();
  await expect(table).toHaveAttribute('data-rows', String(rowsAt100));

  // A click on a chart moves the timeline to that simulated time.
  await page.getByTestId('chart-throughput').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('chart-throughput')).toHaveAttribute('data-points', /^[1-9]\d+$/);
  const plot = page.getByTestId('chart-throughput').locator('.u-over');
  const box = (await plot.boundingBox())!;
  await plot.click({ position: { x: box.width * 0.75, y: box.height / 2 } });
  const t = await timelineTime(page).textContent();
  const ms = t!.endsWith(' s') ? parseFloat(t!) * 1000 : parseFloat(t!);
  expect(ms).toBeGreaterThan(1500);
  await expect(page.getByTestId('chart-latency').locator('canvas')).toBeVisible();
  await expect(page.getByTestId('chart-drops').locator('canvas')).toBeVisible();

  await page.getByRole('button', { name: 'Go to the end and follow' }).click();
  await table.scrollIntoViewIfNeeded();
  await expect(table).toHaveAttribute('data-rows', String(entries));
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/screenshots/playground-after-run.png' });
  await page.screenshot({ path: 'test-results/screenshots/playground-after-run-full.png', fullPage: true });

  await page.getByRole('button', { name: 'Reset' }).click();
  await table.scrollIntoViewIfNeeded();
  await expect(table).toHaveAttribute('data-rows', '0');
  await expect(page.getByTestId('pg-history-hash')).toHaveText('—');
});

test('the space-time diagram: keys select messages, hover shows the vector clock, a click shows the causal cone', async ({ page }) => {
  await page.goto('/#/playground?scenario=gossip&seed=1');
  await waitForRun(page);
  const canvas = page.getByTestId('spacetime-canvas');
  const details = page.getByTestId('spacetime-details');

  // Zoom in from the keyboard: the window narrows around the current moment.
  await page.getByRole('slider', { name: 'Simulated time' }).focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await canvas.focus();
  const fullEnd = Number(await canvas.getAttribute('data-window-end'));
  for (let i = 0; i < 5; i++) await page.keyboard.press('+');
  const windowUs = async (): Promise<number> => Number(await canvas.getAttribute('data-window-end')) - Number(await canvas.getAttribute('data-window-start'));
  await expect.poll(windowUs).toBeLessThan(fullEnd / 20);

  // Arrow keys select the next message: the details name it and the timeline moves to its send.
  await page.keyboard.press('ArrowRight');
  await expect(details).toContainText(/Message \d+, n\d → n\d, (event|digest), sent at/);
  await expect(details).toContainText('vector clock {');
  await expect(page.getByTestId('spacetime-cone')).toContainText(/Causal past: [\d,]+ messages; causal future: [\d,]+ messages\./);
  const first = await details.textContent();
  await page.keyboard.press('ArrowRight');
  await expect(details).not.toHaveText(first!);
  const sentAt = /sent at ([\d.]+ (?:ms|s))/.exec((await details.textContent())!)![1];
  await expect(timelineTime(page)).toHaveText(sentAt!);

  // Hovering the selected arrow shows its tooltip with the same endpoints and its vector clock.
  const [x, y] = (await canvas.getAttribute('data-selected-point'))!.split(',').map(Number);
  await canvas.hover({ position: { x: x!, y: y! } });
  const tooltip = page.getByTestId('spacetime-tooltip');
  await expect(tooltip).toBeVisible();
  const ends = /(n\d) → (n\d)/.exec((await details.textContent())!)!;
  await expect(tooltip).toContainText(`${ends[1]} → ${ends[2]}`);
  await expect(tooltip).toContainText(/vc \{n\d:\d+/);
  await page.screenshot({ path: 'test-results/screenshots/playground-hover.png' });

  // A click on an arrow selects it (and its cone); on empty canvas it selects a point in a lane.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('spacetime-cone')).toHaveCount(0);
  await canvas.click({ position: { x: x!, y: y! } });
  await expect(details).toContainText(`${ends[1]} → ${ends[2]}`);
  const cone = (await page.getByTestId('spacetime-cone').textContent())!;
  const [past, future] = [...cone.matchAll(/(\d[\d,]*) messages/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
  expect(past! + future!).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screenshots/playground-causal.png' });

  await page.getByRole('button', { name: 'Fit' }).click();
  await expect(canvas).toHaveAttribute('data-window-start', '0');
});

test('the console filters by node, level and text', async ({ page }) => {
  await page.goto('/#/playground?scenario=gossip&seed=1');
  await waitForRun(page);
  await page.getByTestId('console-lines').scrollIntoViewIfNeeded();
  const lines = page.getByTestId('console-lines').getByRole('listitem');
  await expect(lines.first()).toBeVisible();
  const all = await lines.count();
  expect(all).toBeGreaterThan(3);
  await page.getByRole('checkbox', { name: 'system' }).uncheck();
  await expect(lines).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'system' }).check();
  await page.getByRole('group', { name: 'Console filters' }).getByLabel('Text').fill('phase');
  await expect(lines).toHaveCount(2);
  await expect(lines.first()).toContainText('phase chaos begins');
  await expect(lines.last()).toContainText('phase heal begins');
  await lines.last().getByRole('button').click();
  await expect(timelineTime(page)).toHaveText('3.000000 s');
});
