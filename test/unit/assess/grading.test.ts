import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeClass, type GradeOutcome } from '../../../src/host/grade-node';
import { buildSubmission, submissionHash, type GradescopeResults } from '../../../src/labs/assess';
import { HIDDEN_SEED, KEY, LAB, LOOPING, setup, SLOW, SOLUTION, STARTER, submit, appVersionForTests } from './fixtures';
import { HISTORY_HASH_VERSION } from '../../../src/sim/history';

/**
 * Grading a small class on lab 8 (one public seed, one hidden seed, one extra fault schedule:
 * four runs per submission): a solution, a starter, a looping handler and a forged score.
 */
let env: ReturnType<typeof setup>;
let first: GradeOutcome;
const out = (name: string): string => join(env.dir, name);

beforeAll(async () => {
  env = setup();
  await submit(env.subs, 'Ada Solution', SOLUTION);
  await submit(env.subs, 'Bob Starter', STARTER);
  await submit(env.subs, 'Carol Loop', LOOPING);
  // A forger adds scores to a starter submission and recomputes the (public) content hash.
  const forged = await buildSubmission({ learner: 'Dave Forger', appVersion: appVersionForTests(), labs: [{ lab: LAB, code: STARTER }] });
  const claims = { ...forged, score: 10, total: 10, labs: [{ ...forged.labs[0]!, score: 10, earned: 10, passed: true }], results: { score: 10 } };
  writeFileSync(join(env.subs, 'dave.json'), JSON.stringify({ ...claims, hash: await submissionHash(claims) }));
  first = await gradeClass({ assessmentFile: env.assessment, keyFile: env.key, inputs: [env.subs], outDir: out('out1'), workers: 2 });
}, 240_000);

const learner = (o: GradeOutcome, name: string) => o.results.learners.find((l) => l.learner === name)!;

