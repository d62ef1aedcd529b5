import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { KAFKA_STARTER } from '../../src/labs/playground/starters';
import { readabilityProblems } from './readability';
import { expect, test, timelineTime } from './ui-helpers';

/**
 * The playground's broker families: pick Kafka or RabbitMQ, build a topology in the form, run the
 * starter code in the sandbox, and study the run in the same views, with faults from the panel.
 * The page's history hash equals the CLI's for the same topology, code, seed and faults.
 */
test.setTimeout(4 * 60_000);
const RUN_MS = 90_000;
/** The page's text and the form's fields (inputs and selects count with their value). */
const PLAYGROUND_TEXT = 'main p, main label, main li, main dt, main dd, main h2, main h3, main button, main option, main legend, main select, main input';

/** The CLI's historyHash for a playground run: the Node host running the same engine. */
function cliPlaygroundHash(config: unknown, seed: number, faults?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'brokerlab-pg-'));
  writeFileSync(join(dir, 'playground.json'), JSON.stringify(config));
  const args = ['bin/brokerlab.js', 'playground', '--config', join(dir, 'playground.json'), '--seed', String(seed), '--json'];
  if (faults !== undefined) {
    writeFileSync(join(dir, 'faults.json'), JSON.stringify(faults));
    args.push('--faults', join(dir, 'faults.json'));
  }
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })).historyHash;
}

async function waitForRun(page: Page): Promise<string> {
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled({ timeout: RUN_MS });
  const hash = page.getByTestId('pg-history-hash');
  await expect(hash).toHaveText(/^[0-9a-f]{16}$/, { timeout: RUN_MS });
  return (await hash.textContent())!;
}

/** The topology the address carries (base64url JSON). */
function topologyOf(url: string): unknown {
  const q = new URL(url.replace('#/playground', '/playground')).searchParams;
  return JSON.parse(Buffer.from(q.get('topology')!, 'base64url').toString('utf8'));
}

/** The diagram's lanes, top to bottom: click each lane away from the arrows and read the diagram's own description. */
async function laneNames(page: Page, canvas: Locator, lanes: number): Promise<string[]> {
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const laneHeight = lanes <= 6 ? 46 : lanes <= 12 ? 34 : 26;
  const names: string[] = [];
  for (let lane = 0; lane < lanes; lane++) {
    const y = 34 + (lane + 0.5) * laneHeight;
    let name = '?';
    for (const fx of [0.27, 0.33, 0.45, 0.6, 0.75, 0.9]) {
      await canvas.click({ position: { x: box.width * fx, y } });
      const m = /^(\S+) at /.exec((await page.getByTestId('spacetime-details').textContent()) ?? '');
      if (m) {
        name = m[1]!;
        break;
      }
    }
    names.push(name);
  }
  await page.keyboard.press('Escape');
  return names;
}

