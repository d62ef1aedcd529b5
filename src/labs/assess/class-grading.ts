import type { Assessment } from './assessment';
import type { LabOutcome } from './grade-lab';
import { keyLab, type AssessmentKey } from './key';
import { zeroOutcome } from './zero-outcome';
import { addPoints } from './points';
import { assessmentSummary, compareNames, compareText, labResult, learnerSlugs, type ClassResults, type LabMeta, type LearnerResult, type RejectedFile } from './results';
import type { Submission } from './submission';

/**
 * Grading a class, the parts every host shares: which (lab, code) pairs to grade, how one is
 * graded, and how the grades become a learner's result and the class's. `brokerlab grade` runs the
 * tasks in worker threads, the instructor page in Web Workers; both call these, so the same files
 * give the same grades.csv in either.
 */

/** A submission file that parsed, with the name it was given by (a path, or a dropped file's name). */
export interface AcceptedSubmission {
  file: string;
  submission: Submission;
}

/**
 * One submission per learner: the first file (in the order given) is graded, later ones from the
 * same learner are rejected with the reason.
 */
export function onePerLearner(accepted: readonly AcceptedSubmission[]): { kept: AcceptedSubmission[]; rejected: RejectedFile[] } {
  const byLearner = new Map<string, string>();
  const rejected: RejectedFile[] = [];
  const kept = accepted.filter(({ file, submission }) => {
    const first = byLearner.get(submission.learner);
    if (first === undefined) {
      byLearner.set(submission.learner, file);
      return true;
    }
    rejected.push({
      file,
      kind: 'duplicate',
      message: `${file}: learner: another submission from "${submission.learner}" is already being graded (${first}); keep one file per learner and grade again`,
    });
    return false;
  });
  return { kept, rejected };
}

/** Learners in name order (accents and case set aside), rejected files by name: the order of every output. */
export function sortForGrading(accepted: AcceptedSubmission[], rejected: RejectedFile[]): void {
  accepted.sort((a, b) => compareNames(a.submission.learner, b.submission.learner));
  rejected.sort((a, b) => compareText(a.file, b.file));
}

/** Grade a lab for one piece of code: every seed under the lab's own faults, then under each of the key's schedules. */
export interface GradingTask {
  id: number;
  lab: string;
  code: string;
  seeds: number[];
  schedules: unknown[];
  earlyStop: boolean;
}

export interface ClassPlan {
  /** One per distinct (lab, code): the same code gives the same grade, so it is graded once. */
  tasks: GradingTask[];
  /** Per learner (in `accepted` order), per assessment lab: the task that grades it, or undefined when not submitted. */
  taskOf: (number | undefined)[][];
  /** Per task, the learners (indexes into `accepted`) whose grade it is. */
  learnersOf: Map<number, number[]>;
}

/** The seeds a lab is graded on: the public ones, then the key's hidden ones. */
export function gradingSeeds(assessment: Assessment, key: AssessmentKey, lab: string): number[] {
  const al = assessment.labs.find((l) => l.lab === lab);
  return [...(al?.seeds ?? []), ...keyLab(key, lab).hiddenSeeds];
}

export function planClass(assessment: Assessment, key: AssessmentKey, accepted: readonly AcceptedSubmission[], earlyStop = true): ClassPlan {
  const tasks: GradingTask[] = [];
  // Keyed by the code itself: equal code is one task, whatever the host can hash with.
  const taskFor = new Map<string, number>();
  const learnersOf = new Map<number, number[]>();
  const taskOf = accepted.map(({ submission }, li) =>
    assessment.labs.map((al) => {
      const code = submission.labs.find((l) => l.lab === al.lab)?.code;
      if (code === undefined) return undefined;
      const k = `${al.lab}\u0000${code}`;
      let id = taskFor.get(k);
      if (id === undefined) {
        id = tasks.length;
        taskFor.set(k, id);
        tasks.push({ id, lab: al.lab, code, seeds: gradingSeeds(assessment, key, al.lab), schedules: keyLab(key, al.lab).faultSchedules, earlyStop });
        learnersOf.set(id, []);
      }
      learnersOf.get(id)!.push(li);
      return id;
    }),
  );
  return { tasks, taskOf, learnersOf };
}

/** Runs a task plans: every seed once under the lab's faults and once under each schedule. */
export function taskRuns(task: Pick<GradingTask, 'seeds' | 'schedules'>): number {
  return task.seeds.length * (1 + task.schedules.length);
}

/**
 * Longest first (runs × simulated time per run), so no long lab starts last while the other
 * workers sit idle. The order changes when a grade arrives, never what it is.
 */
export function longestFirst<T extends Pick<GradingTask, 'lab' | 'seeds' | 'schedules'>>(tasks: readonly T[], simMsPerRun: (lab: string) => number): T[] {
  const cost = (t: T): number => taskRuns(t) * simMsPerRun(t.lab);
  return [...tasks].sort((a, b) => cost(b) - cost(a));
}

