/**
 * A grading worker thread: loads the assessment's labs and QuickJS once, then grades one
 * submission's lab at a time for the pool in grade-node.ts. It holds no state between tasks but
 * the loaded labs, so a task's result depends only on the task. The pool enforces the wall-clock
 * and heap limits from outside (it terminates a worker that overruns them); the sandbox's own step
 * and memory budgets stop almost every runaway first, deterministically.
 *
 * Started by grade-node.ts through a bootstrap that registers tsx, so this file can be TypeScript.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gradeTask, runOnce, type GradingTask, type LabOutcome } from '../labs/assess';
import type { LoadedLab } from '../labs/lab';
import { discardQuickJS, loadQuickJS, prepareLearnerProgram, QuickJSTrap } from '../labs/sandbox';

export interface WorkerInit {
  labs: { id: string; dir: string; absDir: string }[];
}

/** Grade a lab for one piece of code: every seed under the lab's faults, then under each schedule. */
export interface GradeTask extends GradingTask {
  type: 'grade';
}

/** Run code once per listed run and say which runs passed every check (for `key new`'s verification). */
export interface VerifyTask {
  type: 'verify';
  id: number;
  lab: string;
  code: string;
  runs: { seed: number; faults?: unknown }[];
}

export type WorkerTask = GradeTask | VerifyTask;

export interface VerifyRun {
  seed: number;
  passed: boolean;
  failed: string[];
  issues: string[];
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'boot-failed'; message: string }
  | { type: 'graded'; id: number; outcome: LabOutcome }
  | { type: 'verified'; id: number; runs: VerifyRun[] }
  | { type: 'failed'; id: number; message: string; fatal?: true };

async function main(): Promise<void> {
  const port = parentPort!;
  const init = workerData as WorkerInit;
  const labs = new Map<string, LoadedLab>();
  try {
    for (const l of init.labs) {
      const spec = ((await import(pathToFileURL(join(l.absDir, 'lab.ts')).href)) as { default: LoadedLab['spec'] }).default;
      labs.set(l.id, { spec, dir: l.dir, readme: '', starter: '', solution: '' });
    }
    await loadQuickJS();
  } catch (e) {
    port.postMessage({ type: 'boot-failed', message: (e as Error).stack ?? String(e) } satisfies WorkerReply);
    return;
  }
  port.on('message', (task: WorkerTask) => port.postMessage(handle(task, labs)));
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

function handle(task: WorkerTask, labs: ReadonlyMap<string, LoadedLab>): WorkerReply {
  const lab = labs.get(task.lab);
  if (!lab) return { type: 'failed', id: task.id, message: `the worker has no lab "${task.lab}"` };
  if (task.type === 'grade') return gradeTask(lab, task);
  try {
    // One file name for everyone's code, so the same code gives the same messages and results.
    const prepared = prepareLearnerProgram(task.code, { filename: `${task.lab}.ts` });
    if (!prepared.ok) return { type: 'failed', id: task.id, message: `the code does not compile: ${prepared.problem.text}` };
    const runs = task.runs.map((r) => {
      const o = runOnce(lab, prepared.program, r.seed, r.faults, r.faults === undefined ? undefined : 'candidate fault schedule');
      return { seed: r.seed, passed: o.passed && !o.issues.some((i) => i.kind === 'budget' || i.kind === 'fatal' || i.kind === 'load'), failed: o.failed, issues: o.issues.map((i) => i.text) };
    });
    return { type: 'verified', id: task.id, runs };
  } catch (e) {
    if (e instanceof QuickJSTrap || e instanceof WebAssembly.RuntimeError) {
      discardQuickJS();
      return { type: 'failed', id: task.id, message: e.message, fatal: true };
    }
    // An exception out of the engine is our bug, not the learner's: the pool reports it as such.
    return { type: 'failed', id: task.id, message: (e as Error).stack ?? String(e) };
  }
}

if (parentPort) void main();
