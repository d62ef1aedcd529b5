import type { HistoryEntry } from '../../sim/history';
import type { World } from '../../sim/world';
import type { CheckGrade, LabGrade } from '../lab/grade';
import { releaseRun, runLab } from '../lab/run';
import type { LoadedLab } from '../lab/spec';
import type { ProblemKind } from '../sandbox/errors';
import { zeroOutcome, type ZeroLab } from './zero-outcome';

export { zeroOutcome, type ZeroLab };
import { LearnerKinds } from '../sandbox/kinds';
import type { LearnerProgram } from '../sandbox/program';

/** A problem the learner's code had in one run, as the history recorded it. */
export interface LearnerIssue {
  kind: ProblemKind;
  /** The sentence a person reads: `handleRequest ran past its step budget … at line 3, column 5`. */
  text: string;
  node: string;
  seed: number;
  /** -1: the lab's own faults only; otherwise the key's fault schedule with this index. */
  schedule: number;
}

/**
 * Why a lab scored 0 whatever its checks said. Loops, memory exhaustion and a module that cannot
 * load are defects the checks might not see (a replica that never answers can agree with the
 * others vacuously), so grading does not leave them to the checks.
 */
export type ZeroReason =
  | { kind: 'not-submitted' }
  | { kind: 'does-not-compile'; text: string }
  | { kind: 'learner-limit'; issue: LearnerIssue }
  | { kind: 'grader-limit'; text: string };

/** Problem kinds that make a lab score 0: a step, memory or stack budget overrun, a sandbox that had to be stopped, a module that does not load. */
export const ZEROING_KINDS: readonly ProblemKind[] = ['budget', 'fatal', 'load'];

/** The most distinct learner errors a lab's outcome keeps (the first ones, in run order). */
export const ISSUES_KEPT_MAX = 5;

/** One lab graded for one submission: the grading core's figures, plus what stopped it and why. */
export interface LabOutcome {
  lab: string;
  /** In the lab's own points (the assessment scales them). */
  score: number;
  maxScore: number;
  checks: CheckGrade[];
  runs: LabGrade['runs'];
  /** Runs the seeds and schedules call for; fewer ran when grading stopped early. */
  runsPlanned: number;
  /** `all-checks-failed`: every check had failed in some run, so later runs could not change the score. */
  stopped?: 'all-checks-failed' | 'zeroed';
  zero?: ZeroReason;
  /** The learner's first distinct errors (handlers that threw or rejected), with where they happened. */
  issues: LearnerIssue[];
}

export interface GradeLabOptions {
  /** Stop once every check has failed in some run (default true): the score cannot change after that. */
  earlyStop?: boolean;
  /** Called after each run with the runs made so far and the runs planned, for a progress display. */
  onRun?: (runsDone: number, runsPlanned: number) => void;
}

/**
 * Grades a program on a lab the way the grading core (`grade` in ../lab/grade.ts) does — every
 * seed under the lab's own faults, then every seed under each extra schedule, a check's points
 * earned only when it passed in every run — and also reads each run's history for the learner's
 * errors, so a lab that looped or ran out of memory scores 0 with the reason, and grading stops
 * at the first such run. Deterministic: the same inputs give the same outcome.
 */
export function gradeLab(lab: LoadedLab, program: LearnerProgram, seeds: readonly number[], extraFaultSchedules: readonly unknown[] = [], opts: GradeLabOptions = {}): LabOutcome {
  const earlyStop = opts.earlyStop ?? true;
  const schedules: { index: number; faults: unknown }[] = [{ index: -1, faults: undefined }, ...extraFaultSchedules.map((f, i) => ({ index: i, faults: f }))];
  const checks: CheckGrade[] = lab.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points, earned: 0, passedRuns: 0, runs: 0 }));
  const out: LabOutcome = {
    lab: lab.spec.id,
    score: 0,
    maxScore: checks.reduce((a, c) => a + c.points, 0),
    checks,
    runs: [],
    runsPlanned: schedules.length * seeds.length,
    issues: [],
  };
  const seen = new Set<string>();
  runs: for (const s of schedules) {
    for (const seed of seeds) {
      const { result, world } = runLab(stopOnFatal(lab), program, { seed, faults: s.faults, faultsSource: s.index < 0 ? undefined : `fault schedule ${s.index}` });
      const fatal = collectIssues(world, seed, s.index, out.issues, seen);
      releaseRun(world);
      out.runs.push({ seed, schedule: s.index, historyHash: result.historyHash, score: result.score, outcome: result.outcome });
      opts.onRun?.(out.runs.length, out.runsPlanned);
      result.checks.forEach((r, i) => {
        const c = checks[i]!;
        c.runs++;
        if (r.passed) c.passedRuns++;
        else c.firstFailure ??= { seed, schedule: s.index, summary: r.summary, evidence: r.evidence };
      });
      if (fatal) {
        out.zero = { kind: 'learner-limit', issue: fatal };
        out.stopped = 'zeroed';
        break runs;
      }
      if (earlyStop && checks.every((c) => c.passedRuns < c.runs)) {
        out.stopped = 'all-checks-failed';
        break runs;
      }
    }
  }
  for (const c of checks) c.earned = !out.zero && c.passedRuns === c.runs && c.runs > 0 ? c.points : 0;
  out.score = checks.reduce((a, c) => a + c.earned, 0);
  return out;
}

