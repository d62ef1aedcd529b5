import { PhysicalClock } from './clocks/physical';
import { DEFAULT_DISK, Disk, type DiskConfig, type DiskError, type DiskOp } from './disk';
import { Kinds } from './history';
import type { Timer } from './kernel';
import { sampleLatencyUs, type Rng } from './rng';
import type { SendOptions } from './network/network';
import type { World } from './world';

/** A node is up, crashed (volatile state gone until a restart) or paused (stop-the-world: nothing runs). */
export type NodeState = 'up' | 'crashed' | 'paused';

/** Metadata of a delivered network message. */
export interface Envelope {
  msgId: number;
  from: string;
  sentUs: number;
}

/** What a node does. Everything a behaviour holds is volatile: a crash discards the object. */
export interface NodeBehavior {
  onMessage?(payload: unknown, env: Envelope): void;
}

/** Builds a node's behaviour; called at start and again on every restart, with the same node. */
export type NodeFactory = (node: SimNode) => NodeBehavior;

export interface NodeOptions {
  disk?: Partial<DiskConfig>;
  /** Messages held while paused beyond this are dropped and recorded. */
  mailboxMax?: number;
}

/**
 * A protocol endpoint attached to a node (a client library's sockets): it sees each arriving
 * message before the behaviour and returns true when the message was its own.
 */
export type NodeReceiver = (payload: unknown, env: Envelope) => boolean;

/** Something that wants to know when a node crashes or restarts (the learner-code runtime, a broker's client table). */
export interface NodeLifecycleListener {
  onCrash?(node: SimNode): void;
  onRestart?(node: SimNode): void;
}

/**
 * A simulated machine: a mailbox, volatile state (its behaviour), a disk and a physical clock.
 * Its timers and disk callbacks belong to one incarnation: a crash drops them all, as a real crash
 * drops every in-flight continuation.
 */
export class SimNode {
  readonly name: string;
  readonly disk = new Disk();
  readonly clock = new PhysicalClock();
  readonly rng: Rng;
  private stateValue: NodeState = 'up';
  /** Bumped by every crash; continuations of an older incarnation never run. */
  private incarnationValue = 0;
  private behavior: NodeBehavior | undefined;
  private readonly mailbox: { payload: unknown; env: Envelope }[] = [];
  private readonly deferred: (() => void)[] = [];
  private readonly listeners: NodeLifecycleListener[] = [];
  private receivers: NodeReceiver[] = [];
  private readonly diskConfig: DiskConfig;
  private readonly mailboxMax: number;
  private lastFsyncDoneUs = 0;

  constructor(
    readonly world: World,
    name: string,
    private readonly factory: NodeFactory,
    opts: NodeOptions = {},
  ) {
    this.name = name;
    this.rng = world.rng.fork(`node:${name}`);
    this.diskConfig = { ...DEFAULT_DISK, ...opts.disk };
    this.mailboxMax = opts.mailboxMax ?? 100_000;
  }

  get state(): NodeState {
    return this.stateValue;
  }

  get incarnation(): number {
    return this.incarnationValue;
  }

  /** The true simulated time (what the engine knows, not what this node's clock says). */
  get nowUs(): number {
    return this.world.kernel.nowUs;
  }

  /** Creates the behaviour; the world calls this once when the node is added. */
  start(): void {
    this.behavior = this.factory(this);
  }

  /** Sends a message across the network (see Network.send). Returns the message id, or -1 when this node is not up. */
  send(to: string, payload: unknown, opts?: SendOptions): number {
    if (this.stateValue !== 'up') return -1;
    return this.world.network.send(this.name, to, payload, opts);
  }

  /**
   * Runs `fn` after `delayUs` if this incarnation is still alive. While the node is paused the
   * callback waits for resume, as a stopped process's timers do.
   */
  setTimer(delayUs: number, fn: () => void): Timer {
    const inc = this.incarnationValue;
    return this.world.kernel.after(delayUs, () => {
      if (inc !== this.incarnationValue) return;
      if (this.stateValue === 'paused') this.deferred.push(fn);
      else fn();
    });
  }

  cancelTimer(timer: Timer): void {
    this.world.kernel.cancel(timer);
  }

  /** Reads this node's physical clock, which may be skewed or drifting, and records the reading. */
  readClockUs(): number {
    const t = this.clock.readUs(this.nowUs);
    this.world.record(Kinds.clock, this.name, undefined, undefined, { clockUs: t });
    return t;
  }

  /** A learner- or model-level log line, kept in the history with time and node. */
  log(text: string, level: 'log' | 'info' | 'warn' | 'error' = 'log'): void {
    this.world.record(Kinds.log, this.name, undefined, undefined, { level, text });
  }

  /** Records an entry of any kind on behalf of this node. */
  record(kind: string, data?: unknown, peer?: string, msg?: number): void {
    this.world.record(kind, this.name, peer, msg, data);
  }

  /** Writes a key; `done` runs when the write reached the page cache (or failed). Not durable until fsync. */
  diskPut(key: string, value: unknown, done?: (err?: DiskError) => void): void {
    this.diskOp({ kind: 'put', key, value }, done);
  }

