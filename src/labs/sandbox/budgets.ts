/**
 * Limits on learner code (STYLE 5: a limit on everything). A runaway handler is an error in the
 * history, never a frozen tab.
 */
export interface Budgets {
  /**
   * Steps one handler call may take. A step is one QuickJS interrupt poll: the interpreter polls
   * on every function call and loop back-edge, and every loop condition calls the loop probe
   * (loop-probes.ts), so a loop iteration costs about three steps and the default allows roughly
   * 300,000 iterations. QuickJS reports polls to the host in blocks of POLLS_PER_TICK, so the
   * budget is enforced at that granularity: deterministic (a count, not a clock), exact to within
   * one block.
   */
  stepsPerCallMax: number;
  /** Heap bytes the node's QuickJS runtime may hold (its module state and every call's garbage). */
  memoryBytesMax: number;
  /** Interpreter stack bytes while a handler runs; about 700 plain nested calls at the default. */
  stackBytesMax: number;
  /** Interpreter stack bytes while the module is compiled; bounds how deeply code may nest. */
  compileStackBytesMax: number;
  /** Console lines one node may write over the whole run; the rest are dropped with one notice. */
  consoleLinesMax: number;
  /** Characters kept of one console line. */
  consoleLineCharsMax: number;
  /** Characters of JSON one value may take when it crosses between learner code and the engine. */
  crossingCharsMax: number;
  /** Host operations (sleeps, db writes, calls, commits) one node may have in flight. */
  pendingOpsMax: number;
}

/** QuickJS calls its interrupt handler once every this many polls (JS_INTERRUPT_COUNTER_INIT). */
export const POLLS_PER_TICK = 10_000;

export const DEFAULT_BUDGETS: Budgets = {
  stepsPerCallMax: 1_000_000,
  memoryBytesMax: 32 * 1024 * 1024,
  // Measured: QuickJS in wasm uses up to ~4x its own stack count of the host's native stack when
  // recursing through natives (Array.prototype.map, getters, JSON.parse). 128 KiB keeps the worst
  // path well inside V8's ~984 KiB, so QuickJS's own check fires first and the error is the
  // learner's, not a host RangeError.
  stackBytesMax: 128 * 1024,
  // QuickJS's parser uses ~30x its stack count of native stack; 24 KiB allows ~350 levels of
  // nested brackets and stays far from the host's limit.
  compileStackBytesMax: 24 * 1024,
  consoleLinesMax: 1_000,
  consoleLineCharsMax: 2_000,
  crossingCharsMax: 1024 * 1024,
  pendingOpsMax: 10_000,
};

/** Budgets with the defaults filled in, rejecting values that would disable a limit. */
export function resolveBudgets(partial: Partial<Budgets> = {}): Budgets {
  const b = { ...DEFAULT_BUDGETS, ...partial };
  for (const [k, v] of Object.entries(b)) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`budget ${k} must be a positive number, got ${String(v)}`);
  }
  return b;
}

/** Interrupt-handler calls that make up a step budget (at least one). */
export function ticksFor(steps: number): number {
  return Math.max(1, Math.ceil(steps / POLLS_PER_TICK));
}

/** 1234567 → "1,234,567" without toLocaleString, whose output depends on the machine's locale. */
export function formatCount(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** 33554432 → "32 MiB", 131072 → "128 KiB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${formatCount(n)} bytes`;
}
