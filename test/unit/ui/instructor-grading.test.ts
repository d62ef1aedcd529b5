import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeClass, loadLabsFor, type GradeOutcome } from '../../../src/host/grade-node';
import { ASSESSMENT, KEY, LAB, LOOPING, setup, SOLUTION, STARTER, submit } from '../assess/fixtures';
import { gradesCsv, gradeTask, timeLimitText, type GradingTask, type LabOutcome } from '../../../src/labs/assess';
import type { LoadedLab } from '../../../src/labs/lab';
import { loadQuickJS } from '../../../src/labs/sandbox';
import { APP_VERSION } from '../../../src/ui/app-version';
import { gradeClassWith, type GradeProgress } from '../../../src/ui/instructor/grade-class';
import { GradingCancelled, GradingPool, type Grader } from '../../../src/ui/instructor/grading-pool';
import { readSubmissionFiles, type PickedFile } from '../../../src/ui/instructor/instructor-files';

/**
 * The instructor page grades with the CLI's own planning, grading core and assembly; these tests
 * grade the same class both ways (the page's pool with the grading core in-process instead of in
 * Web Workers) and compare the gradebooks byte for byte, then check the pool's limits and cancel.
 */
let env: ReturnType<typeof setup>;
let cli: GradeOutcome;
let lab: LoadedLab;

/** The submission folder as the page gets it: every file by the name the CLI gives it. */
function picked(): PickedFile[] {
  return readdirSync(env.subs).map((n) => ({ name: join(env.subs, n), text: readFileSync(join(env.subs, n), 'utf8') }));
}

function inProcess(): Grader {
  return { grade: async (t, onRun) => gradeTask(lab, t, onRun), terminate: () => {} };
}

beforeAll(async () => {
  env = setup();
  await submit(env.subs, 'Ada Solution', SOLUTION);
  await submit(env.subs, 'Bob Starter', STARTER);
  await submit(env.subs, 'Carol Loop', LOOPING);
  // Same learner twice (the later file by name is rejected), and a damaged file.
  await submit(env.subs, 'Ada Solution', STARTER, 'zz-ada-again.json');
  writeFileSync(join(env.subs, 'broken.json'), readFileSync(join(env.subs, 'bob-starter.json'), 'utf8').slice(0, 120));
  cli = await gradeClass({ assessmentFile: env.assessment, keyFile: env.key, inputs: [env.subs], workers: 1 });
  lab = (await loadLabsFor([LAB])).get(LAB)!;
  await loadQuickJS();
}, 240_000);

describe('grading on the instructor page', () => {
  it('gives the same grades.csv as brokerlab grade, byte for byte, and the same results', async () => {
    const { accepted, rejected } = await readSubmissionFiles(picked());
    const labs = new Map([[LAB, { title: lab.spec.title, checks: lab.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points })), simMsPerRun: lab.spec.chaosMs + lab.spec.healMs }]]);
    const seen: GradeProgress[] = [];
    const page = await gradeClassWith(new GradingPool({ workers: 2, spawn: inProcess }), { assessment: ASSESSMENT, key: KEY, accepted, rejected, labs, appVersion: APP_VERSION }, (p) => seen.push(p));
    expect(gradesCsv(page.results)).toBe(gradesCsv(cli.results));
    expect(page.results).toEqual(cli.results);
    expect(page.results.rejected.map((r) => r.kind)).toEqual(['not-json', 'duplicate']);
    expect(page.graderLimited).toEqual([]);
    // Progress: every task started and finished, and all three learners were counted once.
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ learnersDone: 3, learners: 3, tasksDone: 3, tasks: 3, current: [] });
    expect(seen.some((p) => p.current.some((c) => c.learner === 'Carol Loop' && c.lab === LAB))).toBe(true);
    // Each run is reported as it finishes: Ada's solution makes all four runs.
    const ada = seen.flatMap((p) => p.current.filter((c) => c.learner === 'Ada Solution')).map((c) => `${c.runsDone}/${c.runsPlanned}`);
    expect([...new Set(ada)]).toEqual(['0/4', '1/4', '2/4', '3/4', '4/4']);
  });

  it('stops a task past the time limit, scores it 0 with the CLI’s reason, and goes on with a fresh grader', async () => {
    const spawned: string[] = [];
    const terminated: string[] = [];
    const pool = new GradingPool({
      workers: 1,
      timeLimitMs: () => 50,
      spawn: () => {
        const name = `g${spawned.length}`;
        spawned.push(name);
        return {
          // The first grader never answers; the next one grades.
          grade: (t) => (name === 'g0' ? new Promise(() => {}) : Promise.resolve(gradeTask(lab, t))),
          terminate: () => terminated.push(name),
        };
      },
    });
    const tasks: GradingTask[] = [
      { id: 0, lab: LAB, code: SOLUTION, seeds: [3], schedules: [], earlyStop: true },
      { id: 1, lab: LAB, code: STARTER, seeds: [3], schedules: [], earlyStop: true },
    ];
    const r = await pool.run(tasks);
    expect(r.get(0)).toEqual({ ok: false, text: timeLimitText(50) });
    expect(r.get(1)?.ok).toBe(true);
    expect(spawned).toEqual(['g0', 'g1']);
    expect(terminated).toEqual(['g0', 'g1']);
  });

  it('reports a grader that dies or fails as such, never as the learner’s score', async () => {
    const dying = new GradingPool({ workers: 1, spawn: () => ({ grade: () => Promise.reject(new Error('worker crashed')), terminate: () => {} }) });
    const r = await dying.run([{ id: 0, lab: LAB, code: SOLUTION, seeds: [3], schedules: [], earlyStop: true }]);
    expect(r.get(0)).toEqual({ ok: false, text: 'scored 0: the grading worker failed (worker crashed)' });
    const buggy = new GradingPool({ workers: 1, spawn: () => ({ grade: async (t) => ({ type: 'failed', id: t.id, message: 'TypeError: x is undefined\n  at engine.ts:1' }), terminate: () => {} }) });
    const b = await buggy.run([{ id: 0, lab: LAB, code: SOLUTION, seeds: [3], schedules: [], earlyStop: true }]);
    expect(b.get(0)).toEqual({ ok: false, text: 'the grader failed on this code (a Brokerlab bug; please report it with this code): TypeError: x is undefined' });
  });

  it('cancels: every grader is terminated at once and nothing graded is returned', async () => {
    const terminated: number[] = [];
    let n = 0;
    let started = 0;
    const pool = new GradingPool({
      workers: 2,
      spawn: () => {
        const me = n++;
        return { grade: () => (started++, new Promise<{ type: 'graded'; id: number; outcome: LabOutcome }>(() => {})), terminate: () => terminated.push(me) };
      },
    });
    const abort = new AbortController();
    const tasks = [0, 1, 2].map((id): GradingTask => ({ id, lab: LAB, code: `// ${id}\n${STARTER}`, seeds: [3], schedules: [], earlyStop: true }));
    const running = pool.run(tasks, {}, abort.signal);
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(2);
    abort.abort();
    await expect(running).rejects.toBeInstanceOf(GradingCancelled);
    expect([...new Set(terminated)].sort()).toEqual([0, 1]);
    expect(started).toBe(2);
  });
});