describe('brokerlab grade', () => {
  it('recomputes every score: the solution earns all points, the starter fails the lab’s checks', () => {
    expect(first.results.rejected).toEqual([]);
    expect(first.results.learners.map((l) => l.learner)).toEqual(['Ada Solution', 'Bob Starter', 'Carol Loop', 'Dave Forger']);
    expect(learner(first, 'Ada Solution').total).toBe(10);
    expect(learner(first, 'Ada Solution').labs[0]!.runs).toBe(4);
    expect(learner(first, 'Bob Starter').total).toBeLessThan(10);
  });

  it('ignores a forged score: a starter that claims full marks gets what the starter earns', () => {
    const dave = learner(first, 'Dave Forger');
    expect(dave.total).toBe(learner(first, 'Bob Starter').total);
    expect(dave.total).toBeLessThan(10);
    expect(dave.labs[0]!.checks.map((c) => c.earned)).toEqual(learner(first, 'Bob Starter').labs[0]!.checks.map((c) => c.earned));
  });

  it('contains a looping submission: 0 for the lab with the reason, and the batch finishes', () => {
    const carol = learner(first, 'Carol Loop');
    expect(carol.total).toBe(0);
    const lab = carol.labs[0]!;
    expect(lab.zero).toMatchObject({ kind: 'learner-limit', issue: { kind: 'budget', seed: 3, schedule: -1 } });
    expect(lab.stopped).toBe('zeroed');
    expect(lab.runs).toBe(1);
    expect(first.graderLimited).toEqual([]);
    const results = JSON.parse(readFileSync(out(`out1/${carol.slug}/results.json`), 'utf8')) as GradescopeResults;
    expect(results.score).toBe(0);
    expect(results.tests[0]!.output).toMatch(/scored 0 because the code ran past a budget \(seed 3\): handleRequest exceeded 1,000,000 steps at line 2/);
  });

  it('is deterministic: grading again gives the same CSV, report and results, byte for byte', async () => {
    const again = await gradeClass({ assessmentFile: env.assessment, keyFile: env.key, inputs: [env.subs], outDir: out('out2'), workers: 2 });
    expect(again.written).toEqual(first.written);
    for (const f of first.written) {
      // report.html and the reproduce commands name the output folder; compare with it swapped.
      const a = readFileSync(out(`out1/${f}`), 'utf8');
      const b = readFileSync(out(`out2/${f}`), 'utf8').replaceAll(out('out2'), out('out1'));
      expect(b, f).toBe(a);
    }
    expect(readFileSync(out('out2/grades.csv'))).toEqual(readFileSync(out('out1/grades.csv')));
  }, 240_000);

  it('gives the same results in parallel (2 workers) as serially (1 worker)', async () => {
    const serial = await gradeClass({ assessmentFile: env.assessment, keyFile: env.key, inputs: [env.subs], outDir: out('serial'), workers: 1 });
    expect(readFileSync(out('serial/grades.csv'), 'utf8')).toBe(readFileSync(out('out1/grades.csv'), 'utf8'));
    expect(JSON.stringify(serial.results.learners)).toBe(JSON.stringify(first.results.learners));
  }, 240_000);

  it('writes Gradescope results that never name a hidden seed', () => {
    for (const l of first.results.learners) {
      const text = readFileSync(out(`out1/${l.slug}/results.json`), 'utf8');
      expect(text).not.toContain(String(HIDDEN_SEED));
      const r = JSON.parse(text) as GradescopeResults;
      expect(r.score).toBe(l.total);
      expect(r.tests.map((t) => t.name)).toEqual(['vector-clocks: No lost update', 'vector-clocks: Concurrent writes kept', 'vector-clocks: Replicas converge']);
      for (const t of r.tests) {
        expect(Object.keys(t).sort()).toEqual(['max_score', 'name', 'number', 'output', 'score', 'status', 'visibility']);
        expect(t.status).toBe(t.score === t.max_score ? 'passed' : 'failed');
      }
      expect(r.tests.reduce((a, t) => a + t.max_score, 0)).toBe(10);
    }
    // The instructor's gradebook does name it.
    const grades = readFileSync(out('out1/grades.json'), 'utf8');
    expect(grades).toContain(String(HIDDEN_SEED));
    // It says how its history hashes were made, so they are compared only with hashes made so.
    expect(JSON.parse(grades)).toMatchObject({ format: 'brokerlab-grades', version: 1, historyHashVersion: HISTORY_HASH_VERSION });
  });

  it('writes a gradebook with a row per learner and a column per check', () => {
    const csv = readFileSync(out('out1/grades.csv'), 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('learner,file,vector-clocks/newest-wins,vector-clocks/concurrent-kept,vector-clocks/replicas-converge,vector-clocks,total,max,notes');
    expect(csv[1]).toBe(`Ada Solution,${join(env.subs, 'ada-solution.json')},4,4,2,10,10,10,`);
    expect(csv).toHaveLength(5);
  });

  it('writes a self-contained report with the command that reproduces a failure', () => {
    const html = readFileSync(out('out1/report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//i);
    expect(html).toContain(`npx brokerlab run vector-clocks --code ${join(out('out1'), 'bob-starter', 'vector-clocks.ts')} --seed 3`);
    expect(html).toContain('<svg');
    expect(readFileSync(out(`out1/bob-starter/vector-clocks.ts`), 'utf8')).toBe(STARTER);
  });

  it('stops a lab that overruns the wall-clock limit, says so, and goes on with a fresh worker', async () => {
    // One run per submission, so the solution finishes well inside the limit on a busy machine.
    const e = setup({ key: { ...KEY, labs: [{ lab: LAB, hiddenSeeds: [], faultSchedules: [] }] } });
    await submit(e.subs, 'Sam Slow', SLOW);
    await submit(e.subs, 'Ada Solution', SOLUTION);
    // One worker: the solution is graded after the slow code's worker was terminated.
    const o = await gradeClass({ assessmentFile: e.assessment, keyFile: e.key, inputs: [e.subs], workers: 1, timeLimitS: 3 });
    const sam = learner(o, 'Sam Slow').labs[0]!;
    expect(sam.zero).toEqual({ kind: 'grader-limit', text: 'scored 0: grading it exceeded the grading time limit (3 s for this lab), so the grader stopped it' });
    expect(o.graderLimited).toEqual([{ learner: 'Sam Slow', lab: LAB, text: sam.zero!.kind === 'grader-limit' ? sam.zero!.text : '' }]);
    expect(learner(o, 'Ada Solution').total).toBe(10);
  }, 240_000);
});
