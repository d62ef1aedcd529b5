import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { Envelope, NodeFactory, SimNode } from '../../sim/node';
import type { Rng } from '../../sim/rng';
import { SimPromise } from '../../sim/sim-promise';
import type { Timer } from '../../sim/kernel';
import type { ApiDefinition, CallOptions, Json, LearnerMessage, LearnerRequest, ServiceOpPath } from './api';
import { ApiError } from './bridge';
import { resolveBudgets, type Budgets } from './budgets';
import type { LearnerProblem } from './errors';
import { LearnerKinds } from './kinds';
import type { LearnerProgram } from './program';
import { Sandbox, type CallContext, type CallResult, type ConsoleLine, type SandboxHost } from './sandbox';
import { isWire, type CommitBody, type Wire } from './wire';

/** What happens to the run when a handler exceeds a budget. The overrun is recorded either way. */
export type BudgetPolicy = 'continue' | 'crash-node' | 'stop-run';

export interface LearnerNodeOptions {
  /** Code checked before the run with prepareLearnerProgram. */
  program: LearnerProgram;
  budgets?: Partial<Budgets>;
  /** Default `continue`: the call fails, the node goes on with its next message. */
  onBudgetExceeded?: BudgetPolicy;
  /** Export names the node calls (defaults `handleMessage`, `handleRequest`). */
  handlers?: { message?: string; request?: string };
  /** Handle the messages of a batch one after another, awaiting each (default true, like KafkaJS's eachMessage). */
  sequential?: boolean;
  /** Default timeout of `ctx.call` and `ctx.commit`, in simulated milliseconds (default 1000). */
  callTimeoutMs?: number;
  quickjs?: QuickJSWASMModule;
  /**
   * The API learner code sees, when a lab extends the service API (see `extendApi`). Paths the
   * service API does not know are answered by `ops`.
   */
  api?: ApiDefinition;
  /** Host implementations of a lab's extra API paths (`'billing.charge'`), built per incarnation. */
  ops?: (node: SimNode) => Readonly<Record<string, LabOp>>;
  /** `ctx.send` over a TCP-like stream (in order, held across partitions) instead of as a datagram. */
  streamSends?: boolean;
}

/** A lab's API operation: checked arguments in; a value, or a SimPromise for an async op, out. */
export type LabOp = (args: readonly unknown[], call: CallContext) => unknown;

/**
 * A message handed to learner code by a model on the same node (a Kafka consumer, an AMQP
 * channel), rather than across the network. `commit` is what `ctx.commit(msg)` does for it.
 */
export interface LocalDelivery {
  payload: Json;
  /** Who the message is from, as the learner sees it (a topic-partition, a queue). */
  from: string;
  sentAtMs: number;
  commit: () => SimPromise<void>;
}

/** Deliveries a node remembers for `ctx.commit` before it forgets the oldest (a limit on everything). */
const DELIVERIES_MAX = 100_000;
const DB_PREFIX = 'db:';

/**
 * A node whose behaviour is learner code. Each incarnation gets a fresh sandbox that re-runs the
 * module; a crash disposes it, and the node's timers (sleeps, disk callbacks, call timeouts) die
 * with the incarnation, so a promise pending at the crash never settles: the crash can fall
 * between `await ctx.db.put(…)` and `await ctx.commit(msg)`.
 *
 *   world.addNode('orders', learnerNode({ program }))
 */
export function learnerNode(opts: LearnerNodeOptions): NodeFactory {
  const runtimes = new Map<SimNode, LearnerNodeRuntime>();
  return (node) => {
    let rt = runtimes.get(node);
    if (!rt) {
      rt = new LearnerNodeRuntime(node, opts);
      runtimes.set(node, rt);
      const r = rt;
      node.listen({ onCrash: () => r.crashed() });
    }
    rt.boot();
    return rt.behavior();
  };
}

/** The behaviour object a learner node exposes; tests reach the sandbox through `node.peek()`. */
export interface LearnerBehavior {
  onMessage(payload: unknown, env: Envelope): void;
  /**
   * Hands messages to `handleMessage` from a model on this node. `onDone` runs (inside the kernel
   * event that finishes the last one) when every handler call has settled, with how many failed,
   * so a consumer loop can fetch the next batch only then, as KafkaJS's eachMessage does.
   */
  deliverLocal(messages: readonly LocalDelivery[], onDone?: (failed: number) => void): void;
  readonly sandbox: Sandbox | undefined;
}

