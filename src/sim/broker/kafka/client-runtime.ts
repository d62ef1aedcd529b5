/**
 * The network side of every Kafka client on one node: correlation ids and timeouts, a metadata
 * cache refreshed from any live broker, and coordinator discovery. Producers, consumers and admin
 * clients on the same node share one runtime, as the clients of one process share nothing else
 * but the node.
 *
 * The runtime belongs to one incarnation of its node: when the node crashes its timers and
 * pending callbacks are dropped (the process died), and clients made before the crash refuse
 * further calls. A restarted node gets a new runtime; make new clients there.
 */

import type { Envelope, NodeBehavior, SimNode } from '../../node';
import { SimPromise } from '../../sim-promise';
import type { ErrorCode, KafkaRequest, MetadataResponse, PartitionMetadata, ResponseFor } from './protocol.ts';
import { Rpc, isResponse } from './rpc.ts';

/** A KafkaJS-style error: a name, a message, and whether retrying may help. */
export class KafkaJSError extends Error {
  override name = 'KafkaJSError';
  readonly retriable: boolean;
  /** The Kafka error code, when the error came from a broker. */
  readonly type: ErrorCode | 'CLIENT';

  constructor(message: string, opts: { retriable?: boolean; type?: ErrorCode | 'CLIENT'; name?: string } = {}) {
    super(message);
    this.retriable = opts.retriable ?? false;
    this.type = opts.type ?? 'CLIENT';
    if (opts.name !== undefined) this.name = opts.name;
  }
}

interface TopicMeta {
  error: ErrorCode;
  partitions: PartitionMetadata[];
}

/** What a client knows of the cluster: topics, their partitions and leaders, live brokers. */
export class ClientMetadata {
  readonly topics = new Map<string, TopicMeta>();
  brokers: string[];
  lastRefreshUs = -1;
  /** Topics some client on this node cares about; every refresh asks for all of them. */
  private readonly interest = new Set<string>();
  private inFlight = false;
  private waiters: (() => void)[] = [];
  private brokerIndex = 0;

  constructor(
    private readonly runtime: KafkaClientRuntime,
    bootstrap: readonly string[],
  ) {
    this.brokers = [...bootstrap];
  }

  partitionCount(topic: string): number | undefined {
    const t = this.topics.get(topic);
    return t === undefined || t.error !== 'NONE' || t.partitions.length === 0 ? undefined : t.partitions.length;
  }

  partition(topic: string, partition: number): PartitionMetadata | undefined {
    return this.topics.get(topic)?.partitions[partition];
  }

  /** Refreshes metadata for `topics` (plus every topic of interest); `done` runs when the answer (or a timeout) came. */
  refresh(topics: readonly string[], done?: () => void, allowAutoTopicCreation = true): void {
    for (const t of topics) this.interest.add(t);
    if (done !== undefined) this.waiters.push(done);
    if (this.inFlight) return;
    this.inFlight = true;
    const rpc = this.runtime.rpc;
    const broker = this.pickBroker();
    const req = { type: 'Metadata' as const, cid: rpc.nextCid(), topics: [...this.interest], allowAutoTopicCreation };
    rpc.call(broker, req, { type: 'Metadata', topics: req.topics.length }, this.runtime.requestTimeoutMs, (resp) => {
      this.inFlight = false;
      if (resp === null) this.brokerIndex++;
      else this.apply(resp);
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w();
    });
  }

  /**
   * The broker to ask, like the Java client's least-loaded node: in turn, skipping brokers whose
   * connection failed in the last second (they are probably down); if all did, the one that failed
   * longest ago.
   */
  pickBroker(): string {
    const rpc = this.runtime.rpc;
    const now = this.runtime.node.nowUs;
    const n = this.brokers.length;
    let best = this.brokers[this.brokerIndex % n]!;
    for (let i = 0; i < n; i++) {
      const b = this.brokers[(this.brokerIndex + i) % n]!;
      const failed = rpc.lastFailureUs(b);
      if (failed < 0 || now - failed > 1_000_000) return b;
      if (failed < rpc.lastFailureUs(best)) best = b;
    }
    return best;
  }

  private apply(resp: MetadataResponse): void {
    this.lastRefreshUs = this.runtime.node.nowUs;
    if (resp.brokers.length > 0) this.brokers = resp.brokers;
    for (const t of resp.topics) this.topics.set(t.name, { error: t.error, partitions: t.partitions });
  }
}

/** The node behaviour (or a part of one) that hosts Kafka clients. */
export class KafkaClientRuntime implements NodeBehavior {
  readonly rpc: Rpc;
  readonly metadata: ClientMetadata;
  readonly incarnation: number;
  /** Timeout of metadata and coordinator lookups. */
  requestTimeoutMs = 30000;
  retryBackoffMs = 100;
  private readonly coordinators = new Map<string, string>();
  private metadataMaxAgeMs = Infinity;

  constructor(
    readonly node: SimNode,
    readonly bootstrap: readonly string[],
  ) {
    this.rpc = new Rpc(node);
    this.metadata = new ClientMetadata(this, bootstrap);
    this.incarnation = node.incarnation;
  }

  /** True while the node is the incarnation this runtime was made for. */
  get alive(): boolean {
    return this.node.incarnation === this.incarnation && this.node.state !== 'crashed';
  }

  onMessage(payload: unknown, _env: Envelope): void {
    this.handle(payload);
  }

