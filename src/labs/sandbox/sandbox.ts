import { DefaultIntrinsics, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import { assert } from '../../sim/assert';
import { SimPromise } from '../../sim/sim-promise';
import { serviceApi, type Json } from './api';
import { ApiError, bridgePlan, checkArgs, type BridgePlan } from './bridge';
import { BudgetMeter } from './budget-meter';
import { formatBytes, resolveBudgets, type Budgets } from './budgets';
import { CallTable, type CallResult, type InvokeOptions } from './call-table';
import { budgetOf, describeProblem, learnerFrames, MODULE_TOP_LEVEL, syntaxProblem, type BudgetName, type LearnerProblem, type ProblemKind, type RawError } from './errors';
import { encodeEvents } from './event-batch';
import { readOutbox } from './outbox';
import { PRELUDE_FILENAME, PRELUDE_SOURCE } from './prelude';
import { discardQuickJS, QuickJSTrap, quickJS } from './quickjs';
import { toLearnerPosition, type TranspiledModule } from './transpile';
import type { ConsoleLevel, ConsoleLine, SandboxHost, SandboxOptions, SandboxStatus } from './sandbox-host';

export type { CallResult, InvokeOptions } from './call-table';
export type { CallContext, ConsoleLevel, ConsoleLine, SandboxHost, SandboxOptions, SandboxStatus } from './sandbox-host';

/** Jobs run per executePendingJobs call, so the wedge check runs between chunks. */
const JOBS_CHUNK = 256;
/** Crossings one sandbox entry may chain (resumes after budget errors, queued settles) before it stops. */
const CHAINED_CROSSINGS_MAX = 100_000;

/**
 * One learner node's code, running in its own QuickJS runtime and context: module-scope state
 * lives here between messages and dies with the sandbox (a crash disposes it; a restart makes a
 * new one and re-runs the module).
 *
 * Calls cross the boundary as JSON text, many events per crossing. Promises the host hands out
 * settle in later crossings, each a simulation event, and QuickJS's pending jobs run right then,
 * so `await` inside a handler suspends across simulated time.
 *
 * Budgets are enforced per call with QuickJS's interrupt handler (a deterministic count of polls),
 * its memory limit and its stack limit; each overrun is a LearnerProblem naming the handler and line.
 */
export class Sandbox {
  readonly module: TranspiledModule;
  readonly budgets: Budgets;
  readonly nodeName: string;
  private readonly host: SandboxHost;
  private readonly plan: BridgePlan;
  private readonly calls = new CallTable();
  private readonly meter: BudgetMeter;
  private rt: QuickJSRuntime | undefined;
  private ctx: QuickJSContext | undefined;
  private entries: Record<'load' | 'dispatch' | 'resume' | 'settle' | 'flush' | 'state', QuickJSHandle> | undefined;
  private statusValue: SandboxStatus = 'ready';
  private exportNames: string[] = [];
  private loadProblemValue: LearnerProblem | undefined;
  private stopProblem: LearnerProblem | undefined;

  private pendingOps = 0;

  // Per-crossing state.
  private inCrossing = false;
  private wantFlush = false;
  private readonly settleQueue: { id: number; p: SimPromise<unknown> }[] = [];
  private hostFault: { error: unknown } | undefined;
  private disposeRequested = false;

  /** Crossings into QuickJS so far (for the bench and the curious). */
  crossings = 0;

  private constructor(opts: SandboxOptions) {
    this.module = opts.module;
    this.host = opts.host;
    this.nodeName = opts.nodeName ?? 'node';
    this.plan = bridgePlan(opts.api ?? serviceApi);
    this.budgets = resolveBudgets(opts.budgets);
    this.meter = new BudgetMeter(this.budgets, { readState: (k) => this.readState(k), heapBytes: () => this.heapBytes() });
  }

  /**
   * Creates the runtime, installs the prelude and runs the module's top level. A module that does
   * not compile or throws while loading still yields a sandbox, in status `load-failed`, with
   * `loadProblem` set (and reported to the host), so the node stays up and says why.
   */
  static create(opts: SandboxOptions): Sandbox {
    const sb = new Sandbox(opts);
    sb.boot(opts.quickjs ?? quickJS(), opts.consoleLinesLeft ?? sb.budgets.consoleLinesMax);
    return sb;
  }

  get status(): SandboxStatus {
    return this.statusValue;
  }

  /** The functions the module exports, in export order. */
  get exports(): readonly string[] {
    return this.exportNames;
  }

  /** Why the module did not load, when it did not. */
  get loadProblem(): LearnerProblem | undefined {
    return this.loadProblemValue;
  }

  has(handler: string): boolean {
    return this.exportNames.includes(handler);
  }

  /** Host operations started and not yet settled. */
  get pendingOperations(): number {
    return this.pendingOps;
  }

  /** Calls one handler with one event. */
  invoke(handler: string, event: Json, onResult?: (result: CallResult) => void): void {
    this.invokeEach(handler, [event], onResult ? { onResult: (_, r) => onResult(r) } : {});
  }

  /**
   * Calls `handler` once per event, all in one crossing when the handler completes synchronously
   * (about 10 µs saved per event), in order; sequentially across awaits unless `sequential: false`.
   */
  invokeEach(handler: string, events: readonly Json[], opts: InvokeOptions = {}): void {
    assert(!this.inCrossing, 'a sandbox is not re-entered from its own host operations');
    const n = events.length;
    if (n === 0) {
      opts.onDone?.([]);
      return;
    }
    const refusal = this.refusal(handler);
    if (refusal) {
      const results: CallResult[] = events.map(() => ({ ok: false, problem: refusal, reported: false }));
      results.forEach((r, i) => opts.onResult?.(i, r));
      opts.onDone?.(results);
      return;
    }
    const base = this.calls.openBatch(handler, n, opts);
    const eventsJson = encodeEvents(events);
    const sequential = opts.sequential === false ? 0 : 1;
    this.cross(() => this.callEntry('dispatch', [base, handler, eventsJson, sequential, this.host.nowMs()]));
  }

  /** Frees the QuickJS runtime. Pending host promises are forgotten: their settlements are ignored. */
  dispose(): void {
    if (this.inCrossing) {
      this.disposeRequested = true;
      return;
    }
    if (this.statusValue === 'disposed') return;
    this.statusValue = 'disposed';
    this.release();
  }

  // ---- boot ----

  private boot(qjs: QuickJSWASMModule, consoleLinesLeft: number): void {
    const rt = qjs.newRuntime();
    this.rt = rt;
    rt.setMemoryLimit(this.budgets.memoryBytesMax);
    rt.setMaxStackSize(this.budgets.compileStackBytesMax);
    rt.setInterruptHandler(this.onInterrupt);
    const ctx = rt.newContext({ intrinsics: { ...DefaultIntrinsics, Date: false } });
    this.ctx = ctx;
    // The first memory measurement creates quickjs-emscripten's helper context. Doing that inside
    // the interrupt handler, mid-execution, corrupts the position QuickJS records for the running
    // function (errors then point at its first line), so make it now, before any code runs.
    rt.computeMemoryUsage().dispose();

    // The prelude: compiled, then called with the host functions, which therefore never sit on the global.
    const preludeFn = ctx.evalCode(PRELUDE_SOURCE, PRELUDE_FILENAME, { type: 'global', strict: true });
    if (preludeFn.error) {
      const raw = this.readRaw(preludeFn.error);
      preludeFn.error.dispose();
      this.bootFailed(raw);
      return;
    }
    const args = [
      ctx.newFunction('hostOp', this.hostOp),
      ctx.newFunction('hostRandom', this.hostRandom),
      ctx.newString(this.nodeName),
      ctx.newString(this.plan.def.moduleName),
      ctx.newString(this.plan.planJson),
      ctx.newString(JSON.stringify({ crossingCharsMax: this.budgets.crossingCharsMax, consoleLineCharsMax: this.budgets.consoleLineCharsMax, consoleLinesLeft: Math.max(0, consoleLinesLeft) })),
    ];
    const made = ctx.callFunction(preludeFn.value, ctx.undefined, args);
    preludeFn.value.dispose();
    for (const a of args) a.dispose();
    if (made.error) {
      const raw = this.readRaw(made.error);
      made.error.dispose();
      this.bootFailed(raw);
      return;
    }
    const obj = made.value;
    this.entries = {
      load: ctx.getProp(obj, 'load'),
      dispatch: ctx.getProp(obj, 'dispatch'),
      resume: ctx.getProp(obj, 'resume'),
      settle: ctx.getProp(obj, 'settle'),
      flush: ctx.getProp(obj, 'flush'),
      state: ctx.getProp(obj, 'state'),
    };
    obj.dispose();

    // The learner's module: compiled under the tight compile stack, run under the handler stack.
    const compiled = ctx.evalCode(this.module.code, this.module.filename, { type: 'global', strict: true });
    rt.setMaxStackSize(this.budgets.stackBytesMax);
    if (compiled.error) {
      const raw = this.readRaw(compiled.error);
      compiled.error.dispose();
      const pos = 'thrown' in raw || raw.name !== 'SyntaxError' ? undefined : compilePosition(raw, this.module);
      const p = pos && !('thrown' in raw) ? syntaxProblem(this.module.filename, pos.line, pos.column, raw.message) : this.problemFrom('load', MODULE_TOP_LEVEL, raw);
      this.failLoad(p);
      return;
    }
    const moduleFn = compiled.value;
    try {
      this.cross(() => this.callEntry('load', [moduleFn, this.host.nowMs()]));
    } finally {
      moduleFn.dispose();
    }
  }

  private bootFailed(raw: RawError): void {
    // The prelude itself failed: only a budget too small to hold it can do that.
    const p = this.problemFrom('fatal', MODULE_TOP_LEVEL, raw);
    p.text = `the sandbox could not start (${'thrown' in raw ? raw.thrown : `${raw.name}: ${raw.message}`}); are the budgets too small?`;
    this.failLoad(p);
  }

  private failLoad(p: LearnerProblem): void {
    this.loadProblemValue = p;
    this.statusValue = 'load-failed';
    this.host.problem(p);
  }

  private refusal(handler: string): LearnerProblem | undefined {
    const stopped = this.stopProblem;
    if (this.statusValue === 'stopped' || this.statusValue === 'disposed') {
      return { ...(stopped ?? this.basicProblem('fatal', handler, 'the sandbox is stopped')), handler };
    }
    if (this.statusValue === 'load-failed') {
      return this.basicProblem('load', handler, `${handler} cannot run: ${this.module.filename} did not load (${this.loadProblemValue?.text.split('\n')[0] ?? 'see the earlier error'})`);
    }
    if (!this.has(handler)) {
      const list = this.exportNames.length > 0 ? this.exportNames.join(', ') : 'nothing';
      return this.basicProblem('threw', handler, `${this.module.filename} does not export a function named ${handler} (it exports ${list})`);
    }
    return undefined;
  }

  private basicProblem(kind: ProblemKind, handler: string, text: string): LearnerProblem {
    return { kind, handler, name: '', message: text, stack: '', text };
  }

  // ---- crossings ----

  private callEntry(name: 'load' | 'dispatch' | 'resume' | 'settle' | 'flush', args: (number | string | QuickJSHandle)[]) {
    const ctx = this.ctx!;
    const handles: QuickJSHandle[] = [];
    const argHandles = args.map((a) => {
      if (typeof a === 'number') {
        const h = ctx.newNumber(a);
        handles.push(h);
        return h;
      }
      if (typeof a === 'string') {
        const h = ctx.newString(a);
        handles.push(h);
        return h;
      }
      return a;
    });
    this.crossings++;
    try {
      return ctx.callFunction(this.entries![name], ctx.undefined, argHandles);
    } finally {
      for (const h of handles) h.dispose();
    }
  }

  /**
   * One crossing: enter QuickJS, take what it reports, run its pending jobs, collect what they
   * reported. Host callbacks (results, completions) run after QuickJS has returned.
   */
  private cross(enter: () => ReturnType<QuickJSContext['callFunction']>): void {
    assert(!this.inCrossing, 'crossings do not nest');
    if (this.statusValue !== 'ready' || !this.ctx) return;
    this.inCrossing = true;
    this.meter.startCrossing();
    this.wantFlush = false;
    try {
      this.take(enter());
      for (let chained = 0; this.statusValue === 'ready'; chained++) {
        if (chained > CHAINED_CROSSINGS_MAX) {
          this.stop('kept scheduling promise jobs without end');
          break;
        }
        if (this.wantFlush || this.rt!.hasPendingJob()) {
          this.runJobs();
          if (this.statusValue !== 'ready') break;
          this.wantFlush = false;
          // Cross again only when the jobs left something to collect (reading a flag is much cheaper).
          if (this.readState('waiting') !== 0) this.take(this.callEntry('flush', [this.host.nowMs()]));
          continue;
        }
        if (!this.settleOverruns()) break;
      }
      if (this.statusValue === 'ready') {
        const used = this.meter.heapOverAfterCrossing();
        if (used !== undefined) this.oomKill(used);
      }
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        // The wasm itself trapped: every sandbox in this module is suspect. Stop this one without
        // touching it, forget the module, and abandon the run (QuickJSTrap).
        this.trapped();
        discardQuickJS();
        throw new QuickJSTrap(e);
      }
      if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
      // The host's own stack overflowed inside QuickJS (the wasm recursion outran V8's stack before
      // QuickJS's check fired). The runtime may be mid-operation: stop it and never touch it again.
      this.broken(e);
    } finally {
      this.inCrossing = false;
    }
    const fault = this.hostFault;
    this.hostFault = undefined;
    this.calls.deliver();
    if (this.disposeRequested) {
      this.disposeRequested = false;
      this.dispose();
    }
    if (fault) throw fault.error;
    // Promises that were already settled when handed over settle now, as their own crossings.
    while (this.settleQueue.length > 0 && this.statusValue === 'ready' && !this.inCrossing) {
      const s = this.settleQueue.shift()!;
      this.crossSettle(s.id, s.p);
    }
  }

  /** Reads an entry's reply: an outbox, or an uncatchable error that escaped (a budget). */
  private take(res: ReturnType<QuickJSContext['callFunction']>): void {
    for (let guard = 0; ; guard++) {
      if (res.error) {
        const raw = this.readRaw(res.error);
        res.error.dispose();
        const callId = this.readStateCall();
        this.failCall(callId, 0, raw);
        if (this.statusValue !== 'ready' || guard > CHAINED_CROSSINGS_MAX) return;
        // The error left the batch loop: carry on with the batch's remaining events.
        res = this.callEntry('resume', [callId, 0, this.host.nowMs()]);
        continue;
      }
      const text = this.ctx!.typeof(res.value) === 'string' ? this.ctx!.getString(res.value) : '[]';
      res.value.dispose();
      this.absorb(text);
      return;
    }
  }

  private runJobs(): void {
    const rt = this.rt!;
    while (this.statusValue === 'ready' && rt.hasPendingJob()) {
      if (this.meter.killing) {
        this.stop('kept running after its step budget ran out (it caught the interruption and scheduled more work)');
        return;
      }
      const r = rt.executePendingJobs(JOBS_CHUNK);
      if (r.error) {
        const raw = this.readRaw(r.error);
        r.error.dispose();
        const callId = this.readStateCall();
        this.failCall(callId, 1, raw);
        if (this.statusValue === 'ready') this.take(this.callEntry('resume', [callId, 0, this.host.nowMs()]));
      }
    }
  }

  /**
   * A step overrun whose call never reported it (learner code caught the interruption, or it hit
   * code whose failure nobody observes): report it without a line, and unblock the call's batch.
   * Returns true when it resumed a batch, so the crossing drains again.
   */
  private settleOverruns(): boolean {
    let resumed = false;
    for (const [callId, o] of this.meter.unreported()) {
      o.reported = true;
      const raw: RawError = { name: 'InternalError', message: 'interrupted', stack: '' };
      const state = this.calls.state(callId);
      if (state === 'finished') {
        // The call finished after all: the overrun is still worth knowing about.
        this.host.problem(describeProblem(this.module, { kind: 'budget', handler: this.calls.handlerOf(callId), raw, budget: 'steps', budgets: this.budgets, position: this.loopPosition(o.loop) }));
        continue;
      }
      this.failCall(callId, 0, raw, 'steps');
      if (state === 'running' && this.statusValue === 'ready') {
        this.take(this.callEntry('resume', [callId, 1, this.host.nowMs()]));
        resumed = true;
      }
    }
    return resumed;
  }

  private crossSettle(id: number, p: SimPromise<unknown>): void {
    this.pendingOps--;
    let ok = 1;
    let json = '';
    if (p.state === 'fulfilled') {
      json = p.value === undefined ? '' : (JSON.stringify(p.value) ?? '');
    } else {
      ok = 0;
      json = JSON.stringify(reasonInfo(p.reason));
    }
    this.cross(() => this.callEntry('settle', [id, ok, json, this.host.nowMs()]));
  }

  // ---- the interrupt handler: budgets per call ----

  private readonly onInterrupt = (): boolean => (this.inCrossing ? this.meter.tick() : false);

  /** The runtime's heap in bytes (QuickJS's own count of what it holds), or undefined. */
  private heapBytes(): number | undefined {
    try {
      const h = this.rt!.computeMemoryUsage();
      const ctx = this.ctx!;
      const u = ctx.getProp(h, 'memory_used_size');
      const used = ctx.typeof(u) === 'number' ? ctx.getNumber(u) : undefined;
      u.dispose();
      h.dispose();
      return used;
    } catch {
      return undefined;
    }
  }

  /** The node holds more than its budget after a crossing: module state grew. Stop it, as the kernel's OOM killer would. */
  private oomKill(used: number): void {
    const handler = this.calls.handlerOf(this.readStateCall());
    const who = handler === MODULE_TOP_LEVEL ? `${this.module.filename} (${MODULE_TOP_LEVEL})` : handler;
    const text = `${who} left ${this.nodeName} holding ${formatBytes(roundMiB(used))} of memory, over its limit of ${formatBytes(this.budgets.memoryBytesMax)} — does something kept between messages grow without bound? The node was stopped, as an out-of-memory kill stops a process`;
    const p: LearnerProblem = { kind: 'budget', budget: 'memory', handler, name: '', message: text, stack: '', text, sandboxStopped: true };
    this.halt(p);
  }

  private readStateCall(): number {
    return this.readState('call');
  }

  /** A number on the prelude's private state object; -1 if it is somehow not a number. */
  private readState(key: 'call' | 'waiting' | 'loop'): number {
    const ctx = this.ctx!;
    const h = ctx.getProp(this.entries!.state, key);
    const v = ctx.typeof(h) === 'number' ? ctx.getNumber(h) : -1;
    h.dispose();
    return v;
  }

  // ---- host functions called from the prelude ----

  private readonly hostRandom = (): QuickJSHandle => {
    const draws: number[] = new Array(64);
    for (let i = 0; i < 64; i++) draws[i] = this.host.random();
    return this.ctx!.newString(JSON.stringify(draws));
  };

  private readonly hostOp = (indexH: QuickJSHandle, idH: QuickJSHandle, callH: QuickJSHandle, argsH: QuickJSHandle, outboxH: QuickJSHandle): QuickJSHandle => {
    const ctx = this.ctx!;
    const reply = (s: string): QuickJSHandle => ctx.newString(s);
    if (ctx.typeof(outboxH) === 'string') this.absorb(ctx.getString(outboxH));
    if (this.statusValue !== 'ready') return reply(errorReply('Error', 'the sandbox is stopping'));
    if (ctx.typeof(indexH) !== 'number' || ctx.typeof(idH) !== 'number' || ctx.typeof(callH) !== 'number' || ctx.typeof(argsH) !== 'string') {
      return reply(errorReply('TypeError', 'malformed call across the sandbox boundary'));
    }
    const index = ctx.getNumber(indexH);
    const promiseId = ctx.getNumber(idH);
    const callId = ctx.getNumber(callH);
    const op = this.plan.ops[index];
    if (!op || op.fn.bridge === 'clock') return reply(errorReply('TypeError', 'unknown operation'));
    const isAsync = op.fn.bridge === 'async';
    try {
      let args: unknown;
      try {
        args = JSON.parse(ctx.getString(argsH));
      } catch {
        throw new ApiError(`ctx.${op.path}: the arguments were not plain data`, 'TypeError');
      }
      const checked = checkArgs(op, args);
      if (isAsync && this.pendingOps >= this.budgets.pendingOpsMax) {
        throw new ApiError(`ctx.${op.path}: ${this.budgets.pendingOpsMax} operations are already in flight on this node; await some before starting more`, 'RangeError');
      }
      const value = this.host.op(op.path, checked, { callId, handler: this.calls.handlerOf(callId) });
      if (!isAsync) return reply(value === undefined ? '{}' : JSON.stringify({ v: value }));
      assert(value instanceof SimPromise, `the host implements async op ${op.path} with a SimPromise`);
      this.pendingOps++;
      const p = value as SimPromise<unknown>;
      p.onSettled(() => this.settleLater(promiseId, p));
      return reply('');
    } catch (e) {
      if (e instanceof ApiError) return reply(errorReply(e.errorName, e.message));
      // An engine bug, not the learner's: let it surface after QuickJS returns, as any engine error does.
      this.hostFault ??= { error: e };
      return reply(errorReply('Error', `internal engine error in ctx.${op.path}`));
    }
  };

  private settleLater(id: number, p: SimPromise<unknown>): void {
    if (this.statusValue !== 'ready') return;
    if (this.inCrossing) {
      this.settleQueue.push({ id, p });
      return;
    }
    this.crossSettle(id, p);
  }

  // ---- the outbox ----

  private absorb(text: string): void {
    const entries = readOutbox(text);
    if (!entries) {
      this.stop('sent malformed data across the sandbox boundary');
      return;
    }
    for (const e of entries) {
      switch (e.kind) {
        case 'done':
          this.calls.complete(e.callId, { ok: true, value: e.value });
          break;
        case 'done-many':
          this.calls.completeMany(e.base, e.indexes, e.values, e.undefinedIndexes);
          break;
        case 'failed':
          this.failCall(e.callId, e.how, e.raw);
          break;
        case 'unhandled-rejection':
          this.host.problem(this.problemFrom('unhandled-rejection', this.calls.handlerOf(e.callId), e.raw));
          break;
        case 'loaded':
          this.exportNames = e.exports;
          break;
        case 'console':
          this.consoleLine(e.callId, e.level, e.text, e.stack);
          break;
        case 'rejections-waiting':
          this.wantFlush = true;
          break;
        case 'console-capped':
          this.host.consoleCapped();
          break;
      }
    }
  }

  private consoleLine(callId: number, level: string, text: string, stack: string): void {
    const lvl: ConsoleLevel = level === 'info' || level === 'warn' || level === 'error' || level === 'debug' ? level : 'log';
    const max = this.budgets.consoleLineCharsMax;
    const line: ConsoleLine = { level: lvl, text: text.length > max ? `${text.slice(0, max)}… (line cut at ${max} characters)` : text, handler: this.calls.handlerOf(callId) };
    const top = learnerFrames(stack, this.module)[0];
    if (top) {
      line.line = top.line;
      line.column = top.column;
    }
    this.host.console(line);
  }

  private failCall(callId: number, how: number, raw: RawError, forced?: BudgetName): void {
    const overrun = this.meter.stepOverrun(callId);
    const memory = this.meter.memoryOverrun(callId);
    let budget = forced ?? budgetOf(raw);
    // Where the interrupt handler stopped the call: the loop it was in, when it was in one.
    let position: { line: number; column: number } | undefined;
    const interrupted = !('thrown' in raw) && raw.name === 'InternalError' && raw.message === 'interrupted';
    if (interrupted && memory) {
      budget = 'memory';
      position = this.loopPosition(memory.loop);
    } else if (overrun && (interrupted || forced === 'steps')) {
      budget = 'steps';
      overrun.reported = true;
      position = this.loopPosition(overrun.loop);
    }
    const handler = this.calls.handlerOf(callId);
    let kind: ProblemKind = callId === 0 ? 'load' : how === 1 ? 'rejected' : how === 2 ? 'bad-return' : 'threw';
    if (budget !== undefined) kind = 'budget';
    const p = describeProblem(this.module, { kind, handler, raw, budget, budgets: this.budgets, position });
    if (callId === 0 && budget === undefined) {
      this.failLoad(p);
      return;
    }
    if (callId === 0) {
      // A budget overrun while loading: the module is half-run, so nothing it exports is trusted.
      this.loadProblemValue = p;
      this.statusValue = 'load-failed';
    }
    this.host.problem(p);
    this.calls.complete(callId, { ok: false, problem: p, reported: true });
  }

  private loopPosition(loop: number): { line: number; column: number } | undefined {
    return loop > 0 ? this.module.loops[loop - 1] : undefined;
  }

  private problemFrom(kind: ProblemKind, handler: string, raw: RawError): LearnerProblem {
    return describeProblem(this.module, { kind, handler, raw, budgets: this.budgets });
  }

  // ---- stopping ----

  /** Stops the sandbox for good: learner code misbehaved in a way that leaves it unusable. */
  private stop(why: string): void {
    if (this.statusValue !== 'ready') return;
    const callId = this.meter.lastTickCall >= 0 ? this.meter.lastTickCall : this.readStateCall();
    const handler = this.calls.handlerOf(callId);
    const text = `${handler === MODULE_TOP_LEVEL ? this.module.filename : handler} ${why}; the node's sandbox was stopped`;
    this.halt({ ...this.basicProblem('fatal', handler, text), sandboxStopped: true });
  }

  private halt(p: LearnerProblem): void {
    this.stopProblem = p;
    this.statusValue = 'stopped';
    this.host.problem(p);
    this.calls.failOutstanding(p);
    this.disposeRequested = true;
  }

  private trapped(): void {
    this.statusValue = 'stopped';
    this.rt = undefined;
    this.ctx = undefined;
    this.entries = undefined;
  }

  private broken(e: RangeError): void {
    const handler = this.calls.handlerOf(this.meter.lastTickCall);
    const text = `${handler} overflowed the engine's native stack (${e.message}): the code nests or recurses too deeply; the node's sandbox was stopped`;
    const p: LearnerProblem = { ...this.basicProblem('fatal', handler, text), sandboxStopped: true };
    this.stopProblem = p;
    this.statusValue = 'stopped';
    this.host.problem(p);
    this.calls.failOutstanding(p);
    // The runtime may be in the middle of an operation: leak it rather than free it.
    this.rt = undefined;
    this.ctx = undefined;
    this.entries = undefined;
  }

  private release(): void {
    const ctx = this.ctx;
    const rt = this.rt;
    this.ctx = undefined;
    this.rt = undefined;
    if (this.entries) for (const h of Object.values(this.entries)) if (h.alive) h.dispose();
    this.entries = undefined;
    ctx?.dispose();
    rt?.dispose();
  }

  private readRaw(h: QuickJSHandle): RawError {
    const ctx = this.ctx!;
    if (ctx.typeof(h) !== 'object') {
      const t = ctx.typeof(h);
      return { thrown: t === 'string' ? JSON.stringify(ctx.getString(h)) : t === 'number' ? String(ctx.getNumber(h)) : t };
    }
    const str = (key: string): string => {
      const v = ctx.getProp(h, key);
      const s = ctx.typeof(v) === 'string' ? ctx.getString(v) : '';
      v.dispose();
      return s;
    };
    return { name: str('name') || 'Error', message: str('message'), stack: str('stack') };
  }
}

