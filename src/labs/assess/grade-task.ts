import type { LoadedLab } from '../lab/spec';
import { prepareLearnerProgram } from '../sandbox/program';
import { discardQuickJS, QuickJSTrap } from '../sandbox/quickjs';
import { gradedFileName, type GradeTaskReply, type GradingTask } from './class-grading';
import { gradeLab, zeroOutcome } from './grade-lab';

/**
 * Grades one task in whichever worker calls it (QuickJS must be loaded). Everyone's code gets the
 * same file name, so the same code gives the same messages and results.
 */
export function gradeTask(lab: LoadedLab, task: GradingTask, onRun?: (runsDone: number, runsPlanned: number) => void): GradeTaskReply {
  try {
    const prepared = prepareLearnerProgram(task.code, { filename: gradedFileName(task.lab) });
    if (!prepared.ok) return { type: 'graded', id: task.id, outcome: zeroOutcome(lab, task.seeds, task.schedules.length, { kind: 'does-not-compile', text: prepared.problem.text }) };
    return { type: 'graded', id: task.id, outcome: gradeLab(lab, prepared.program, task.seeds, task.schedules, { earlyStop: task.earlyStop, onRun }) };
  } catch (e) {
    if (e instanceof QuickJSTrap || e instanceof WebAssembly.RuntimeError) {
      // The sandbox's wasm trapped: this grader's module is gone; the pool replaces the grader.
      discardQuickJS();
      return { type: 'failed', id: task.id, message: e.message, fatal: true };
    }
    // An exception out of the engine is our bug, not the learner's: the host reports it as such.
    return { type: 'failed', id: task.id, message: (e as Error).stack ?? String(e) };
  }
}
