import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKey, parseSubmission, type GradescopeResults } from '../../../src/labs/assess';
import { KEY, LAB, setup, SOLUTION, STARTER } from './fixtures';

const BIN = resolve(__dirname, '../../../bin/brokerlab.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Exit codes: 0 every file graded (a 0 for broken code is a grade), 1 some files rejected or some
 * labs stopped by the grader's own limits, 2 bad input.
 */
let env: ReturnType<typeof setup>;
let solution: string;
let starter: string;

beforeAll(() => {
  env = setup({ key: { ...KEY, labs: [{ lab: LAB, hiddenSeeds: [5], faultSchedules: [] }] } });
  solution = join(env.dir, 'solution.ts');
  starter = join(env.dir, 'starter.ts');
  writeFileSync(solution, SOLUTION);
  writeFileSync(starter, STARTER);
});

describe('brokerlab submit', () => {
  it('builds the submission file the page would export (exit 0)', async () => {
    const file = join(env.subs, 'ada.json');
    const r = cli('submit', '--learner', 'Ada Lovelace', '--out', file, '--assessment', env.assessment, `${LAB}=${solution}`);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^Wrote ${file}: Ada Lovelace, vector-clocks \\(content hash [0-9a-f]{12}…\\)`));
    const s = await parseSubmission(readFileSync(file, 'utf8'), file);
    expect(s.ok && s.value).toMatchObject({ learner: 'Ada Lovelace', assessment: 'test-track', labs: [{ lab: LAB, code: SOLUTION }] });
  });

  it('exits 2 on an unknown lab, a missing code file or a missing flag', () => {
    const out = join(env.dir, 'x.json');
    const unknown = cli('submit', '--learner', 'A', '--out', out, `no-such-lab=${solution}`);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^brokerlab: unknown lab "no-such-lab"; the labs are: .*vector-clocks/);
    expect(cli('submit', '--learner', 'A', '--out', out, `${LAB}=/no/such.ts`).err).toContain('cannot read the code file for vector-clocks /no/such.ts: no such file');
    expect(cli('submit', '--out', out, `${LAB}=${solution}`).code).toBe(2);
  });
});

describe('brokerlab key new', () => {
  it('writes a key with fresh hidden seeds that validates, and will not overwrite it', () => {
    const key = join(env.dir, 'new-key.json');
    const r = cli('key', 'new', env.assessment, '--out', key, '--seeds', '2', '--schedules', '1', '--no-verify');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Keep this file private.');
    const k = parseKey(readFileSync(key, 'utf8'), key);
    expect(k.ok).toBe(true);
    if (!k.ok) return;
    expect(k.value.assessment).toBe('test-track');
    expect(k.value.labs[0]!.hiddenSeeds).toHaveLength(2);
    expect(k.value.labs[0]!.faultSchedules).toHaveLength(1);
    // Every node a generated fault names runs learner code.
    for (const f of k.value.labs[0]!.faultSchedules[0]! as { node?: string }[]) if (f.node) expect(['eu', 'us', 'ap']).toContain(f.node);
    const again = cli('key', 'new', env.assessment, '--out', key, '--no-verify');
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${key} exists; a key already used for grading should be kept. Pass --force to replace it`);
  });
});

describe('brokerlab grade', () => {
  it('exits 0 when every file is graded, and --json prints one object on stdout and nothing else', () => {
    const out = join(env.dir, 'out-ok');
    const r = cli('grade', '--assessment', env.assessment, '--key', env.key, '--out', out, '--json', '--workers', '1', join(env.subs, 'ada.json'));
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!);
    expect(j).toMatchObject({ assessment: 'test-track', learners: [{ learner: 'Ada Lovelace', total: 10, max: 10 }], rejected: [], exitCode: 0 });
    expect(r.err).toContain('graded 1/1: Ada Lovelace 10/10');
    expect(readFileSync(join(out, 'grades.csv'), 'utf8')).toContain('Ada Lovelace,');
  });

  it('exits 1 when a file is rejected, names it and what is wrong, and grades the rest', () => {
    const tampered = join(env.dir, 'tampered.json');
    const ada = JSON.parse(readFileSync(join(env.subs, 'ada.json'), 'utf8'));
    writeFileSync(tampered, JSON.stringify({ ...ada, learner: 'Mallory', labs: [{ lab: LAB, code: STARTER }] }));
    const out = join(env.dir, 'out-rejected');
    const r = cli('grade', '--assessment', env.assessment, '--key', env.key, '--out', out, join(env.subs, 'ada.json'), tampered);
    expect(r.code, r.err).toBe(1);
    expect(r.err).toContain(`rejected ${tampered}: tampered or corrupted: its content hash does not match its contents`);
    expect(r.out).toMatch(/Ada Lovelace\s+10\/10/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Rejected files');
  });

  it('for Gradescope, writes one results.json, even for a file it rejects', () => {
    const results = join(env.dir, 'results.json');
    const ok = cli('grade', '--assessment', env.assessment, '--key', env.key, '--out', join(env.dir, 'gs'), '--gradescope', results, join(env.subs, 'ada.json'));
    expect(ok.code, ok.err).toBe(0);
    expect((JSON.parse(readFileSync(results, 'utf8')) as GradescopeResults).score).toBe(10);
    const bad = join(env.dir, 'empty.json');
    writeFileSync(bad, '');
    const rejected = cli('grade', '--assessment', env.assessment, '--key', env.key, '--out', join(env.dir, 'gs2'), '--gradescope', results, bad);
    expect(rejected.code).toBe(1);
    const r = JSON.parse(readFileSync(results, 'utf8')) as GradescopeResults;
    expect(r).toMatchObject({ score: 0, tests: [] });
    expect(r.output).toContain(`${bad}: the file is empty`);
  });

  it('exits 2 on a bad key, naming the file, the lab’s schedule, the entry and the field', () => {
    const key = join(env.dir, 'bad-key.json');
    writeFileSync(key, JSON.stringify({ ...KEY, labs: [{ lab: LAB, hiddenSeeds: [], faultSchedules: [[{ at: 100, kind: 'crash', node: 'b7' }]] }] }));
    const r = cli('grade', '--assessment', env.assessment, '--key', key, '--out', join(env.dir, 'never'), join(env.subs, 'ada.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${key}: labs[0].faultSchedules[0]: entry 0, field "node": unknown node "b7" (known: eu, us, ap, alice, bob, carol, auditor)`);
    expect(r.out).toBe('');
  });

  it('exits 2 on a missing flag or a path that does not exist', () => {
    expect(cli('grade', '--key', env.key, '--out', join(env.dir, 'never'), env.subs).err).toContain('--assessment FILE is required');
    const r = cli('grade', '--assessment', env.assessment, '--key', env.key, '--out', join(env.dir, 'never'), join(env.dir, 'no-such-folder'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${join(env.dir, 'no-such-folder')}: no such file or folder`);
  });
});
