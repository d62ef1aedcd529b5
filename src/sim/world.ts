import { assert } from './assert';
import { History, Kinds, type DataShape, type ShapedValue } from './history';
import { Kernel, type KernelLimits, type RunResult, type StopWhen } from './kernel';
import { Network, type NetworkConfig } from './network/network';
import { SimNode, type NodeFactory, type NodeOptions } from './node';
import { Rng } from './rng';
import type { SimPromise } from './sim-promise';

export interface WorldOptions {
  seed: string | number;
  limits?: Partial<KernelLimits>;
  network?: Partial<NetworkConfig>;
  /** History entries kept at most (the hash still covers entries beyond it). */
  historyEntriesMax?: number;
}

/**
 * One simulated universe: the kernel (time and events), the run's RNG, its history, the network
 * and the nodes. Scenarios, broker models and tests talk to a World; hosts run it.
 */
export class World {
  readonly seed: string;
  readonly rng: Rng;
  readonly kernel: Kernel;
  readonly history: History;
  readonly network: Network;
  private readonly nodes = new Map<string, SimNode>();

  constructor(opts: WorldOptions) {
    this.seed = String(opts.seed);
    this.rng = new Rng(this.seed);
    this.kernel = new Kernel(opts.limits);
    this.history = new History({ entriesMax: opts.historyEntriesMax });
    this.network = new Network(this, opts.network);
  }

  get nowUs(): number {
    return this.kernel.nowUs;
  }

  /** Records a history entry at the current time. */
  record(kind: string, node: string, peer?: string, msg?: number, data?: unknown): void {
    this.history.record(this.kernel.nowUs, kind, node, peer, msg, data);
  }

  /** Records a shaped entry at the current time (see `History.recordShaped`). */
  recordShaped(shape: DataShape, node: string, a: ShapedValue, b?: ShapedValue, c?: ShapedValue, d?: ShapedValue, e?: ShapedValue, f?: ShapedValue): void {
    this.history.recordShaped(this.kernel.nowUs, shape, node, undefined, undefined, a, b, c, d, e, f);
  }

  /** Records a shaped entry whose first value is the serial id `origin:serial` (see `History.recordShapedSerial`). */
  recordShapedSerial(shape: DataShape, node: string, origin: string, serial: number, b?: ShapedValue, c?: ShapedValue, d?: ShapedValue, e?: ShapedValue, f?: ShapedValue): void {
    this.history.recordShapedSerial(this.kernel.nowUs, shape, node, undefined, undefined, origin, serial, b, c, d, e, f);
  }

  /** Adds a node and starts its behaviour. Names are unique. */
  addNode(name: string, factory: NodeFactory, opts?: NodeOptions): SimNode {
    assert(name.length > 0, 'node names are not empty');
    assert(!this.nodes.has(name), `node names are unique (${name})`);
    const node = new SimNode(this, name, factory, opts);
    this.nodes.set(name, node);
    node.start();
    return node;
  }

  /** The node with this name; throws for an unknown name (a bug in the caller). */
  node(name: string): SimNode {
    const n = this.nodes.get(name);
    assert(n !== undefined, `node ${name} exists`);
    return n;
  }

  nodeOrUndefined(name: string): SimNode | undefined {
    return this.nodes.get(name);
  }

  /** Node names in the order they were added. */
  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  allNodes(): SimNode[] {
    return [...this.nodes.values()];
  }

  // Verbs for tests and scenarios, so they read like stories: world.partition(['b1'], ['b2']).runFor(ms(500)).

  crash(name: string): this {
    this.node(name).crash();
    return this;
  }

  restart(name: string): this {
    this.node(name).restart();
    return this;
  }

  pause(name: string): this {
    this.node(name).pause();
    return this;
  }

  resume(name: string): this {
    this.node(name).resume();
    return this;
  }

  partition(a: readonly string[], b: readonly string[], oneWay = false): this {
    this.network.partition(a, b, oneWay);
    this.record(Kinds.fault, '', undefined, undefined, { kind: 'partition', groups: [a, b], oneWay });
    return this;
  }

  heal(): this {
    this.network.heal();
    this.record(Kinds.fault, '', undefined, undefined, { kind: 'heal' });
    return this;
  }

  /** Runs for `durationUs` of simulated time from now. */
  runFor(durationUs: number): this {
    this.run({ untilUs: this.kernel.nowUs + durationUs });
    return this;
  }

  /** Runs until the promise settles (or the queue empties or a limit is hit); returns the promise. */
  runUntilSettled<T>(p: SimPromise<T>, maxUs?: number): SimPromise<T> {
    if (!p.settled) this.run({ predicate: () => p.settled, untilUs: maxUs === undefined ? undefined : this.nowUs + maxUs });
    return p;
  }

  /**
   * Runs the kernel, then flushes the history to subscribers. A run that ends on a limit records
   * a `limit` entry saying which, so the history explains why it stopped.
   */
  run(when: StopWhen = {}): RunResult {
    const r = this.kernel.run(when);
    if (r.outcome === 'limit-events' || r.outcome === 'limit-time') {
      this.record(Kinds.limit, '', undefined, undefined, { outcome: r.outcome, message: this.kernel.limitReached });
    }
    this.history.flush();
    return r;
  }
}
