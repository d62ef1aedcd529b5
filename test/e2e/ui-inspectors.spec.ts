import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { KafkaFigures, ModelFigures, RabbitFigures } from './model-figures';
import { readabilityProblems } from './readability';
import { expect, test, timelineTime } from './ui-helpers';

/**
 * The inspectors on the lab page show what the brokers' own inspectors report. The same lab, code
 * and seed run in Node (test/e2e/model-figures.ts reads `KafkaCluster.inspect()` and
 * `RabbitCluster.queues()` / `deadLetters()` at the end and at one moment of the run); the page
 * runs it in its worker, and its inspectors — folded from the streamed history alone — must show
 * the same figures at the end and after scrubbing the timeline back to that moment.
 */

const RUN_MS = 120_000;
/** The inspectors' and the topology list's text (lab-a11y's rule, inside one panel). */
const INSPECTOR_TEXT = 'p, label, li, h2, h3, th, td, button, summary, span, code';
test.setTimeout(6 * 60_000);

function labDir(id: string): string {
  const labs = JSON.parse(execFileSync(process.execPath, ['bin/brokerlab.js', 'labs', '--json'], { encoding: 'utf8' })) as { id: string; dir: string }[];
  return labs.find((l) => l.id === id)!.dir;
}

function modelFigures(lab: string, codeFile: string, seed: number, atMs: number): ModelFigures {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/e2e/model-figures.ts', lab, codeFile, String(seed), String(atMs)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = JSON.parse(out) as ModelFigures;
  // Scrubbing to a time shows every entry up to it; the model was read at that time between two
  // events. The comparison is exact only if no entry after the reading shares its microsecond.
  expect(m.at.seq, `no entry at exactly ${atMs} ms after the model was read`).toBe(m.at.seqAtTime);
  return m;
}

/** Replaces the editor's program from the keyboard (clipboard, Ctrl+A, Ctrl+V), as lab-flow does. */
async function replaceCode(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

async function runSolution(page: Page, lab: string, solution: string): Promise<string> {
  await page.goto(`/#/lab/${lab}`);
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await replaceCode(page, solution);
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });
  await expect(page.getByLabel('Seed')).toHaveValue('1');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: RUN_MS });
  const hash = page.getByTestId('lab-history-hash');
  await expect(hash).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
  return (await hash.textContent())!;
}

/** Scrubs the shared timeline to `ms` of simulated time from the keyboard: Home, then Page Up (100 ms each). */
async function scrubTo(page: Page, ms: number): Promise<void> {
  const slider = page.getByRole('slider', { name: 'Simulated time' });
  await slider.focus();
  await page.keyboard.press('Home');
  for (let t = 0; t < ms; t += 100) await page.keyboard.press('PageUp');
  await expect(timelineTime(page)).toHaveText(`${(ms / 1000).toFixed(6)} s`);
}

/** A screenshot of the whole topology panel, in a viewport tall enough to show it under the sticky timeline. */
async function topologyScreenshot(page: Page, path: string): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: 1500 });
  const panel = page.locator('section.topology');
  await showTop(page, panel);
  const box = (await panel.boundingBox())!;
  await page.screenshot({ path, clip: { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 } });
  await page.setViewportSize(size);
}

/** Scrolls so the element's top sits just under the sticky timeline, for a screenshot of it. */
async function showTop(page: Page, el: Locator): Promise<void> {
  await el.evaluate((e) => e.scrollIntoView({ block: 'start' }));
  const timelineBottom = await page.locator('.timeline').evaluate((t) => t.getBoundingClientRect().bottom);
  await page.evaluate((dy) => window.scrollBy(0, -dy), timelineBottom + 12);
}

/** The partition rows the Kafka inspector shows, as the model's figures are shaped. */
async function shownPartitions(inspector: Locator): Promise<KafkaFigures['partitions']> {
  return inspector.locator('tr[data-tp]').evaluateAll((rows) =>
    rows.map((r) => {
      const d = (r as HTMLElement).dataset;
      const tp = d.tp!;
      const cut = tp.lastIndexOf('-');
      return {
        topic: tp.slice(0, cut),
        partition: Number(tp.slice(cut + 1)),
        leader: d.leader === '' ? null : d.leader!,
        leaderEpoch: Number(d.epoch),
        isr: d.isr === '' ? [] : d.isr!.split(','),
        highWatermark: Number(d.hw),
        logEndOffset: Number(d.leo),
      };
    }),
  );
}

function expectedPartitions(f: KafkaFigures, internal: boolean) {
  return f.partitions
    .filter((p) => internal || !p.topic.startsWith('__'))
    .map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, highWatermark: p.highWatermark, logEndOffset: p.logEndOffset }));
}

