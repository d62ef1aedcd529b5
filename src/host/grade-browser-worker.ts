/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { gradeTask, labNodes, type GradeTaskReply, type GradingTask } from '../labs/assess';
import { loadQuickJS, prepareLearnerProgram } from '../labs/sandbox';
import { bundledLabs, listLabs } from './labs-engine';

/**
 * A grading worker for the instructor page: the browser's counterpart of grade-worker.ts. It
 * grades one task at a time with the same grading core (`gradeTask`) and the labs bundled into the
 * app, so a grade here equals `brokerlab grade`'s. The page runs a few of these and terminates one
 * to cancel it or when it overruns the time limit; the key's seeds and schedules reach it only in
 * task messages, never in storage.
 */

/** What the instructor page needs to know about a lab before grading it. */
export interface GradedLabInfo {
  id: string;
  title: string;
  checks: { id: string; title: string; points: number }[];
  /** Simulated milliseconds one run takes (chaos + heal): how the page orders tasks, longest first. */
  simMsPerRun: number;
  /** Every node the lab's scenario builds (a key's fault schedules may name only these). */
  nodes: string[];
}

export interface DescribeReply {
  labs: GradedLabInfo[];
  /** Every lab id this build has, for "unknown lab" messages. */
  known: string[];
  /** Requested labs whose starter does not compile, so their nodes cannot be listed. */
  problems: string[];
}

const api = {
  /** The labs with these ids (those this build has), with their node names from building each world once. */
  async describeLabs(ids: string[]): Promise<DescribeReply> {
    await loadQuickJS();
    const labs = bundledLabs();
    const out: DescribeReply = { labs: [], known: listLabs().labs.map((l) => l.id), problems: [] };
    for (const id of ids) {
      const lab = labs.find((l) => l.spec.id === id);
      if (!lab) continue;
      const p = prepareLearnerProgram(lab.starter, { filename: 'starter.ts' });
      if (!p.ok) {
        out.problems.push(`${lab.dir}/starter.ts does not compile, so the lab's nodes cannot be listed: ${p.problem.text}`);
        continue;
      }
      out.labs.push({
        id,
        title: lab.spec.title,
        checks: lab.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points })),
        simMsPerRun: lab.spec.chaosMs + lab.spec.healMs,
        nodes: labNodes(lab, p.program).all,
      });
    }
    return out;
  },

  /** Grades one task, reporting each run; an unknown lab or an exception out of the engine is a `failed` reply. */
  async grade(task: GradingTask, onRun?: (runsDone: number, runsPlanned: number) => void): Promise<GradeTaskReply> {
    await loadQuickJS();
    const lab = bundledLabs().find((l) => l.spec.id === task.lab);
    if (!lab) return { type: 'failed', id: task.id, message: `the worker has no lab "${task.lab}"` };
    return gradeTask(lab, task, onRun && ((done, planned) => void onRun(done, planned)));
  },
};

export type GradeWorkerApi = typeof api;

Comlink.expose(api);
