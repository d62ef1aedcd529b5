import { defaultTimeLimitMs, taskOutcome, taskRuns, timeLimitText, type GradeTaskReply, type GradingTask, type TaskOutcome } from '../../labs/assess/class-grading';

/** One grading worker as the pool sees it: grade a task, or be thrown away. */
export interface Grader {
  /** Grades a task; `onRun` hears of each run as it finishes. */
  grade(task: GradingTask, onRun?: (runsDone: number, runsPlanned: number) => void): Promise<GradeTaskReply>;
  terminate(): void;
}

export interface PoolOptions {
  /** How many graders run at once. */
  workers: number;
  /** A fresh grader (a Web Worker on the page; the grading core in-process in tests). */
  spawn: () => Grader;
  /** Wall-clock limit for one task; past it the grader is terminated and the lab scores 0 with why. */
  timeLimitMs?: (task: GradingTask) => number;
}

/** Raised by `run` when its signal is aborted: nothing graded so far is kept. */
export class GradingCancelled extends Error {
  override name = 'GradingCancelled';
  constructor() {
    super('grading was cancelled');
  }
}

export interface PoolHooks {
  /** A grader took a task. */
  onStart?: (task: GradingTask) => void;
  /** A run of a task finished. */
  onRun?: (task: GradingTask, runsDone: number, runsPlanned: number) => void;
  /** A task finished (graded, or stopped by the grader's own limits). */
  onResult?: (task: GradingTask, outcome: TaskOutcome) => void;
}

/**
 * Graders that work through tasks, one task each at a time, as the CLI's worker-thread pool does:
 * a grader that overruns the time limit or dies is terminated and replaced, the task recorded with
 * the reason, and the batch goes on. Aborting terminates every grader at once. The results are
 * keyed by task, so how the graders were scheduled never shows in them.
 */
export class GradingPool {
  private readonly live = new Set<Grader>();

  constructor(private readonly opts: PoolOptions) {}

  async run(tasks: readonly GradingTask[], hooks: PoolHooks = {}, signal?: AbortSignal): Promise<Map<number, TaskOutcome>> {
    const results = new Map<number, TaskOutcome>();
    let next = 0;
    let cancelled = false;
    const stopAll = (): void => {
      cancelled = true;
      for (const g of this.live) g.terminate();
      this.live.clear();
    };
    if (signal?.aborted) throw new GradingCancelled();
    signal?.addEventListener('abort', stopAll, { once: true });
    const slot = async (): Promise<void> => {
      let grader: Grader | undefined;
      try {
        while (!cancelled && next < tasks.length) {
          const task = tasks[next++]!;
          if (!grader) {
            grader = this.opts.spawn();
            this.live.add(grader);
          }
          hooks.onStart?.(task);
          const { outcome, lost } = await this.runTask(grader, task, hooks, signal);
          if (cancelled) return;
          if (lost) {
            grader.terminate();
            this.live.delete(grader);
            grader = undefined;
          }
          results.set(task.id, outcome);
          hooks.onResult?.(task, outcome);
        }
      } finally {
        if (grader) {
          grader.terminate();
          this.live.delete(grader);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.workers, tasks.length)) }, slot));
    } finally {
      signal?.removeEventListener('abort', stopAll);
    }
    if (cancelled) throw new GradingCancelled();
    return results;
  }

  private runTask(grader: Grader, task: GradingTask, hooks: PoolHooks, signal?: AbortSignal): Promise<{ outcome: TaskOutcome; lost: boolean }> {
    const limitMs = (this.opts.timeLimitMs ?? ((t) => defaultTimeLimitMs(taskRuns(t))))(task);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: TaskOutcome, lost: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ outcome, lost });
      };
      // A terminated worker never answers: the abort settles the task instead (run discards it).
      const onAbort = (): void => finish({ ok: false, text: 'grading was cancelled' }, true);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => finish({ ok: false, text: timeLimitText(limitMs) }, true), limitMs);
      const onRun = hooks.onRun && ((done: number, planned: number): void => void (!settled && hooks.onRun!(task, done, planned)));
      grader.grade(task, onRun).then(
        // A fatal failure (the grader's QuickJS trapped) retires the grader, as a crash would.
        (reply) => finish(reply.id === task.id ? taskOutcome(reply) : { ok: false, text: 'the grader got no grade for this lab' }, reply.type === 'failed' && reply.fatal === true),
        (e: unknown) => finish({ ok: false, text: `scored 0: the grading worker failed (${(e as Error)?.message ?? String(e)})` }, true),
      );
    });
  }
}