interface PendingRequest {
  promise: SimPromise<Json>;
  timer: Timer;
  onOk?: () => void;
}

/** One learner node's engine side, across incarnations. */
class LearnerNodeRuntime implements SandboxHost {
  private sandbox: Sandbox | undefined;
  private readonly rng: Rng;
  private readonly budgets: Budgets;
  private readonly policy: BudgetPolicy;
  private readonly messageHandler: string;
  private readonly requestHandler: string;
  private readonly timeoutMs: number;
  private consoleLines = 0;
  private cappedNoticed = false;
  /** Request ids are unique over the node's life, so a reply to a dead incarnation matches nothing. */
  private requestSeq = 0;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly deliveries = new Map<string, (CommitBody & { from: string }) | LocalDelivery>();
  private localSeq = 0;
  private labOps: Readonly<Record<string, LabOp>> = {};
  /** Refusals (missing export, module did not load) are recorded once per incarnation. */
  private readonly noticed = new Set<string>();

  constructor(
    private readonly node: SimNode,
    private readonly opts: LearnerNodeOptions,
  ) {
    this.rng = node.rng.fork('learner');
    this.budgets = resolveBudgets(opts.budgets);
    this.policy = opts.onBudgetExceeded ?? 'continue';
    this.messageHandler = opts.handlers?.message ?? 'handleMessage';
    this.requestHandler = opts.handlers?.request ?? 'handleRequest';
    this.timeoutMs = opts.callTimeoutMs ?? 1000;
  }

  boot(): void {
    this.sandbox?.dispose();
    this.noticed.clear();
    this.labOps = this.opts.ops?.(this.node) ?? {};
    this.sandbox = Sandbox.create({
      module: this.opts.program.module,
      host: this,
      api: this.opts.api,
      nodeName: this.node.name,
      budgets: this.budgets,
      consoleLinesLeft: this.budgets.consoleLinesMax - this.consoleLines,
      quickjs: this.opts.quickjs,
    });
    if (this.sandbox.status === 'ready') this.node.record(LearnerKinds.loaded, { exports: [...this.sandbox.exports], incarnation: this.node.incarnation });
  }

  crashed(): void {
    this.sandbox?.dispose();
    this.sandbox = undefined;
    for (const r of this.requests.values()) this.node.cancelTimer(r.timer);
    this.requests.clear();
    this.deliveries.clear();
  }

  behavior(): LearnerBehavior {
    const self = this;
    return {
      onMessage: (payload, env) => self.receive(payload, env),
      deliverLocal: (messages, onDone) => self.deliverLocal(messages, onDone),
      get sandbox() {
        return self.sandbox;
      },
    };
  }

  // ---- the network side ----

  private receive(payload: unknown, env: Envelope): void {
    if (!isWire(payload)) {
      this.deliver(env, [payload as Json]);
      return;
    }
    switch (payload.wire) {
      case 'message':
        this.deliver(env, [payload.body]);
        return;
      case 'batch':
        this.deliver(env, payload.bodies);
        return;
      case 'response':
        this.settleRequest(payload);
        return;
      case 'request':
        this.answer(payload, env);
        return;
    }
  }

  private deliver(env: Envelope, bodies: Json[]): void {
    const sb = this.sandbox;
    if (!sb) return;
    const single = bodies.length === 1;
    const msgs: LearnerMessage[] = bodies.map((payload, i) => {
      const id = single ? `${env.msgId}` : `${env.msgId}.${i}`;
      this.remember(id, single ? { from: env.from, msgId: env.msgId } : { from: env.from, msgId: env.msgId, index: i });
      return { id, from: env.from, sentAtMs: env.sentUs / 1000, payload };
    });
    sb.invokeEach(this.messageHandler, msgs as unknown as Json[], {
      sequential: this.opts.sequential !== false,
      onResult: (_, r) => this.refused(r),
    });
  }

  private deliverLocal(messages: readonly LocalDelivery[], onDone?: (failed: number) => void): void {
    const sb = this.sandbox;
    if (!sb) return;
    const msgs: LearnerMessage[] = messages.map((m) => {
      // Ids are unique over the node's life, so a commit from a dead incarnation matches nothing.
      const id = `local-${++this.localSeq}`;
      this.remember(id, m);
      return { id, from: m.from, sentAtMs: m.sentAtMs, payload: m.payload };
    });
    let failed = 0;
    sb.invokeEach(this.messageHandler, msgs as unknown as Json[], {
      sequential: this.opts.sequential !== false,
      onResult: (_, r) => {
        if (!r.ok) failed++;
        this.refused(r);
      },
      onDone: () => onDone?.(failed),
    });
  }

