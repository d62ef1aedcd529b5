import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSubmission } from '../../../src/labs/assess';
import { APP_VERSION } from '../../../src/ui/app-version';
import { openReview, REVIEWS_MAX, reviewHash, reviewOf, reviewRunName, reviewToken, type ReviewRun } from '../../../src/ui/instructor/review-handoff';
import { sortLearners } from '../../../src/ui/instructor/gradebook-order';
import { exportSubmission, importedRecord, planImport, savedCode, submissionFileName } from '../../../src/ui/submission/submission-files';

const BIN = resolve(__dirname, '../../../bin/brokerlab.js');
const LAB_DIR = resolve(__dirname, '../../../labs-content/05-causality/08-vector-clocks');
const STARTER = readFileSync(join(LAB_DIR, 'starter.ts'), 'utf8');
const SOLUTION = readFileSync(join(LAB_DIR, 'solution.ts'), 'utf8');
const LABS = [
  { id: 'at-least-once', title: 'At least once', starter: 'export async function eachMessage() {}\n' },
  { id: 'vector-clocks', title: 'Vector clocks', starter: STARTER },
];

describe('exporting a submission from saved code', () => {
  it('takes every lab with saved code, in catalog order, and says which are still the starter', () => {
    const records = [
      { labId: 'vector-clocks', format: 1, code: SOLUTION, progress: {} },
      { labId: 'at-least-once', format: 1, code: 'export async function eachMessage() {}\r\n' },
      { labId: 'gone-lab', format: 1, code: 'x' },
      { labId: 'routing', format: 1, progress: {} },
      { labId: 'idle', format: 1, code: '   ' },
      'not a record',
    ];
    expect(savedCode(records, LABS)).toEqual([
      { lab: 'at-least-once', title: 'At least once', code: 'export async function eachMessage() {}\r\n', isStarter: true },
      { lab: 'vector-clocks', title: 'Vector clocks', code: SOLUTION, isStarter: false },
    ]);
  });

  it('names the file after the learner and the assessment', () => {
    expect(submissionFileName('Ada Lovelace', 'first-track')).toBe('ada-lovelace-first-track-submission.json');
    expect(submissionFileName('  Émile Zola ')).toBe('emile-zola-brokerlab-submission.json');
    expect(submissionFileName('李')).toBe('learner-brokerlab-submission.json');
  });

  it('writes the file brokerlab submit writes, byte for byte, and the grader’s parser reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brokerlab-export-'));
    writeFileSync(join(dir, 'sol.ts'), SOLUTION);
    const cli = join(dir, 'cli.json');
    const r = spawnSync(process.execPath, [BIN, 'submit', '--learner', 'Ada Lovelace', '--out', cli, '--assessment', 'labs-content/assessments/first-track.json', `vector-clocks=${join(dir, 'sol.ts')}`], { encoding: 'utf8', cwd: resolve(__dirname, '../../..') });
    expect(r.status, r.stderr).toBe(0);
    const cliText = readFileSync(cli, 'utf8');
    const cliParsed = await parseSubmission(cliText, 'cli.json');
    expect(cliParsed.ok).toBe(true);
    if (!cliParsed.ok) return;
    // The page, given the same fields (and the CLI's timestamp), writes the same bytes.
    const page = await exportSubmission({ learner: 'Ada Lovelace', appVersion: APP_VERSION, assessment: 'first-track', exportedAt: cliParsed.value.exportedAt!, labs: [{ lab: 'vector-clocks', code: SOLUTION }] });
    expect(page.text).toBe(cliText);
    expect(page.name).toBe('ada-lovelace-first-track-submission.json');
    // The page's file read back by the parser brokerlab grade uses (the import dialog uses it too).
    const pageFile = join(dir, page.name);
    writeFileSync(pageFile, page.text);
    const again = await parseSubmission(readFileSync(pageFile, 'utf8'), page.name);
    expect(again.ok && again.value).toEqual(page.submission);
  });

  it('refuses what the CLI refuses: no name, a name too long', async () => {
    await expect(exportSubmission({ learner: ' ', appVersion: APP_VERSION, exportedAt: 'x', labs: [{ lab: 'vector-clocks', code: 'x' }] })).rejects.toThrow('submission: learner: must be the learner’s name, a non-empty string');
    await expect(exportSubmission({ learner: 'x'.repeat(201), appVersion: APP_VERSION, exportedAt: 'x', labs: [{ lab: 'vector-clocks', code: 'x' }] })).rejects.toThrow('learner: is 201 characters; at most 200');
  });
});