/** The default wall-clock limit for grading one lab: 10 s per run it plans, at least 2 minutes. */
export function defaultTimeLimitMs(runsPlanned: number): number {
  return Math.max(120_000, 10_000 * runsPlanned);
}

/** Why a lab scored 0 when the wall-clock limit stopped its grading. */
export function timeLimitText(limitMs: number): string {
  return `scored 0: grading it exceeded the grading time limit (${Math.round(limitMs / 100) / 10} s for this lab), so the grader stopped it`;
}

/** Why a lab scored 0 when the grader itself threw: our bug, reported as such. */
export function graderBugText(message: string): string {
  return `the grader failed on this code (a Brokerlab bug; please report it with this code): ${message.split('\n')[0]}`;
}

/** A graded task, or why the grader could not grade it (its own limits, or a bug). */
export type TaskOutcome = { ok: true; outcome: LabOutcome } | { ok: false; text: string };

/** What a grading worker answers for a task: the outcome, or the stack of an exception out of the engine. */
/**
 * A grader's answer. `failed` is an exception out of the engine; with `fatal` the grader's QuickJS
 * module trapped and was discarded, so a pool replaces that grader before its next task.
 */
export type GradeTaskReply = { type: 'graded'; id: number; outcome: LabOutcome } | { type: 'failed'; id: number; message: string; fatal?: true };

/** The file name learner code is compiled under when graded (it appears in error messages and so in histories). */
export function gradedFileName(lab: string): string {
  return `${lab}.ts`;
}

/** A task's reply as a task outcome. */
export function taskOutcome(reply: GradeTaskReply): TaskOutcome {
  return reply.type === 'graded' ? { ok: true, outcome: reply.outcome } : { ok: false, text: graderBugText(reply.message) };
}

export interface LearnerResultInput {
  assessment: Assessment;
  key: AssessmentKey;
  entry: AcceptedSubmission;
  /** This learner's row of `ClassPlan.taskOf`. */
  taskIds: readonly (number | undefined)[];
  results: ReadonlyMap<number, TaskOutcome>;
  metas: ReadonlyMap<string, LabMeta>;
  /** The grading Brokerlab's version, compared with the one that exported the file. */
  appVersion: string;
}

/**
 * A learner's grades from the task outcomes: labs not submitted score 0 ("not submitted"), labs the
 * grader could not finish score 0 with why (and are listed in `limited`), and notes say what the
 * instructor should know (another assessment, labs outside it, another Brokerlab version).
 */
export function learnerResult(input: LearnerResultInput): { result: LearnerResult; limited: { lab: string; text: string }[] } {
  const { assessment, key, entry, taskIds, results, metas } = input;
  const { file, submission } = entry;
  const limited: { lab: string; text: string }[] = [];
  const labResults = assessment.labs.map((al, ai) => {
    const meta = metas.get(al.lab)!;
    const lab = { spec: { id: al.lab, checks: meta.checks } };
    const kl = keyLab(key, al.lab);
    const seeds = [...al.seeds, ...kl.hiddenSeeds];
    const id = taskIds[ai];
    let outcome: LabOutcome;
    if (id === undefined) outcome = zeroOutcome(lab, seeds, kl.faultSchedules.length, { kind: 'not-submitted' });
    else {
      const r = results.get(id);
      if (r?.ok) outcome = r.outcome;
      else {
        const text = r ? r.text : 'the grader got no grade for this lab';
        limited.push({ lab: al.lab, text });
        outcome = zeroOutcome(lab, seeds, kl.faultSchedules.length, { kind: 'grader-limit', text });
      }
    }
    return labResult(outcome, al, meta);
  });
  const notes: string[] = [];
  if (submission.assessment !== undefined && submission.assessment !== assessment.id) notes.push(`made for assessment "${submission.assessment}", graded as "${assessment.id}"`);
  const extra = submission.labs.filter((l) => !assessment.labs.some((a) => a.lab === l.lab)).map((l) => l.lab);
  if (extra.length) notes.push(`ignored ${extra.join(', ')}: not part of this assessment`);
  if (submission.appVersion !== input.appVersion) notes.push(`exported by Brokerlab ${submission.appVersion}, graded by ${input.appVersion}`);
  return {
    result: {
      learner: submission.learner,
      file,
      slug: '',
      appVersion: submission.appVersion,
      total: addPoints(...labResults.map((l) => l.earned)),
      max: addPoints(...assessment.labs.map((l) => l.points)),
      labs: labResults,
      notes,
    },
    limited,
  };
}

/** The class's results: learners given their folder names, in the order given (sortForGrading's). */
export function classResults(assessment: Assessment, metas: ReadonlyMap<string, LabMeta>, learners: LearnerResult[], rejected: RejectedFile[]): ClassResults {
  const slugs = learnerSlugs(learners.map((l) => l.learner));
  for (const l of learners) l.slug = slugs.get(l.learner)!;
  return { assessment: assessmentSummary(assessment, metas), learners, rejected };
}
