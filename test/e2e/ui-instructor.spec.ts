import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { readabilityProblems } from './readability';
import { expect, test } from './ui-helpers';

/**
 * The learner's submission export and import on the catalog, and the instructor page: an
 * exported file is graded by the CLI and by the page with the same results (grades.csv byte for
 * byte), bad files get the grader's own messages, and "Open run" replays a learner's graded run
 * on the lab page, read-only, with the graded run's history hash.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(6 * 60_000);

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/brokerlab.js');
const ASSESSMENT = join(ROOT, 'labs-content/assessments/first-track.json');
const LAB = 'vector-clocks';
const LAB_DIR = join(ROOT, 'labs-content/05-causality/08-vector-clocks');
const SOLUTION = readFileSync(join(LAB_DIR, 'solution.ts'), 'utf8');
const STARTER = readFileSync(join(LAB_DIR, 'starter.ts'), 'utf8');
const ADA_FILE = 'ada-lovelace-first-track-submission.json';

/** One folder for the whole file: test 1 exports Ada's submission into it, test 2 grades it. */
const dir = mkdtempSync(join(tmpdir(), 'brokerlab-instructor-'));
const subs = join(dir, 'subs');
mkdirSync(subs);

function cli(args: string[], cwd = ROOT): string {
  return execFileSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The editor's text as shown (Monaco draws spaces as no-break spaces; it renders the lines in view). */
async function editorText(page: Page): Promise<string> {
  return ((await page.getByTestId('code-editor').locator('.view-lines').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

/** The first lines of a program, as the editor shows them without scrolling. */
function firstLines(code: string, n = 8): string[] {
  return code
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l) => l.trim());
}

async function replaceCode(page: Page, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await page.getByTestId('code-editor').locator('.view-lines').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('ControlOrMeta+V');
}

/** Drops files on a drop zone, as a file manager would. */
async function dropFiles(zone: Locator, files: { name: string; text: string }[]): Promise<void> {
  const dt = await zone.page().evaluateHandle((fs) => {
    const transfer = new DataTransfer();
    for (const f of fs) transfer.items.add(new File([f.text], f.name, { type: 'application/json' }));
    return transfer;
  }, files);
  await zone.dispatchEvent('drop', { dataTransfer: dt });
}

function fileInput(zone: Locator): Locator {
  return zone.locator('input[type="file"]');
}

/** The IndexedDB records of saved lab work in this browser. */
function savedRecords(page: Page): Promise<{ labId: string; code?: string }[]> {
  return page.evaluate(
    () =>
      new Promise((resolveAll, reject) => {
        const req = indexedDB.open('brokerlab', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('labs', { keyPath: 'labId' });
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const get = req.result.transaction('labs').objectStore('labs').getAll();
          get.onsuccess = () => {
            req.result.close();
            resolveAll(get.result);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}

test('a learner exports a submission from the catalog and imports it into another browser; bad files say what is wrong', async ({ page, browser }) => {
  // Save code in a lab.
  await page.goto(`/#/lab/${LAB}`);
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  await replaceCode(page, SOLUTION);
  await expect(page.getByTestId('save-status')).toHaveText(/^Saved at/, { timeout: 15_000 });

  // Export it from the catalog.
  await page.goto('/#/labs');
  await expect(page.getByTestId('catalog-count')).toContainText('labs shown', { timeout: 30_000 });
  await page.screenshot({ path: 'test-results/screenshots/instructor-catalog.png' });
  await page.getByRole('button', { name: 'Export submission…' }).click();
  const exp = page.getByTestId('export-dialog');
  await expect(exp).toBeVisible();
  await exp.getByLabel('Your name').fill('Ada Lovelace');
  await exp.getByLabel('For').selectOption('first-track');
  const row = exp.locator(`[data-dialog-lab="${LAB}"]`);
  await expect(row.getByRole('checkbox')).toBeChecked();
  await expect(exp).toContainText('No code chosen for at-least-once, idempotent-consumer');
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/instructor-export-dialog.png' });
  const downloading = page.waitForEvent('download');
  await exp.getByRole('button', { name: 'Download the submission' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(ADA_FILE);
  const exported = join(subs, ADA_FILE);
  await download.saveAs(exported);
  await expect(exp.getByTestId('export-done')).toContainText(`Downloaded ${ADA_FILE}: 1 lab`);
  const file = JSON.parse(readFileSync(exported, 'utf8'));
  expect(file).toMatchObject({ format: 'brokerlab-submission', version: 1, learner: 'Ada Lovelace', assessment: 'first-track', labs: [{ lab: LAB, code: SOLUTION }] });
  await exp.getByRole('button', { name: 'Close' }).click();
  await expect(exp).toBeHidden();

  // Another browser (a fresh profile) imports it and finds the code in the lab.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto('/#/labs');
  await page2.getByRole('button', { name: 'Import submission…' }).click();
  const imp = page2.getByTestId('import-dialog');
  await expect(imp).toBeVisible();

  // Bad files first: each is refused with the grader's own words, and nothing is written.
  const text = readFileSync(exported, 'utf8');
  const bad: [string, string, RegExp][] = [
    ['tampered.json', text.replace('"learner": "Ada Lovelace"', '"learner": "Mallory"'), /^tampered\.json: tampered or corrupted: its content hash does not match its contents/],
    ['truncated.json', text.slice(0, 200), /^truncated\.json: truncated or not JSON \(line \d+, column \d+\): the text ends before .*, so it was probably cut off/],
    ['first-track.json', readFileSync(ASSESSMENT, 'utf8'), /^first-track\.json: not a Brokerlab submission \(it looks like a Brokerlab assessment\)/],
  ];
  for (const [name, content, message] of bad) {
    await fileInput(imp.getByTestId('import-drop')).setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
    await expect(imp.getByTestId('import-error')).toHaveText(message);
  }
  expect(await savedRecords(page2)).toEqual([]);

  await fileInput(imp.getByTestId('import-drop')).setInputFiles(exported);
  await expect(imp.getByTestId('import-summary')).toContainText('Ada Lovelace');
  await expect(imp.locator(`[data-dialog-lab="${LAB}"]`)).toHaveAttribute('data-fate', 'new');
  await imp.getByTestId('import-confirm').click();
  await expect(imp.getByTestId('import-done')).toContainText(`Imported ${LAB}`);
  await imp.getByRole('button', { name: 'Close' }).click();
  await expect(page2.locator(`[data-lab="${LAB}"]`)).toBeVisible();
  await page2.goto(`/#/lab/${LAB}`);
  await expect(page2.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  for (const line of firstLines(SOLUTION)) await expect.poll(() => editorText(page2)).toContain(line);

  // Importing over saved code says what it replaces and asks; cancelling keeps the code.
  const starterFile = join(dir, 'ada-starter.json');
  writeFileSync(join(dir, 'starter.ts'), STARTER);
  cli(['submit', '--learner', 'Ada Lovelace', '--out', starterFile, `${LAB}=${join(dir, 'starter.ts')}`]);
  await page2.goto('/#/labs');
  await page2.getByRole('button', { name: 'Import submission…' }).click();
  await fileInput(imp.getByTestId('import-drop')).setInputFiles(starterFile);
  await expect(imp.locator(`[data-dialog-lab="${LAB}"]`)).toHaveAttribute('data-fate', 'overwrite');
  await expect(imp.getByTestId('import-overwrite')).toHaveText(`Your saved code for ${LAB} will be replaced.`);
  await expect(imp.getByTestId('import-confirm')).toHaveText('Import 1 lab, replacing 1');
  expect(await readabilityProblems(page2)).toEqual([]);
  await page2.screenshot({ path: 'test-results/screenshots/instructor-import-dialog.png' });
  await imp.getByRole('button', { name: 'Cancel' }).click();
  const records = await savedRecords(page2);
  expect(records.find((r) => r.labId === LAB)?.code).toBe(SOLUTION);
  await other.close();
});

test('the instructor page grades the class as brokerlab grade does, and opens a learner’s run', async ({ page }) => {
  // The key, Bob's starter submission, and a damaged file; Ada's file is the one the page exported.
  const key = join(dir, 'key.json');
  cli(['key', 'new', ASSESSMENT, '--out', key, '--seeds', '1', '--schedules', '1', '--no-verify']);
  writeFileSync(join(dir, 'starter.ts'), STARTER);
  cli(['submit', '--learner', 'Bob', '--assessment', ASSESSMENT, '--out', join(subs, 'bob.json'), `${LAB}=${join(dir, 'starter.ts')}`]);
  const broken = readFileSync(join(subs, 'bob.json'), 'utf8').slice(0, 150);
  writeFileSync(join(dir, 'broken.json'), broken);
  // The CLI grades the two submissions, named as the page names them (their file names).
  cli(['grade', '--assessment', ASSESSMENT, '--key', key, '--out', join(dir, 'cli-out'), '--workers', '1', '--quiet', ADA_FILE, 'bob.json'], subs);
  const cliCsv = readFileSync(join(dir, 'cli-out/grades.csv'), 'utf8');
  const cliRows = cliCsv
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
  const totalCol = cliCsv.split('\n')[0]!.split(',').indexOf('total');
  const cliTotal = new Map(cliRows.map((r) => [r[0]!, Number(r[totalCol])]));
  expect([...cliTotal.keys()]).toEqual(['Ada Lovelace', 'Bob']);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Instructor' }).click();
  await expect(page).toHaveURL(/#\/instructor$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Instructor' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('link', { name: 'Instructor' })).toHaveAttribute('aria-current', 'page');
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/instructor-empty.png' });

  // The key first: it waits for its assessment. A key in the assessment's place is named as such.
  await fileInput(page.getByTestId('drop-key')).setInputFiles(key);
  await expect(page.getByText('key.json is checked once the assessment is loaded.')).toBeVisible();
  await fileInput(page.getByTestId('drop-assessment')).setInputFiles(key);
  await expect(page.getByTestId('assessment-error')).toHaveText(/^key\.json: not a Brokerlab assessment \(it looks like a Brokerlab assessment key\)/);
  await fileInput(page.getByTestId('drop-assessment')).setInputFiles(ASSESSMENT);
  await expect(page.getByTestId('assessment-loaded')).toContainText('first-track · 8 labs · 100 points', { timeout: 60_000 });
  await expect(page.getByTestId('key-loaded')).toContainText('For first-track: 8 hidden seeds and 8 fault schedules');

  // Submissions dropped at once, a damaged one among them.
  await dropFiles(page.getByTestId('drop-submissions'), [
    { name: 'bob.json', text: readFileSync(join(subs, 'bob.json'), 'utf8') },
    { name: ADA_FILE, text: readFileSync(join(subs, ADA_FILE), 'utf8') },
    { name: 'broken.json', text: broken },
  ]);
  await expect(page.getByTestId('subs-count')).toHaveText('3 files: 2 to grade, 1 rejected');
  await expect(page.locator('[data-file="broken.json"] [data-testid="sub-problem"]')).toHaveText(/^broken\.json: truncated or not JSON \(line \d+, column \d+\): the text ends before/);

  // Cancel stops grading at once and keeps nothing.
  await page.getByTestId('grade-button').click();
  await page.getByTestId('cancel-grading').click();
  await expect(page.getByTestId('grade-cancelled')).toContainText('no grades were kept');
  await expect(page.getByTestId('gradebook')).toHaveCount(0);

  // Grade: progress says how many submissions are done and whose code is being graded (every
  // text it showed is recorded), then the gradebook, highest total first.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="grade-progress"]')?.textContent;
      if (t && seen.at(-1) !== t) seen.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByTestId('grade-button').click();
  await expect(page.getByTestId('grade-done')).toContainText('Graded 2 submissions', { timeout: 180_000 });
  const progress = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
  expect(progress.some((t) => /0 of 2 submissions graded · 0 of 2 lab gradings done.*Now grading: (Ada Lovelace|Bob): vector-clocks/.test(t)), progress.join('\n')).toBe(true);
  expect(progress.some((t) => /1 of 2 submissions graded · 1 of 2 lab gradings done/.test(t)), progress.join('\n')).toBe(true);
  const rows = page.getByTestId('gradebook').locator('tbody tr');
  const byTotal = (dir_: 1 | -1) => [...cliTotal].sort((a, b) => dir_ * (a[1] - b[1])).map(([n]) => n);
  await expect(rows).toHaveCount(2);
  expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-learner')))).toEqual(byTotal(-1));
  expect(cliTotal.get('Ada Lovelace')!).toBeGreaterThan(cliTotal.get('Bob')!);
  await page.getByTestId('sort-total').click();
  expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-learner')))).toEqual(byTotal(1));
  await page.getByTestId('sort-total').click();
  for (const [name, total] of cliTotal) await expect(page.locator(`tr[data-learner="${name}"]`)).toHaveAttribute('data-total', String(total));

  // grades.csv equals the CLI's, byte for byte.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('download-csv').click();
  const csv = await downloading;
  expect(csv.suggestedFilename()).toBe('grades.csv');
  expect(readFileSync((await csv.path())!, 'utf8')).toBe(cliCsv);
  // grades.json too: every figure the CLI writes, hidden seeds included.
  const downloadingJson = page.waitForEvent('download');
  await page.getByTestId('download-json').click();
  const json = await downloadingJson;
  expect(json.suggestedFilename()).toBe('grades.json');
  const pageGrades = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { rejected: { file: string }[] };
  const cliGrades = JSON.parse(readFileSync(join(dir, 'cli-out/grades.json'), 'utf8')) as { rejected: { file: string }[] };
  // The page was also given the broken file, which the CLI was not: the rest is the same.
  expect(pageGrades.rejected.map((r) => r.file)).toEqual(['broken.json']);
  expect({ ...pageGrades, rejected: [] }).toEqual({ ...cliGrades, rejected: [] });

  // Bob's details: the failed check with its first failing run, and why the other labs are 0.
  await page.locator('tr[data-learner="Bob"]').getByRole('button', { name: 'Bob' }).click();
  const details = page.getByTestId('learner-details');
  await expect(details).toHaveAttribute('data-learner', 'Bob');
  await expect(details).toContainText('Not submitted (0 points): at-least-once, idempotent-consumer, routing, poison-messages, keys-and-ordering, consumer-groups, acks-and-isr.');
  const failed = details.locator(`[data-lab="${LAB}"] tr[data-state="failed"]`).first();
  await expect(failed).toContainText('✗ Failed');
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/instructor-page-full.png', fullPage: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/screenshots/instructor-page.png' });

  // Open run: the lab page replays Bob's code on that run, read-only, with the graded run's hash.
  const open = failed.getByTestId('open-run');
  const seed = await open.getAttribute('data-seed');
  const schedule = Number(await open.getAttribute('data-schedule'));
  await open.click();
  await expect(page).toHaveURL(new RegExp(`#/lab/${LAB}\\?review=[0-9a-f]{16}${schedule < 0 && ['1', '2', '3'].includes(seed!) ? `&seed=${seed}` : ''}$`));
  const banner = page.getByTestId('review-banner');
  await expect(banner).toContainText('Reviewing Bob’s submission (bob.json)');
  await expect(page.getByRole('heading', { level: 2, name: 'Bob’s code' })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('code-editor').locator('.monaco-editor')).toBeVisible({ timeout: 60_000 });
  for (const line of firstLines(STARTER)) await expect.poll(() => editorText(page)).toContain(line);
  await expect(banner.getByTestId('review-hash')).toHaveText(/^Same run as graded: history hash [0-9a-f]{16}\.$/, { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Reset code' })).toHaveCount(0);
  await expect(page.getByTestId('save-status')).toHaveText('Read-only: nothing on this page is saved.');
  expect(await readabilityProblems(page)).toEqual([]);
  await page.screenshot({ path: 'test-results/screenshots/instructor-review.png' });
  // Nothing of the review was saved in this browser.
  expect(await savedRecords(page)).toEqual([]);

  // Back to the gradebook: everything is as it was.
  await banner.getByRole('link', { name: 'Back to the gradebook' }).click();
  await expect(page.getByTestId('gradebook')).toBeVisible();
  await expect(page.getByTestId('learner-details')).toHaveAttribute('data-learner', 'Bob');

  // After a reload, the key and the review are gone, and the page says so.
  await page.goBack();
  await expect(page).toHaveURL(/review=/);
  await page.reload();
  await expect(page.getByTestId('review-ended')).toContainText('This review has ended');
  await page.goto('/#/instructor');
  await expect(page.getByTestId('key-loaded')).toHaveCount(0);
  await expect(page.getByTestId('gradebook')).toHaveCount(0);
});