async function expectGroups(page: Page, f: KafkaFigures): Promise<void> {
  const panel = page.getByTestId('group-inspector');
  // Views off screen stop following the run and catch up when scrolled to (use-on-screen.ts):
  // read the panel as a learner would, on screen. Off screen it may still show an earlier moment.
  await panel.scrollIntoViewIfNeeded();
  for (const g of f.groups) {
    const el = panel.locator(`[data-group="${g.groupId}"]`);
    await expect(el).toHaveAttribute('data-state', g.state);
    await expect(el).toHaveAttribute('data-generation', String(g.generation));
    await expect(el).toHaveAttribute('data-lag', String(g.totalLag));
    await expect(el.locator('tr[data-member]')).toHaveCount(g.members);
  }
}

test('Kafka: partitions and groups on the lab page equal KafkaCluster.inspect(), at the end and scrubbed back', async ({ page }) => {
  const lab = 'keys-and-ordering';
  const dir = labDir(lab);
  const atMs = 2_300;
  const model = modelFigures(lab, `${dir}/solution.ts`, 1, atMs);
  expect(model.broker).toBe('kafka');
  const end = model.end as KafkaFigures;
  const at = model.at.figures as KafkaFigures;

  const hash = await runSolution(page, lab, readFileSync(`${dir}/solution.ts`, 'utf8'));
  expect(hash, 'the page ran the same history as Node').toBe(model.historyHash);

  const inspector = page.getByTestId('kafka-inspector');
  await inspector.scrollIntoViewIfNeeded();
  // Only the brokers the run used get an inspector.
  await expect(page.getByTestId('amqp-inspector')).toHaveCount(0);
  await expect(inspector.locator('tr[data-tp]').first()).toBeVisible();
  // The end of the run: every high watermark is the count of records the partition committed.
  await expect.poll(() => shownPartitions(inspector)).toEqual(expectedPartitions(end, false));
  expect(end.partitions.filter((p) => !p.topic.startsWith('__')).reduce((n, p) => n + p.highWatermark, 0)).toBeGreaterThan(0);
  await expectGroups(page, end);
  await showTop(page, inspector);
  await page.screenshot({ path: 'test-results/screenshots/inspectors-kafka.png' });
  await showTop(page, page.getByTestId('group-inspector'));
  await page.screenshot({ path: 'test-results/screenshots/inspectors-kafka-groups.png' });
  expect(await readabilityProblems(page.getByTestId('inspectors'), INSPECTOR_TEXT)).toEqual([]);

  // The topology says which broker leads partition 0 — the one inspect() names — and no other does.
  const p0 = end.partitions.find((p) => !p.topic.startsWith('__') && p.partition === 0)!;
  expect(p0.leader).not.toBeNull();
  const roles = page.getByTestId('topology-roles');
  const leadsP0 = new RegExp(`(^| )${p0.topic}-0( |$)`);
  await expect(roles.locator(`[data-role-node="${p0.leader}"]`)).toHaveAttribute('data-leads', leadsP0);
  await expect(roles.locator(`[data-role-node="${p0.leader}"]`)).toContainText(`${p0.topic}: leads 0 ★`);
  expect(await roles.locator('[data-leads]').evaluateAll((els, re) => els.filter((e) => new RegExp(re).test((e as HTMLElement).dataset.leads!)).length, leadsP0.source)).toBe(1);
  await expect(page.locator(`[data-node="${p0.leader}"]`)).toHaveAttribute('data-caption', /^leads \d+$/);
  await topologyScreenshot(page, 'test-results/screenshots/topology-kafka.png');
  expect(await readabilityProblems(page.locator('section.topology'), INSPECTOR_TEXT)).toEqual([]);

  // Internal topics on: __consumer_offsets, where the group's commits are written, agrees too.
  const internal = inspector.getByLabel('Internal topics');
  // Centred, so the sticky timeline does not cover it.
  await internal.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await internal.check();
  await expect.poll(() => shownPartitions(inspector)).toEqual(expectedPartitions(end, true));
  await internal.uncheck();

  // Scrub back: the figures follow the timeline, and equal the model's at that moment.
  await scrubTo(page, atMs);
  await showTop(page, inspector);
  await expect.poll(() => shownPartitions(inspector)).toEqual(expectedPartitions(at, false));
  const sum = (f: KafkaFigures['partitions']): number => f.filter((p) => !p.topic.startsWith('__')).reduce((n, p) => n + p.highWatermark, 0);
  expect(sum(at.partitions)).toBeLessThan(sum(end.partitions));
  await expectGroups(page, at);
  await page.screenshot({ path: 'test-results/screenshots/inspectors-kafka-scrubbed.png' });

  // Before the topic exists there is nothing to show. (Back to the partitions panel: the groups
  // check scrolled it away, and a view off screen does not follow the timeline.)
  await showTop(page, inspector);
  await page.getByRole('slider', { name: 'Simulated time' }).focus();
  await page.keyboard.press('Home');
  await expect(inspector).toContainText('No topic yet at this moment.');

  // A partition's number jumps to the entry that last changed its row.
  await page.keyboard.press('End');
  // In CI the inspector was off screen by now and so still showed the start: a view catches up
  // only once scrolled to, and the row to click exists only once it has.
  await showTop(page, inspector);
  const row = inspector.locator('tr[data-tp]').first();
  await row.getByRole('button').click();
  const label = (await row.getByRole('button').getAttribute('aria-label'))!;
  const seq = Number(/entry (\d+)\)/.exec(label)![1]);
  await expect(page.getByRole('slider', { name: 'Simulated time' })).toHaveAttribute('aria-valuetext', new RegExp(`entry ${(seq + 1).toLocaleString('en')} of`));
});