/**
 * One run, its learner issues, and its sandboxes freed: what `brokerlab key new` uses to check
 * that the reference solution passes under a candidate seed or fault schedule.
 */
export function runOnce(lab: LoadedLab, program: LearnerProgram, seed: number, faults?: unknown, faultsSource?: string): { passed: boolean; score: number; maxScore: number; failed: string[]; issues: LearnerIssue[] } {
  const { result, world } = runLab(stopOnFatal(lab), program, { seed, faults, faultsSource });
  const issues: LearnerIssue[] = [];
  collectIssues(world, seed, faults === undefined ? -1 : 0, issues, new Set());
  releaseRun(world);
  const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.summary}`);
  return { passed: failed.length === 0, score: result.score, maxScore: result.maxScore, failed, issues };
}

const stoppable = new WeakMap<LoadedLab, LoadedLab>();

/**
 * The lab with a scenario that also ends the run at the first problem that zeroes the lab. A
 * looping handler would otherwise burn its whole step budget on every request for the rest of the
 * run (seconds of work for a verdict the first overrun already settled). The stop lands right
 * after the event that recorded the problem, so where a run ends is as deterministic as the run.
 */
function stopOnFatal(lab: LoadedLab): LoadedLab {
  let wrapped = stoppable.get(lab);
  if (!wrapped) {
    const spec = lab.spec;
    wrapped = {
      ...lab,
      spec: {
        ...spec,
        build: (ctx) => {
          const { world } = ctx;
          const history = world.history;
          const record = world.record;
          let stopping = false;
          // Looks at every entry as it is stored, as a history subscriber with batches of one would,
          // but reads the entry's data as recorded instead of parsing every entry back from its JSON
          // (that round trip cost a grading run 10–40 % more than the run itself).
          world.record = function (this: World, kind, node, peer, msg, data) {
            const before = history.length;
            record.call(this, kind, node, peer, msg, data);
            // An entry past the history's limit is not stored, and a subscriber would not hear of it.
            if (history.length === before) return;
            if (!stopping && (kind === LearnerKinds.budget || kind === LearnerKinds.error)) stopping = ZEROING_KINDS.includes((data as { kind?: ProblemKind } | undefined)?.kind ?? 'threw');
            // Asked again after every entry: the heal phase starts a new kernel run.
            if (stopping) world.kernel.stop();
          };
          return spec.build(ctx);
        },
      },
    };
    stoppable.set(lab, wrapped);
  }
  return wrapped;
}

/**
 * Notes the run's learner errors (distinct texts, up to ISSUES_KEPT_MAX) and returns the first one
 * that zeroes the lab, if any.
 */
function collectIssues(world: World, seed: number, schedule: number, issues: LearnerIssue[], seen: Set<string>): LearnerIssue | undefined {
  let fatal: LearnerIssue | undefined;
  for (const e of world.history.ofKind(LearnerKinds.budget, LearnerKinds.error) as Iterable<HistoryEntry>) {
    const d = (e.data ?? {}) as { kind?: ProblemKind; text?: string };
    const issue: LearnerIssue = { kind: d.kind ?? 'threw', text: String(d.text ?? 'the learner’s code failed'), node: e.node, seed, schedule };
    if (!fatal && ZEROING_KINDS.includes(issue.kind)) fatal = issue;
    if (issues.length < ISSUES_KEPT_MAX && !seen.has(issue.text)) {
      seen.add(issue.text);
      issues.push(issue);
    }
  }
  return fatal;
}