  private remember(id: string, d: (CommitBody & { from: string }) | LocalDelivery): void {
    if (this.deliveries.size >= DELIVERIES_MAX) this.deliveries.delete(this.deliveries.keys().next().value!);
    this.deliveries.set(id, d);
  }

  private answer(req: Extract<Wire, { wire: 'request' }>, env: Envelope): void {
    const sb = this.sandbox;
    if (!sb) return;
    const reply = (w: Wire): void => void this.node.send(env.from, w);
    if (req.op !== 'call') {
      reply({ wire: 'response', id: req.id, ok: false, error: `${this.node.name} is a learner service; it does not take ${req.op} requests` });
      return;
    }
    const request: LearnerRequest = { from: env.from, payload: req.body };
    sb.invoke(this.requestHandler, request as unknown as Json, (r) => {
      this.refused(r);
      if (r.ok) reply({ wire: 'response', id: req.id, ok: true, body: r.value === undefined ? null : r.value });
      else reply({ wire: 'response', id: req.id, ok: false, error: `${this.node.name}: ${r.problem.text.split('\n')[0]}` });
    });
  }

  /** A call refused without running (no such export, module did not load): say so once per incarnation. */
  private refused(r: CallResult): void {
    if (r.ok || r.reported || this.noticed.has(r.problem.text)) return;
    this.noticed.add(r.problem.text);
    this.node.record(LearnerKinds.error, problemData(r.problem));
  }

  private request(to: string, op: 'call' | 'commit', body: Json, timeoutMs: number, what: string): SimPromise<Json> {
    const id = `${this.node.name}#${++this.requestSeq}`;
    const promise = new SimPromise<Json>();
    const timer = this.node.setTimer(Math.round(timeoutMs * 1000), () => {
      if (!this.requests.delete(id)) return;
      promise.reject(new ApiError(`${what} timed out after ${timeoutMs} ms of simulated time (no reply from ${to})`));
    });
    this.requests.set(id, { promise, timer });
    this.node.send(to, { wire: 'request', id, op, body } satisfies Wire);
    return promise;
  }

  private settleRequest(res: Extract<Wire, { wire: 'response' }>): void {
    const r = this.requests.get(res.id);
    if (!r) return; // late: it timed out, or was sent by an earlier incarnation
    this.requests.delete(res.id);
    this.node.cancelTimer(r.timer);
    if (res.ok) r.promise.resolve(res.body ?? null);
    else r.promise.reject(new ApiError(res.error ?? 'the request failed'));
  }

  // ---- SandboxHost ----

  /** This node's wall clock, like Date.now() on a real machine: a clockSkew or clockDrift fault moves it. */
  nowMs(): number {
    return this.node.clock.readUs(this.node.nowUs) / 1000;
  }

  random(): number {
    return this.rng.next();
  }

  op(path: string, args: readonly unknown[], call: CallContext): unknown {
    switch (path as ServiceOpPath) {
      case 'sleep':
        return this.after(Math.round((args[0] as number) * 1000), () => undefined);
      case 'db.get': {
        const key = DB_PREFIX + (args[0] as string);
        return this.after(0, () => (this.node.disk.get(key) as Json | undefined) ?? undefined);
      }
      case 'db.put':
        return this.durableWrite('ctx.db.put', args[0] as string, args[1] as Json, LearnerKinds.dbPut);
      case 'db.delete':
        return this.durableWrite('ctx.db.delete', args[0] as string, undefined, LearnerKinds.dbDelete);
      case 'commit':
        return this.commit(args[0] as LearnerMessage);
      case 'call': {
        const service = this.service('ctx.call', args[0] as string);
        const timeoutMs = (args[2] as CallOptions | undefined)?.timeoutMs ?? this.timeoutMs;
        return this.request(service, 'call', args[1] as Json, timeoutMs, `ctx.call('${service}')`);
      }
      case 'send': {
        const to = this.service('ctx.send', args[0] as string);
        this.node.send(to, { wire: 'message', body: args[1] as Json } satisfies Wire, this.opts.streamSends ? { stream: true } : undefined);
        return undefined;
      }
    }
    const labOp = this.labOps[path];
    if (labOp) return labOp(args, call);
    throw new ApiError(`ctx.${path} is not available on this node (called from ${call.handler})`);
  }