function errorReply(name: string, message: string): string {
  return JSON.stringify({ e: { name, message } });
}

/** What a host promise's rejection reason becomes inside the sandbox: an error's name and message. */
function reasonInfo(reason: unknown): { name: string; message: string } {
  if (reason instanceof ApiError) return { name: reason.errorName, message: reason.message };
  if (reason instanceof Error) return { name: reason.name, message: reason.message };
  if (typeof reason === 'object' && reason !== null && typeof (reason as { message?: unknown }).message === 'string') {
    const r = reason as { name?: unknown; message: string };
    return { name: typeof r.name === 'string' ? r.name : 'Error', message: r.message };
  }
  return { name: 'Error', message: String(reason) };
}

/** QuickJS reports a compile error's position as a bare frame `    at handler.ts:3:9`. */
function compilePosition(raw: { stack: string }, mod: TranspiledModule): { line: number; column: number } | undefined {
  const m = new RegExp(`at ${escapeRe(mod.filename)}:(\\d+):(\\d+)`).exec(raw.stack);
  if (!m) return undefined;
  return toLearnerPosition(mod, Number(m[1]), Number(m[2]));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Rounds to whole MiB (for messages) once above one MiB. */
function roundMiB(n: number): number {
  return n >= 1024 * 1024 ? Math.round(n / (1024 * 1024)) * 1024 * 1024 : n;
}