  /**
   * `metadata.max.age.ms`: refresh metadata at least this often even without errors (the
   * smallest value of the clients on this node wins), so clients notice new leaders and topics.
   */
  refreshMetadataEvery(maxAgeMs: number): void {
    if (maxAgeMs >= this.metadataMaxAgeMs) return;
    const first = this.metadataMaxAgeMs === Infinity;
    this.metadataMaxAgeMs = Math.max(1, maxAgeMs);
    if (!first) return;
    const tick = (): void => {
      if (this.node.nowUs - this.metadata.lastRefreshUs >= this.metadataMaxAgeMs * 1000) this.metadata.refresh([]);
      this.node.setTimer(this.metadataMaxAgeMs * 1000, tick);
    };
    this.node.setTimer(this.metadataMaxAgeMs * 1000, tick);
  }

  /**
   * Offers a message to this runtime; returns true if it was a response to one of this node's
   * requests. A late one (its request timed out, or was sent before the node crashed) is taken and
   * dropped here, as the closed connection it belonged to would drop it: it never reaches the
   * node's own code (a learner's handler) as if it were an application message.
   */
  handle(payload: unknown): boolean {
    return isResponse(payload) && (this.rpc.onResponse(payload) || this.rpc.issued(payload.re));
  }

  /** Throws if the node crashed since the client was made (the process that held it is gone). */
  assertAlive(what: string): void {
    if (!this.alive) throw new KafkaJSError(`${what}: node ${this.node.name} crashed after this client was created; create a new client after the restart`);
  }

  /** Calls `done` after `ms` of simulated time (if the node is still this incarnation). */
  after(ms: number, done: () => void): void {
    this.node.setTimer(ms * 1000, done);
  }

  /** The coordinator of a group or transactional id, looked up (and cached) with FindCoordinator. */
  findCoordinator(key: string, keyType: 'group' | 'transaction', done: (node: string | null, error: ErrorCode) => void): void {
    const cacheKey = `${keyType}\u0000${key}`;
    const known = this.coordinators.get(cacheKey);
    if (known !== undefined) return done(known, 'NONE');
    const broker = this.metadata.pickBroker();
    const req = { type: 'FindCoordinator' as const, cid: this.rpc.nextCid(), key, keyType };
    this.rpc.call(broker, req, { type: 'FindCoordinator', key }, this.requestTimeoutMs, (resp) => {
      if (resp === null) {
        this.metadata.refresh([]);
        return done(null, 'REQUEST_TIMED_OUT');
      }
      if (resp.error === 'NONE' && resp.node !== null) this.coordinators.set(cacheKey, resp.node);
      done(resp.node, resp.error);
    });
  }

  forgetCoordinator(key: string, keyType: 'group' | 'transaction'): void {
    this.coordinators.delete(`${keyType}\u0000${key}`);
  }

  /**
   * A request to a group or transaction coordinator, retried (with `retry.backoff.ms`) while the
   * coordinator is unknown, moving or loading, and while `retry` says so, until `deadlineUs`.
   */
  coordinatorCall<R extends KafkaRequest>(
    key: string,
    keyType: 'group' | 'transaction',
    make: () => R,
    label: unknown,
    timeoutMs: number,
    retry: (resp: ResponseFor<R>) => boolean,
    done: (resp: ResponseFor<R> | null) => void,
    deadlineUs = this.node.nowUs + 60_000_000,
  ): void {
    const attempt = (): void => {
      if (!this.alive) return;
      if (this.node.nowUs > deadlineUs) return done(null);
      this.findCoordinator(key, keyType, (node) => {
        if (node === null) return this.after(this.retryBackoffMs, attempt);
        const req = make();
        this.rpc.call(node, req, label, timeoutMs, (resp) => {
          if (resp === null) {
            this.forgetCoordinator(key, keyType);
            return this.after(this.retryBackoffMs, attempt);
          }
          const error = (resp as { error?: ErrorCode }).error;
          if (error === 'NOT_COORDINATOR' || error === 'COORDINATOR_NOT_AVAILABLE' || error === 'COORDINATOR_LOAD_IN_PROGRESS') {
            this.forgetCoordinator(key, keyType);
            return this.after(this.retryBackoffMs, attempt);
          }
          if (retry(resp as ResponseFor<R>)) return this.after(this.retryBackoffMs, attempt);
          done(resp as ResponseFor<R>);
        });
      });
    };
    attempt();
  }

  /** Waits until metadata knows `topics` (refreshing), or fails after `timeoutMs`. */
  awaitTopics(topics: readonly string[], timeoutMs: number, allowAutoTopicCreation = true): SimPromise<void> {
    const p = new SimPromise<void>();
    const deadlineUs = this.node.nowUs + timeoutMs * 1000;
    const check = (): void => {
      if (!this.alive) return;
      const missing = topics.filter((t) => this.metadata.partitionCount(t) === undefined);
      if (missing.length === 0) return p.resolve();
      if (this.node.nowUs >= deadlineUs) {
        const errors = missing.map((t) => this.metadata.topics.get(t)?.error ?? 'UNKNOWN_TOPIC_OR_PARTITION');
        return p.reject(new KafkaJSError(`Topic(s) ${missing.join(', ')} not present in metadata after ${timeoutMs} ms (${errors.join(', ')})`, { retriable: true, type: errors[0] }));
      }
      this.metadata.refresh(missing, () => {
        if (missing.some((t) => this.metadata.partitionCount(t) === undefined)) this.after(this.retryBackoffMs, check);
        else check();
      }, allowAutoTopicCreation);
    };
    check();
    return p;
  }
}