test('RabbitMQ: queues and dead letters with x-death on the lab page equal RabbitCluster.queues() / deadLetters()', async ({ page }) => {
  const lab = 'poison-messages';
  const dir = labDir(lab);
  const atMs = 3_000;
  const model = modelFigures(lab, `${dir}/solution.ts`, 1, atMs);
  expect(model.broker).toBe('rabbitmq');
  const end = model.end as RabbitFigures;
  const at = model.at.figures as RabbitFigures;

  const hash = await runSolution(page, lab, readFileSync(`${dir}/solution.ts`, 'utf8'));
  expect(hash, 'the page ran the same history as Node').toBe(model.historyHash);

  const inspector = page.getByTestId('amqp-inspector');
  await inspector.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('kafka-inspector')).toHaveCount(0);
  const shownQueues = (): Promise<RabbitFigures['queues']> =>
    inspector.locator('tr[data-queue]').evaluateAll((rows) => rows.map((r) => ({ name: (r as HTMLElement).dataset.queue!, ready: Number((r as HTMLElement).dataset.ready), unacked: Number((r as HTMLElement).dataset.unacked) })));
  const byName = (q: RabbitFigures['queues']) => q.slice().sort((a, b) => a.name.localeCompare(b.name));
  await expect.poll(async () => byName(await shownQueues())).toEqual(byName(end.queues));
  await expect(page.getByTestId('dead-letter-count')).toContainText(`Dead-lettered messages: ${end.deadLetters}`);
  expect(end.deadLetters).toBeGreaterThan(0);

  // The newest dead letter opens to the x-death its copy carries (the model also shows
  // original-expiration, a message property the history does not record).
  const newest = inspector.locator('[data-dead-letter]').first();
  await expect(newest).toHaveAttribute('data-dead-letter', end.lastDeadLetter!.id);
  await newest.locator('summary').click();
  const xDeathRows = newest.locator('table.x-death tbody tr');
  const want = end.lastDeadLetter!.xDeath.map((x) => [x.queue, x.reason, String(x.count), x.exchange === '' ? '"" (default)' : String(x.exchange), (x['routing-keys'] as string[]).join(', '), String((x.time as { value: number }).value)]);
  await expect.poll(() => xDeathRows.evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent!.trim())))).toEqual(want);
  await showTop(page, page.getByTestId('dead-letter-count'));
  await page.screenshot({ path: 'test-results/screenshots/inspectors-rabbitmq-x-death.png' });
  await showTop(page, inspector);
  await page.screenshot({ path: 'test-results/screenshots/inspectors-rabbitmq.png' });
  expect(await readabilityProblems(page.getByTestId('inspectors'), INSPECTOR_TEXT)).toEqual([]);

  // The topology puts every queue on one broker node, and lists the exchanges that routed to them.
  const roles = page.getByTestId('topology-roles');
  for (const q of end.queues) {
    const on = roles.locator('[data-queues]');
    expect(await on.evaluateAll((els, name) => els.filter((e) => (e as HTMLElement).dataset.queues!.split(' ').includes(name)).map((e) => (e as HTMLElement).dataset.roles), q.name), q.name).toEqual(['broker']);
  }
  await expect(roles.locator('[data-exchange]').first()).toBeVisible();
  await topologyScreenshot(page, 'test-results/screenshots/topology-rabbitmq.png');
  expect(await readabilityProblems(page.locator('section.topology'), INSPECTOR_TEXT)).toEqual([]);

  // Scrub back to 3 s: retries are waiting in their TTL queues, and fewer have been dead-lettered.
  await scrubTo(page, atMs);
  await showTop(page, inspector);
  await expect.poll(async () => byName(await shownQueues())).toEqual(byName(at.queues));
  await expect(page.getByTestId('dead-letter-count')).toContainText(`Dead-lettered messages: ${at.deadLetters}`);
  expect(at.deadLetters).toBeLessThan(end.deadLetters);
  expect(at.queues.some((q) => q.ready > 0)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/inspectors-rabbitmq-scrubbed.png' });
});
