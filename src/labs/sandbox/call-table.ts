import type { Json } from './api';
import { MODULE_TOP_LEVEL, type LearnerProblem } from './errors';

/** How a call ended. `reported` says whether the problem already went to `SandboxHost.problem` (a refused call, for a missing export or a module that did not load, is not). */
export type CallResult = { ok: true; value: Json | undefined } | { ok: false; problem: LearnerProblem; reported: boolean };

export interface InvokeOptions {
  /** Wait for each call's promise before starting the next, like KafkaJS's eachMessage (default true). */
  sequential?: boolean;
  /** Called as each call finishes (after the crossing that finished it). */
  onResult?: (index: number, result: CallResult) => void;
  /** Called once every call of the batch has finished. */
  onDone?: (results: CallResult[]) => void;
}

/** Where a call stands: never opened (or long finished and forgotten), running, or finished. */
export type CallState = 'unknown' | 'running' | 'finished';

interface Batch {
  base: number;
  n: number;
  handler: string;
  results: (CallResult | undefined)[];
  remaining: number;
  opts: InvokeOptions;
  /** Indexes finished since the last delivery. */
  fresh: number[];
}

/**
 * The calls a sandbox has in flight. Call ids are consecutive per batch (a batch of n events takes
 * n ids), so a batch is a range and a lookup is a binary search; id 0 is the module's top level.
 * Results are collected while QuickJS runs and handed to callbacks only afterwards (`deliver`),
 * so host code never runs in the middle of a crossing.
 */
export class CallTable {
  private next = 1;
  private readonly open: Batch[] = [];
  /** Run-length record of which handler each call id belongs to: [first call id, handler], ascending. */
  private readonly handlerRuns: { base: number; handler: string }[] = [];
  private readonly touched: Batch[] = [];

  /** Opens a batch of `n` calls of `handler`; returns the first call id. */
  openBatch(handler: string, n: number, opts: InvokeOptions): number {
    const base = this.next;
    this.next += n;
    this.open.push({ base, n, handler, results: new Array(n), remaining: n, opts, fresh: [] });
    const last = this.handlerRuns[this.handlerRuns.length - 1];
    if (!last || last.handler !== handler) this.handlerRuns.push({ base, handler });
    return base;
  }

  state(callId: number): CallState {
    const b = this.batchOf(callId);
    if (!b) return 'unknown';
    return b.results[callId - b.base] === undefined ? 'running' : 'finished';
  }

  /** Records a call's result; a second result for the same call is ignored. */
  complete(callId: number, result: CallResult): void {
    const batch = this.batchOf(callId);
    if (!batch) return;
    const i = callId - batch.base;
    if (batch.results[i] !== undefined) return;
    batch.results[i] = result;
    batch.remaining--;
    if (batch.fresh.length === 0) this.touched.push(batch);
    batch.fresh.push(i);
    if (batch.remaining === 0) this.open.splice(this.open.indexOf(batch), 1);
  }

  /**
   * Several calls finished synchronously: `[7, base, indexes, values, undefinedIndexes]` from the
   * outbox, where `indexes` may be the first of consecutive indexes, one per value.
   */
  completeMany(base: number, idx: unknown, vals: unknown, undef: unknown): void {
    if (!Array.isArray(vals) || !Array.isArray(undef)) return;
    if (isCallId(idx)) {
      for (let k = 0; k < vals.length; k++) this.complete(base + idx + k, { ok: true, value: vals[k] as Json });
    } else {
      if (!Array.isArray(idx) || idx.length !== vals.length) return;
      for (let k = 0; k < idx.length; k++) if (isCallId(idx[k])) this.complete(base + idx[k], { ok: true, value: vals[k] as Json });
    }
    for (const u of undef) if (isCallId(u)) this.complete(base + u, { ok: true, value: undefined });
  }

  /** Fails every call still running, with the problem that stopped the sandbox. */
  failOutstanding(p: LearnerProblem): void {
    for (const b of [...this.open]) {
      for (let i = 0; i < b.n; i++) if (b.results[i] === undefined) this.complete(b.base + i, { ok: false, problem: { ...p, handler: b.handler }, reported: true });
    }
  }

  /** Hands finished results to their callbacks. */
  deliver(): void {
    for (const b of this.touched.splice(0)) {
      const fresh = b.fresh.splice(0);
      const onResult = b.opts.onResult;
      if (onResult) for (const i of fresh) onResult(i, b.results[i]!);
      if (b.remaining === 0) b.opts.onDone?.(b.results as CallResult[]);
    }
  }

  /** The handler a call id belongs to, even after the call finished. */
  handlerOf(callId: number): string {
    if (callId <= 0) return MODULE_TOP_LEVEL;
    const runs = this.handlerRuns;
    let lo = 0;
    let hi = runs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]!.base <= callId) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? MODULE_TOP_LEVEL : runs[found]!.handler;
  }

  private batchOf(callId: number): Batch | undefined {
    const bs = this.open;
    let lo = 0;
    let hi = bs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = bs[mid]!;
      if (callId < b.base) hi = mid - 1;
      else if (callId >= b.base + b.n) lo = mid + 1;
      else return b;
    }
    return undefined;
  }
}

/** A call id as it arrives from the sandbox: a non-negative integer, or nothing to act on. */
export function isCallId(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
