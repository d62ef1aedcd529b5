import type { Page } from '@playwright/test';
import { expect, test } from './ui-helpers';

declare global {
  interface Window {
    __longTasks: { startMs: number; durationMs: number }[];
    __frameGapsMs: number[];
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args: { name?: string };
}

/**
 * Traces the main thread's tasks with their CPU time beside their wall time. On a shared machine
 * a task's wall time includes time the thread was not running at all; its CPU time is the page's
 * own work. A failure message carries both, so a reader can tell a slow page from a busy machine.
 */
async function traceMainThreadTasks(page: Page): Promise<() => Promise<{ wallMs: number; cpuMs: number }[]>> {
  const cdp = await page.context().newCDPSession(page);
  // As a stream read at the end: nothing is shipped out of the page while the run is measured.
  await cdp.send('Tracing.start', { categories: 'toplevel', transferMode: 'ReturnAsStream' });
  return async () => {
    const done = new Promise<{ stream?: string }>((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    const { stream } = await done;
    let text = '';
    for (let eof = false; !eof && stream; ) {
      const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
      text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
      eof = chunk.eof;
    }
    if (stream) await cdp.send('IO.close', { handle: stream });
    const parsed = JSON.parse(text) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
    const main = events.find((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain');
    return events
      .filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask')
      .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? 0) / 1000 }));
  };
}


test('a 20-node gossip run streams over 100k entries with no main-thread task over 50 ms', async ({ page }) => {
  test.setTimeout(120_000);
  await page.addInitScript(() => {
    window.__longTasks = [];
    window.__frameGapsMs = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ startMs: e.startTime, durationMs: e.duration });
    }).observe({ entryTypes: ['longtask'] });
    // Frame gaps show how long the page went without painting, below the long-task threshold too.
    let last = 0;
    const frame = (t: number): void => {
      if (last) window.__frameGapsMs.push(t - last);
      last = t;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  await page.goto('/#/playground');
  // A first visit installs the app for offline use: the service worker fetches and caches every
  // asset (tens of megabytes) on a thread of its own. That is a one-off, and on two cores it would
  // take the CPU from the page while the run is measured, so the measurement starts once it is done.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.getByLabel('Scenario').selectOption('gossip');
  await page.getByLabel('Seed').fill('3');
  await page.getByRole('textbox', { name: 'Nodes' }).fill('20');
  await expect(page.getByLabel('Node', { exact: true })).toContainText('n20');
  await page.waitForTimeout(500);

  // Found before the measured window; a handle clicks without querying the page again.
  const runButton = (await page.getByRole('button', { name: 'Run', exact: true }).elementHandle())!;
  const stopTrace = await traceMainThreadTasks(page);
  const startMs = await page.evaluate(() => {
    window.__frameGapsMs.length = 0;
    return performance.now();
  });
  // Inside the measured window the test only uses cheap CSS queries: a role or text query walks
  // the whole page to compute accessible names, and its polling would be a long task of the test's
  // own making, not the page's.
  await runButton.click();
  // While it streams, the page keeps painting: the live badge and a growing count show it.
  await expect(page.locator('.live-badge')).toHaveText('live');
  await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid=pg-history-hash]')?.textContent ?? ''), null, { timeout: 60_000, polling: 250 });
  const { endMs, longTasks, gaps } = await page.evaluate(() => ({ endMs: performance.now(), longTasks: window.__longTasks, gaps: window.__frameGapsMs }));
  const tasks = await stopTrace();

  const entries = Number((await page.getByTestId('pg-entries').textContent())!.replace(/,/g, ''));
  expect(entries).toBeGreaterThan(100_000);
  await expect(page.getByTestId('spacetime-sampled')).toBeVisible();

  const during = longTasks.filter((t) => t.startMs >= startMs && t.startMs <= endMs);
  const sortedGaps = [...gaps].sort((a, b) => a - b);
  const cpu = tasks.map((t) => t.cpuMs).sort((a, b) => a - b);
  const report = {
    entries,
    streamMs: Math.round(endMs - startMs),
    longTasks: during.length,
    longestTaskMs: Math.round(Math.max(0, ...during.map((t) => t.durationMs))),
    frames: gaps.length,
    frameGapP50Ms: Math.round(sortedGaps[Math.floor(sortedGaps.length / 2)] ?? 0),
    frameGapMaxMs: Math.round(sortedGaps[sortedGaps.length - 1] ?? 0),
    tracedTasks: tasks.length,
    taskCpuP99Ms: +(cpu[Math.floor(cpu.length * 0.99)] ?? 0).toFixed(1),
    taskCpuMaxMs: +(cpu[cpu.length - 1] ?? 0).toFixed(1),
    tasksWallOver50WithCpuUnder50: tasks.filter((t) => t.wallMs > 50 && t.cpuMs <= 50).length,
  };
  console.log(`streaming report: ${JSON.stringify(report)}`);
  test.info().annotations.push({ type: 'streaming', description: JSON.stringify(report) });
  await page.screenshot({ path: 'test-results/screenshots/playground-20-nodes.png' });
  expect(during, `long tasks while streaming: ${JSON.stringify(during)}; ${JSON.stringify(report)}`).toEqual([]);

  // Views below the fold skipped the stream; scrolled to, they catch up with the whole run.
  await page.getByTestId('history-table').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('history-table')).toHaveAttribute('data-rows', String(entries));
  await page.getByTestId('spacetime-canvas').scrollIntoViewIfNeeded();

  // Selecting a message computes its causal cone over the whole run without freezing the page.
  const canvas = page.getByTestId('spacetime-canvas');
  await canvas.focus();
  for (let i = 0; i < 8; i++) await page.keyboard.press('+');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('spacetime-cone')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/playground-20-nodes-zoomed.png' });
});
