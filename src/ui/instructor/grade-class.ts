import type { Assessment } from '../../labs/assess/assessment';
import { classResults, learnerResult, longestFirst, planClass, taskRuns, type AcceptedSubmission, type GradingTask, type TaskOutcome } from '../../labs/assess/class-grading';
import type { AssessmentKey } from '../../labs/assess/key';
import type { ClassResults, LabMeta, RejectedFile } from '../../labs/assess/results';
import type { GradingPool } from './grading-pool';

/** A lab as grading needs it: its title and checks (for the gradebook) and how long a run is (for ordering). */
export interface LabForGrading extends LabMeta {
  simMsPerRun: number;
}

export interface ClassGradeInput {
  assessment: Assessment;
  key: AssessmentKey;
  /** Sorted by learner and one per learner (`readSubmissionFiles` does both). */
  accepted: readonly AcceptedSubmission[];
  rejected: readonly RejectedFile[];
  labs: ReadonlyMap<string, LabForGrading>;
  appVersion: string;
}

/** A task in the works: its lab and whose code it is (the first learner, and how many more share that code). */
export interface TaskInProgress {
  task: number;
  lab: string;
  learner: string;
  others: number;
  /** Runs made so far, of those planned (grading may stop early, when every check has failed). */
  runsDone: number;
  runsPlanned: number;
}

export interface GradeProgress {
  learnersDone: number;
  learners: number;
  tasksDone: number;
  tasks: number;
  current: TaskInProgress[];
  /** The learner whose grades came in last. */
  lastLearner?: string;
}

export interface ClassGradeOutcome {
  results: ClassResults;
  /** Labs the grader's own time limit stopped, or that hit a grader bug: worth grading again. */
  graderLimited: { learner: string; lab: string; text: string }[];
}

/**
 * Grades a class on the page: the same plan as `brokerlab grade` (one task per distinct lab and
 * code, longest first), graded by the pool, assembled with the same functions, so grades.csv from
 * here equals the CLI's byte for byte. Progress is reported as tasks start and finish.
 */
export async function gradeClassWith(pool: GradingPool, input: ClassGradeInput, onProgress?: (p: GradeProgress) => void, signal?: AbortSignal): Promise<ClassGradeOutcome> {
  const { assessment, key, accepted } = input;
  const plan = planClass(assessment, key, accepted);
  const pending = plan.taskOf.map((ids) => ids.filter((id) => id !== undefined).length);
  const progress: GradeProgress = { learnersDone: pending.filter((n) => n === 0).length, learners: accepted.length, tasksDone: 0, tasks: plan.tasks.length, current: [] };
  const report = (): void => onProgress?.({ ...progress, current: [...progress.current] });
  report();
  const whose = (task: GradingTask): TaskInProgress => {
    const learners = plan.learnersOf.get(task.id) ?? [];
    return { task: task.id, lab: task.lab, learner: accepted[learners[0]!]?.submission.learner ?? '', others: Math.max(0, learners.length - 1), runsDone: 0, runsPlanned: taskRuns(task) };
  };
  const order = longestFirst(plan.tasks, (lab) => input.labs.get(lab)?.simMsPerRun ?? 0);
  const results = await pool.run(
    order,
    {
      onStart: (task) => {
        progress.current.push(whose(task));
        report();
      },
      onRun: (task, runsDone, runsPlanned) => {
        progress.current = progress.current.map((c) => (c.task === task.id ? { ...c, runsDone, runsPlanned } : c));
        report();
      },
      onResult: (task) => {
        progress.current = progress.current.filter((c) => c.task !== task.id);
        progress.tasksDone++;
        for (const li of plan.learnersOf.get(task.id) ?? []) {
          if (--pending[li]! === 0) {
            progress.learnersDone++;
            progress.lastLearner = accepted[li]!.submission.learner;
          }
        }
        report();
      },
    },
    signal,
  );
  return assemble(input, plan.taskOf, results);
}

/** The class's results from the task outcomes, as the CLI assembles them. */
export function assemble(input: ClassGradeInput, taskOf: readonly (readonly (number | undefined)[])[], results: ReadonlyMap<number, TaskOutcome>): ClassGradeOutcome {
  const graderLimited: ClassGradeOutcome['graderLimited'] = [];
  const learners = input.accepted.map((entry, li) => {
    const { result, limited } = learnerResult({ assessment: input.assessment, key: input.key, entry, taskIds: taskOf[li]!, results, metas: input.labs, appVersion: input.appVersion });
    for (const l of limited) graderLimited.push({ learner: result.learner, lab: l.lab, text: l.text });
    return result;
  });
  return { results: classResults(input.assessment, input.labs, learners, [...input.rejected]), graderLimited };
}