describe('importing a submission', () => {
  const records = [
    { labId: 'vector-clocks', format: 1, code: STARTER, progress: { value: 'editing' }, nodes: ['eu', 'us'] },
    { labId: 'at-least-once', format: 1, code: 'same\n' },
  ];

  it('says what each lab would do: new, overwrite (with what it replaces), same, or skipped', () => {
    const items = planImport(
      {
        labs: [
          { lab: 'vector-clocks', code: SOLUTION },
          { lab: 'at-least-once', code: 'same\n' },
          { lab: 'no-such-lab', code: 'x' },
        ],
      },
      records,
      LABS,
    );
    expect(items.map((i) => [i.lab, i.fate])).toEqual([
      ['vector-clocks', 'overwrite'],
      ['at-least-once', 'same'],
      ['no-such-lab', 'unknown'],
    ]);
    expect(items[0]!.saved).toBe(STARTER);
    expect(planImport({ labs: [{ lab: 'vector-clocks', code: SOLUTION }] }, [], LABS)[0]!.fate).toBe('new');
  });

  it('replaces only the code: the lab’s progress and node names are kept', () => {
    expect(importedRecord(records[0], 'vector-clocks', SOLUTION, 1234)).toEqual({ labId: 'vector-clocks', format: 1, code: SOLUTION, progress: { value: 'editing' }, nodes: ['eu', 'us'], savedAtMs: 1234 });
    expect(importedRecord(undefined, 'routing', 'x', 5)).toEqual({ labId: 'routing', format: 1, code: 'x', savedAtMs: 5 });
    // A record of another lab under this key is not merged in.
    expect(importedRecord({ labId: 'other', progress: 1 }, 'routing', 'x', 5)).toEqual({ labId: 'routing', format: 1, code: 'x', savedAtMs: 5 });
  });
});

describe('handing a learner’s run to the lab page', () => {
  const run: ReviewRun = { learner: 'Ada', file: 'ada.json', lab: 'vector-clocks', code: SOLUTION, filename: 'vector-clocks.ts', seed: 3, schedule: -1, hidden: false };

  it('keeps the review in memory under a random token; the address carries the token and a public seed only', () => {
    const t = openReview(run);
    expect(t).toMatch(/^[0-9a-f]{16}$/);
    expect(reviewOf(t)).toBe(run);
    expect(reviewHash(t, run)).toBe(`#/lab/vector-clocks?review=${t}&seed=3`);
    const hidden = { ...run, seed: 4235406351, hidden: true };
    expect(reviewHash(t, hidden)).toBe(`#/lab/vector-clocks?review=${t}`);
    expect(reviewToken(new URLSearchParams(`review=${t}&seed=3`))).toBe(t);
    expect(reviewToken(new URLSearchParams('seed=3'))).toBeUndefined();
    expect(reviewOf('0123456789abcdef')).toBeUndefined();
  });

  it('names the run as the instructor sees it', () => {
    expect(reviewRunName(run)).toBe('seed 3');
    expect(reviewRunName({ seed: 42, schedule: -1, hidden: true })).toBe('hidden seed 42');
    expect(reviewRunName({ seed: 3, schedule: 0, hidden: true })).toBe("seed 3 under the key's fault schedule 0");
  });

  it('holds at most REVIEWS_MAX reviews, forgetting the oldest', () => {
    const first = openReview(run);
    for (let i = 0; i < REVIEWS_MAX; i++) openReview({ ...run, seed: i });
    expect(reviewOf(first)).toBeUndefined();
  });
});

describe('the gradebook order', () => {
  const l = (learner: string, total: number) => ({ learner, total }) as Parameters<typeof sortLearners>[0][number];
  const byName = [l('Ada', 10), l('Bob', 50), l('Cy', 10), l('Dee', 80)];
  it('sorts by total either way, keeping name order among equal totals', () => {
    expect(sortLearners(byName, 'total-desc').map((x) => x.learner)).toEqual(['Dee', 'Bob', 'Ada', 'Cy']);
    expect(sortLearners(byName, 'total-asc').map((x) => x.learner)).toEqual(['Ada', 'Cy', 'Bob', 'Dee']);
    expect(sortLearners(byName, 'name').map((x) => x.learner)).toEqual(['Ada', 'Bob', 'Cy', 'Dee']);
  });
});