  console(line: ConsoleLine): boolean {
    if (this.consoleLines >= this.budgets.consoleLinesMax) {
      this.consoleCapped();
      return false;
    }
    this.consoleLines++;
    const data: Record<string, unknown> = { level: line.level, text: line.text, handler: line.handler };
    if (line.line !== undefined) {
      data.line = line.line;
      data.column = line.column;
    }
    this.node.record(LearnerKinds.log, data);
    return true;
  }

  consoleCapped(): void {
    if (this.cappedNoticed) return;
    this.cappedNoticed = true;
    const max = this.budgets.consoleLinesMax;
    this.node.record(LearnerKinds.logCapped, { linesMax: max, text: `console output of ${this.node.name} reached ${max} lines; later lines are dropped` });
  }

  problem(p: LearnerProblem): void {
    this.node.record(p.kind === 'budget' ? LearnerKinds.budget : LearnerKinds.error, problemData(p));
    const kernel = this.node.world.kernel;
    if (p.sandboxStopped) {
      // A sandbox that had to be stopped (wedged, or out of memory) is a dead process: the node crashes.
      kernel.after(0, () => this.node.crash());
      return;
    }
    if (p.kind !== 'budget') return;
    if (this.policy === 'crash-node') kernel.after(0, () => this.node.crash());
    else if (this.policy === 'stop-run') kernel.stop();
  }

  // ---- operations ----

  /** A promise that resolves after `delayUs` if this incarnation is still alive (timers die with it). */
  private after<T>(delayUs: number, value: () => T): SimPromise<T> {
    const p = new SimPromise<T>();
    this.node.setTimer(delayUs, () => p.resolve(value()));
    return p;
  }

  private durableWrite(what: string, key: string, value: Json | undefined, kind: string): SimPromise<void> {
    const p = new SimPromise<void>();
    this.node.diskPut(DB_PREFIX + key, value, (err) => {
      if (err) return p.reject(new ApiError(`${what}: ${err.message}`));
      this.node.fsync((err2) => {
        if (err2) return p.reject(new ApiError(`${what}: ${err2.message}`));
        this.node.record(kind, { key });
        p.resolve();
      });
    });
    return p;
  }

  private commit(msg: LearnerMessage): SimPromise<void> {
    const d = this.deliveries.get(msg.id);
    if (!d) {
      throw new ApiError(`ctx.commit(msg): message ${msg.id} was not delivered to ${this.node.name} since its last restart, or was committed already`);
    }
    this.deliveries.delete(msg.id);
    if ('commit' in d) {
      const local = new SimPromise<void>();
      d.commit().onSettled((q) => {
        if (q.state === 'rejected') return local.reject(q.reason instanceof ApiError ? q.reason : new ApiError(`ctx.commit of message ${msg.id}: ${String((q.reason as Error)?.message ?? q.reason)}`));
        this.node.record(LearnerKinds.commit, { id: msg.id });
        local.resolve();
      });
      return local;
    }
    const body: CommitBody = d.index === undefined ? { msgId: d.msgId } : { msgId: d.msgId, index: d.index };
    const done = new SimPromise<void>();
    this.request(d.from, 'commit', body as unknown as Json, this.timeoutMs, `ctx.commit of message ${msg.id}`).onSettled((q) => {
      if (q.state === 'rejected') return done.reject(q.reason);
      this.node.record(LearnerKinds.commit, { id: msg.id });
      done.resolve();
    });
    return done;
  }

  private service(what: string, name: string): string {
    if (this.node.world.nodeOrUndefined(name)) return name;
    const known = this.node.world.nodeNames().filter((n) => n !== this.node.name);
    throw new ApiError(`${what}: there is no service named "${name}" (nodes: ${known.join(', ') || 'none'})`, 'TypeError');
  }
}

/** A problem as history data: everything but the rendered text is for tools; `text` is for people. */
function problemData(p: LearnerProblem): Record<string, unknown> {
  const d: Record<string, unknown> = { handler: p.handler, kind: p.kind };
  if (p.budget) d.budget = p.budget;
  d.name = p.name;
  d.message = p.message;
  if (p.line !== undefined) {
    d.line = p.line;
    d.column = p.column;
  }
  d.text = p.text;
  return d;
}