  /** Appends to a log; `done` runs when the write reached the page cache (or failed). */
  diskAppend(log: string, entry: unknown, done?: (err?: DiskError) => void): void {
    this.diskOp({ kind: 'append', log, entry }, done);
  }

  /** Truncates a log to `length` entries. */
  diskTruncate(log: string, length: number, done?: (err?: DiskError) => void): void {
    this.diskOp({ kind: 'truncate', log, length }, done);
  }

  /** Makes every write issued so far durable; `done` runs when the fsync completes. */
  fsync(done?: (err?: DiskError) => void): void {
    if (this.disk.full) {
      this.setTimer(0, () => done?.({ code: 'ENOSPC', message: 'no space left on device' }));
      return;
    }
    const upTo = this.disk.beginSync();
    // The device completes fsyncs in the order they were issued.
    const doneUs = Math.max(this.nowUs + sampleLatencyUs(this.rng, this.diskConfig.fsyncLatency) * this.disk.slowFactor, this.lastFsyncDoneUs);
    this.lastFsyncDoneUs = doneUs;
    this.setTimer(doneUs - this.nowUs, () => {
      const writes = this.disk.completeSync(upTo);
      this.record(Kinds.diskFsync, { writes });
      done?.();
    });
  }

  private diskOp(op: DiskOp, done?: (err?: DiskError) => void): void {
    const err = this.disk.apply(op);
    const delay = sampleLatencyUs(this.rng, this.diskConfig.writeLatency) * this.disk.slowFactor;
    if (done) this.setTimer(delay, () => done(err));
  }

  /** Registers for crash and restart notices. */
  listen(listener: NodeLifecycleListener): void {
    this.listeners.push(listener);
  }

  /**
   * Attaches a receiver for this incarnation (see NodeReceiver), so a library can run on any node
   * whatever its behaviour. A crash detaches every receiver: they are volatile state too.
   * Returns a function that detaches it.
   */
  addReceiver(receiver: NodeReceiver): () => void {
    const list = this.receivers;
    list.push(receiver);
    return () => {
      const i = list.indexOf(receiver);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Offers a message to the receivers, then to the behaviour. */
  private dispatch(payload: unknown, env: Envelope): void {
    const receivers = this.receivers;
    for (let i = 0; i < receivers.length; i++) if (receivers[i]!(payload, env)) return;
    this.behavior?.onMessage?.(payload, env);
  }

  /** Called by the network when a message arrives for this node. */
  receive(payload: unknown, env: Envelope): void {
    if (this.stateValue === 'crashed') return;
    if (this.stateValue === 'paused') {
      if (this.mailbox.length >= this.mailboxMax) {
        this.world.record(Kinds.drop, this.name, env.from, env.msgId, { reason: 'mailbox-full' });
        return;
      }
      this.mailbox.push({ payload, env });
      return;
    }
    this.dispatch(payload, env);
  }

  /** Crash: volatile state, pending timers, held messages and unsynced writes are lost. */
  crash(): void {
    if (this.stateValue === 'crashed') return;
    this.stateValue = 'crashed';
    this.incarnationValue++;
    this.behavior = undefined;
    this.receivers = [];
    this.mailbox.length = 0;
    this.deferred.length = 0;
    const lost = this.disk.crash();
    this.world.record(Kinds.crash, this.name, undefined, undefined, { unsyncedWritesLost: lost });
    for (const l of this.listeners) l.onCrash?.(this);
  }

  /** Restart after a crash: a fresh behaviour from the factory, with the durable disk. */
  restart(): void {
    if (this.stateValue !== 'crashed') return;
    this.stateValue = 'up';
    this.world.record(Kinds.restart, this.name);
    this.behavior = this.factory(this);
    for (const l of this.listeners) l.onRestart?.(this);
  }

  /** Stop-the-world pause: messages queue in the mailbox and timers wait. */
  pause(): void {
    if (this.stateValue !== 'up') return;
    this.stateValue = 'paused';
    this.world.record(Kinds.pause, this.name);
  }

  /** Resume: held timers run first, then held messages in arrival order. */
  resume(): void {
    if (this.stateValue !== 'paused') return;
    this.stateValue = 'up';
    this.world.record(Kinds.resume, this.name, undefined, undefined, { timers: this.deferred.length, messages: this.mailbox.length });
    const timers = this.deferred.splice(0);
    const messages = this.mailbox.splice(0);
    const inc = this.incarnationValue;
    for (let i = 0; i < timers.length; i++) {
      if (inc !== this.incarnationValue) return;
      if ((this.stateValue as NodeState) === 'paused') {
        // Paused again by one of its own timers: what has not run waits for the next resume.
        this.deferred.unshift(...timers.slice(i));
        this.mailbox.unshift(...messages);
        return;
      }
      timers[i]!();
    }
    for (let i = 0; i < messages.length; i++) {
      if (inc !== this.incarnationValue) return;
      if ((this.stateValue as NodeState) === 'paused') {
        this.mailbox.unshift(...messages.slice(i));
        return;
      }
      this.dispatch(messages[i]!.payload, messages[i]!.env);
    }
  }

  /** The behaviour object, for tests and inspectors that read a node's volatile state. */
  peek<T extends NodeBehavior>(): T | undefined {
    return this.behavior as T | undefined;
  }
}
