import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradeClass, loadLabsFor, readAssessmentFile } from '../src/host/grade-node';
import { LABS_ROOT } from '../src/host/labs-node';
import { buildSubmission, gradeLab, keyToText, submissionToText, type AssessmentKey } from '../src/labs/assess';
import { loadQuickJS, prepareLearnerProgram } from '../src/labs/sandbox';
import type { BenchResult } from './types';

/** The sample assessment for the first track: whatever labs it lists in this checkout. */
const ASSESSMENT = join(LABS_ROOT, 'assessments', 'first-track.json');
const HIDDEN_SEEDS = 10;
/** Submissions per measurement: enough to keep every worker busy, few enough to finish in a minute or two. */
const SUBMISSIONS = 3;

/**
 * `brokerlab grade` throughput on the first track with 10 hidden seeds per lab (and no extra fault
 * schedules, so every lab runs its public + 10 hidden seeds once). Every submission is a lab's
 * reference solution with a comment that makes it distinct, so nothing is deduplicated and, since
 * solutions pass, no lab stops early: the slowest class there is. The baseline grades the same
 * submissions in this process, one lab after another, without workers; the ratio is what the pool
 * gains (at most the number of cores).
 */
export async function benchGrading(): Promise<BenchResult[]> {
  const assessment = readAssessmentFile(ASSESSMENT);
  const labs = await loadLabsFor(assessment.labs.map((l) => l.lab));
  const dir = mkdtempSync(join(tmpdir(), 'brokerlab-bench-grading-'));
  try {
    const key: AssessmentKey = {
      format: 'brokerlab-assessment-key',
      version: 1,
      assessment: assessment.id,
      labs: assessment.labs.map((l) => ({ lab: l.lab, hiddenSeeds: Array.from({ length: HIDDEN_SEEDS }, (_, i) => 1_000_000 + i), faultSchedules: [] })),
    };
    const keyFile = join(dir, 'key.json');
    writeFileSync(keyFile, keyToText(key));
    const subs = join(dir, 'subs');
    mkdirSync(subs);
    const codes: string[][] = [];
    for (let n = 0; n < SUBMISSIONS; n++) {
      const labCodes = assessment.labs.map((l) => `${labs.get(l.lab)!.solution}\n// learner ${n}\n`);
      codes.push(labCodes);
      const s = await buildSubmission({ learner: `Learner ${String(n).padStart(3, '0')}`, appVersion: 'bench', labs: assessment.labs.map((l, i) => ({ lab: l.lab, code: labCodes[i]! })) });
      writeFileSync(join(subs, `learner-${n}.json`), submissionToText(s));
    }
    const runsPerSubmission = assessment.labs.reduce((a, l) => a + l.seeds.length + HIDDEN_SEEDS, 0);

    // The pool, as `brokerlab grade` runs it: one worker per core.
    const workers = Math.max(1, availableParallelism());
    const cpu0 = cpuMs();
    const t0 = performance.now();
    const graded = await gradeClass({ assessmentFile: ASSESSMENT, keyFile, inputs: [subs], workers });
    const wallMs = performance.now() - t0;
    const cpuMsUsed = cpuMs() - cpu0;
    const runs = graded.results.learners.reduce((a, l) => a + l.labs.reduce((b, x) => b + x.runs, 0), 0);
    const perMinute = (SUBMISSIONS / wallMs) * 60_000;

    // Baseline: the same grading in this process, serially.
    await loadQuickJS();
    const b0 = performance.now();
    for (const labCodes of codes) {
      assessment.labs.forEach((l, i) => {
        const p = prepareLearnerProgram(labCodes[i]!, { filename: `${l.lab}.ts` });
        if (!p.ok) throw new Error(p.problem.text);
        gradeLab(labs.get(l.lab)!, p.program, [...l.seeds, ...key.labs[i]!.hiddenSeeds], []);
      });
    }
    const baseline = (SUBMISSIONS / (performance.now() - b0)) * 60_000;
    const round1 = (x: number): number => Math.round(x * 10) / 10;
    return [
      {
        name: 'grading',
        value: round1(perMinute),
        unit: 'submissions/min',
        baseline: round1(baseline),
        ratio: Math.round((perMinute / baseline) * 100) / 100,
        note: `first track (${assessment.labs.map((l) => l.lab).join(', ')}), ${HIDDEN_SEEDS} hidden seeds per lab, ${runs / SUBMISSIONS} of ${runsPerSubmission} runs per submission, ${workers} workers (wall clock, worker start-up included); baseline: the same in one thread without workers`,
      },
      {
        name: 'grading-cpu',
        value: round1((SUBMISSIONS / cpuMsUsed) * 60_000),
        unit: 'submissions/CPU-min',
        note: `per CPU-minute of the whole process (all threads): an idle ${workers}-core machine grades about ${workers}× this; ${Math.round(cpuMsUsed / runs)} ms of CPU per run`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