/** Boxes of the topology form's fields that overlap one another (labels, inputs, problems). */
async function overlaps(form: Locator): Promise<string[]> {
  return form.evaluate((root) => {
    const els = [...root.querySelectorAll('.pg-field, .pg-check-field, .pg-section-head, legend, .pg-remove')].filter((e) => (e as HTMLElement).offsetParent !== null);
    const rects = els.map((e) => e.getBoundingClientRect());
    const out: string[] = [];
    for (let i = 0; i < rects.length; i++)
      for (let k = i + 1; k < rects.length; k++) {
        if (els[i]!.contains(els[k]!) || els[k]!.contains(els[i]!)) continue;
        const a = rects[i]!;
        const b = rects[k]!;
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${els[i]!.textContent?.slice(0, 25)} / ${els[k]!.textContent?.slice(0, 25)}`);
      }
    return out;
  });
}

test('Kafka: a topology from the form and the starter code stream into every view; the hash matches the CLI; a broker crash from the fault panel goes with the rerun', async ({ page, context }) => {
  await page.goto('/#/playground');
  await page.getByLabel('Broker family').selectOption('kafka');
  await expect(page).toHaveURL(/#\/playground\?family=kafka&seed=1$/);
  const editor = page.getByTestId('code-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // The starter type-checks against the family's generated .d.ts.
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });

  const topology = page.getByTestId('pg-topology');
  await topology.getByLabel('Brokers').fill('3');
  await topology.getByLabel('Partitions').fill('3');
  // A replication factor the cluster cannot hold is named at its field, and nothing runs.
  await topology.getByLabel('Replication factor').fill('4');
  await expect(topology.getByText('is 4, but the cluster has 3 brokers: each replica needs its own broker (Kafka: INVALID_REPLICATION_FACTOR)')).toBeVisible();
  await expect(topology.getByLabel('Replication factor')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('pg-topology-status')).toHaveText('1 problem to fix before a run.');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-error')).toContainText('Topic 1 ("orders"), replication factor: is 4, but the cluster has 3 brokers');
  await expect(page.getByTestId('pg-history-hash')).toHaveText('—');
  await topology.getByLabel('Replication factor').fill('3');
  await expect(page.getByTestId('pg-topology-status')).toHaveText('Ready to run.');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('pg-history-hash')).toHaveText('running…');
  const hash = await waitForRun(page);
  const entries = Number((await page.getByTestId('pg-entries').textContent())!.replace(/,/g, ''));
  expect(entries).toBeGreaterThan(1000);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  const config = topologyOf(page.url());
  expect(config).toMatchObject({ family: 'kafka', brokers: 3, topics: [{ name: 'orders', partitions: 3, replicationFactor: 3 }] });
  expect(hash, 'npx brokerlab playground --config playground.json --seed 1').toBe(cliPlaygroundHash(config, 1));
  await expect(page.getByTestId('pg-repro')).toHaveText('npx brokerlab playground --config playground.json --code handler.ts --seed 1');

  // What happened to the messages: every acknowledged order handled by the group, once.
  const checks = page.getByTestId('pg-checks');
  await expect(checks.locator('[data-check]')).toHaveCount(2);
  await expect(checks.locator('[data-state="holds"]')).toHaveCount(2);
  await expect(checks).toContainText('40 messages sent to orders, 40 acknowledged; group billing handled every acknowledged one');

  // The views: a lane and a topology node for each broker and client, the history streamed whole.
  const canvas = page.getByTestId('spacetime-canvas');
  await expect(canvas).toHaveAttribute('aria-label', /^Space-time diagram of 8 nodes/);
  expect(await laneNames(page, canvas, 8)).toEqual(['controller', 'b1', 'b2', 'b3', 'admin', 'producer-1', 'billing-1', 'billing-2']);
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  for (const n of ['b1', 'b2', 'b3', 'producer-1', 'billing-1', 'billing-2']) await expect(page.locator(`[data-node="${n}"]`)).toBeVisible();
  // Clicking lanes moved the moment; at the end the table has every entry the run streamed.
  await page.getByRole('button', { name: 'Go to the end and follow' }).click();
  await page.getByTestId('history-table').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('history-table')).toHaveAttribute('data-rows', String(entries));
  const consoleLines = page.getByTestId('console-lines');
  await consoleLines.scrollIntoViewIfNeeded();
  await page.getByRole('group', { name: 'Console filters' }).getByLabel('Text').fill('sent 40 orders');
  await expect(consoleLines.getByRole('listitem')).toHaveCount(1);
  await expect(consoleLines.getByRole('listitem').first()).toContainText('producer-1');

  await page.evaluate(() => window.scrollTo(0, 0));
  expect(await readabilityProblems(page, PLAYGROUND_TEXT)).toEqual([]);
  expect(await overlaps(topology)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/playground-kafka.png' });
  await page.screenshot({ path: 'test-results/screenshots/playground-kafka-full.png', fullPage: true });
  await page.getByRole('region', { name: 'Run result' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'test-results/screenshots/playground-kafka-results.png' });

  // Crash a broker from the fault panel and run again: a different history, the same as the CLI's.
  await page.getByLabel('Fault', { exact: true }).selectOption('crash');
  await page.getByLabel('At (ms)').fill('500');
  await page.getByLabel('Node', { exact: true }).selectOption('b1');
  await page.getByRole('button', { name: 'Add to schedule' }).click();
  await expect(page.getByTestId('fault-schedule').getByRole('listitem')).toHaveCount(1);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('pg-history-hash')).toHaveText('running…');
  const crashed = await waitForRun(page);
  expect(crashed).not.toBe(hash);
  const faults = [{ at: 500, kind: 'crash', node: 'b1' }];
  expect(crashed, 'the same crash through the CLI gives the same history').toBe(cliPlaygroundHash(config, 1, faults));
  await expect(page.getByTestId('pg-repro')).toContainText('--faults faults.json');
  await page.getByRole('group', { name: 'Console filters' }).getByLabel('Text').fill('');
  await page.getByRole('group', { name: 'Console filters' }).getByLabel('Node').selectOption('b1');
  await consoleLines.getByRole('button', { name: /crash: volatile state lost/ }).first().click();
  await expect(timelineTime(page)).toHaveText('500.000 ms');
  await page.getByTestId('topology').scrollIntoViewIfNeeded();
  await expect(page.locator('[data-node="b1"]')).toHaveAttribute('data-life', 'crashed');
  // With three replicas and min.insync.replicas 2, the group still handles every acknowledged order.
  await expect(checks.locator('[data-check="billing-handled-every-acked"]')).toHaveAttribute('data-state', 'holds');

  // The address reproduces the run: topology, seed, faults and all.
  const other = await context.newPage();
  await other.goto(page.url());
  await expect(other.getByLabel('Broker family')).toHaveValue('kafka');
  expect(await waitForRun(other)).toBe(crashed);
  await expect(other.getByTestId('fault-schedule').getByRole('listitem')).toHaveCount(1);
  await other.close();
});

test('RabbitMQ: exchanges, queues and bindings from the form; the starter publishes with confirms and both consumers ack', async ({ page }) => {
  await page.goto('/#/playground');
  await page.getByLabel('Broker family').selectOption('rabbitmq');
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });
  const topology = page.getByTestId('pg-topology');
  // A dead-letter exchange must be one of the exchanges: remove orders.dlx and the queue says so.
  await topology.getByRole('button', { name: 'Remove exchange 2' }).click();
  await expect(topology.getByText('must be "" (none) or one of the exchanges ("orders"); got "orders.dlx"')).toBeVisible();
  await expect(page.getByTestId('pg-topology-status')).toHaveText('2 problems to fix before a run.');
  await topology.getByRole('button', { name: 'Default topology' }).click();
  await expect(page.getByTestId('pg-topology-status')).toHaveText('Ready to run.');
  await topology.getByLabel('Messages to send').fill('30');

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const hash = await waitForRun(page);
  const config = topologyOf(page.url());
  expect(config).toMatchObject({ family: 'rabbitmq', nodes: 1, producers: [{ messages: 30 }] });
  expect(hash).toBe(cliPlaygroundHash(config, 1));
  const checks = page.getByTestId('pg-checks');
  await expect(checks.locator('[data-state="holds"]')).toHaveCount(2);
  await expect(checks).toContainText('30 messages sent, 30 acknowledged; the consumers handled every acknowledged one');
  const canvas = page.getByTestId('spacetime-canvas');
  await expect(canvas).toHaveAttribute('aria-label', /^Space-time diagram of 5 nodes/);
  expect(await laneNames(page, canvas, 5)).toEqual(['rabbit1', 'admin', 'producer-1', 'orders-1', 'orders-2']);
  await page.evaluate(() => window.scrollTo(0, 0));
  expect(await readabilityProblems(page, PLAYGROUND_TEXT)).toEqual([]);
  expect(await overlaps(topology)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/playground-rabbitmq.png' });
  await page.screenshot({ path: 'test-results/screenshots/playground-rabbitmq-full.png', fullPage: true });
});

test('a syntax error is marked inline at its line and nothing runs; edits are autosaved and back after a reload', async ({ page }) => {
  await page.goto('/#/playground?family=kafka');
  const editor = page.getByTestId('code-editor');
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('editor-problems')).toHaveText('No problems.', { timeout: 60_000 });
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('export const broken = ;');
  const line = KAFKA_STARTER.split('\n').length;
  await expect(page.getByTestId('save-status')).toHaveText(/^Saved at /, { timeout: 10_000 });

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-error')).toContainText(new RegExp(`handler\\.ts:${line}:\\d+ SyntaxError`), { timeout: RUN_MS });
  await expect(page.getByTestId('editor-problems')).toContainText(`Line ${line}`);
  await expect(editor.locator('.squiggly-error').first()).toBeAttached();
  await expect(page.getByTestId('pg-history-hash')).toHaveText('—');
  await expect(page.getByTestId('pg-entries')).toHaveText('—');
  await page.getByTestId('history-table').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('history-table')).toHaveAttribute('data-rows', '0');
  await page.getByRole('heading', { name: 'Your code' }).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: 'test-results/screenshots/playground-kafka-syntax-error.png' });

  // The edit was saved: opening the playground afresh (not the run's address, which carries the
  // code itself) shows it.
  await page.goto('about:blank');
  await page.goto('/#/playground?family=kafka');
  await expect(page.getByLabel('Broker family')).toHaveValue('kafka');
  await expect(editor.locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  // The editor draws only the lines in view: go to the end, where the edit was.
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await expect.poll(async () => ((await editor.locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' '), { timeout: 15_000 }).toContain('export const broken = ;');

  // A link carries its own code and runs it: an exception in handleMessage is marked at its line
  // with its node, and the learner's own saved code is offered back, not overwritten.
  const throwing = KAFKA_STARTER.replace("const order = JSON.parse(message.value ?? '{}') as Order;", "const order = JSON.parse(message.value ?? '{}') as Order;\n  if (order.orderId.endsWith('-7')) throw new Error('seven is cursed');");
  const throwLine = throwing.split('\n').findIndex((l) => l.includes('seven is cursed')) + 1;
  const topologyParam = Buffer.from(JSON.stringify({ family: 'kafka', brokers: 1, topics: [{ name: 'orders', partitions: 1, replicationFactor: 1, 'min.insync.replicas': 1 }], producers: [{ count: 1, topic: 'orders', acks: 'all', 'enable.idempotence': true, messages: 10, keyed: false }], groups: [{ 'group.id': 'billing', topic: 'orders', members: 1, 'enable.auto.commit': false }] })).toString('base64url');
  await page.goto('about:blank');
  await page.goto(`/#/playground?family=kafka&seed=2&topology=${topologyParam}&code=${Buffer.from(throwing).toString('base64url')}`);
  await waitForRun(page);
  await expect(page.getByTestId('editor-problems')).toContainText(`Line ${throwLine}`, { timeout: 30_000 });
  await expect(page.getByTestId('editor-problems')).toContainText('seven is cursed');
  await expect(page.getByTestId('editor-problems')).toContainText('(on billing-1)');
  await expect(page.getByTestId('pg-checks').locator('[data-check="billing-handled-every-acked"]')).toHaveAttribute('data-state', 'broken');
  // As with KafkaJS, the failed record is retried and holds up its partition: 7 and the three after it.
  await expect(page.getByTestId('pg-checks')).toContainText('10 acknowledged; group billing never finished 4 of them');
  await page.getByRole('button', { name: 'Use my saved code' }).click();
  await editor.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await expect.poll(async () => ((await editor.locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' '), { timeout: 15_000 }).toContain('export const broken = ;');
});

test('a crowded topology (23 nodes): names beside their nodes, captions only for brokers and only where they fit', async ({ page }) => {
  const config = {
    family: 'kafka',
    brokers: 5,
    topics: [{ name: 'orders', partitions: 6, replicationFactor: 3, 'min.insync.replicas': 2 }],
    producers: [
      { count: 5, topic: 'orders', acks: 'all', 'enable.idempotence': true, messages: 20, keyed: true },
      { count: 3, topic: 'orders', acks: '1', 'enable.idempotence': false, messages: 10, keyed: false },
    ],
    groups: [
      { 'group.id': 'billing', topic: 'orders', members: 5, 'enable.auto.commit': false },
      { 'group.id': 'audit', topic: 'orders', members: 3, 'enable.auto.commit': false },
    ],
  };
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.goto(`/#/playground?family=kafka&seed=2&topology=${Buffer.from(JSON.stringify(config)).toString('base64url')}`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitForRun(page);
  const svg = page.getByTestId('topology');
  // The view draws when on screen; keep it clear of the sticky timeline.
  await svg.evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 300));
  await expect(svg.locator('[data-node]')).toHaveCount(23);
  await expect(svg.locator('[data-caption-shown="true"]').first()).toBeVisible();
  // Every name is drawn beside its node, none on it.
  await expect(svg.locator('.node-name-beside')).toHaveCount(23);
  // Only brokers are captioned, and the captions drawn do not overlap any name or each other.
  const captioned = await svg.locator('[data-caption-shown="true"]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-node')));
  expect(captioned.length).toBeGreaterThan(0);
  for (const node of captioned) expect(node).toMatch(/^b\d$/);
  const boxes = await svg.locator('.node-caption, .node-name-beside').evaluateAll((ts) => ts.map((t) => { const r = t.getBoundingClientRect(); return { text: t.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; }));
  const captions = boxes.filter((b) => /^(leads|follows)/.test(b.text ?? ''));
  for (const c of captions) for (const o of boxes) if (o !== c) expect(c.x0 < o.x1 && o.x0 < c.x1 && c.y0 < o.y1 && o.y0 < c.y1, `${c.text} overlaps ${o.text}`).toBe(false);
  await svg.screenshot({ path: 'test-results/screenshots/topology-crowded.png' });
});
