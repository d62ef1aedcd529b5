/**
 * The consumer, shaped like KafkaJS's (`subscribe`, `run({ eachMessage | eachBatch })`,
 * `commitOffsets`, `seek`, `pause` / `resume`) and configured with the Java client's keys and
 * defaults (https://kafka.apache.org/documentation/#consumerconfigs). It takes part in the classic
 * group protocol: FindCoordinator, JoinGroup (the leader computes the assignment with the
 * configured assignor), SyncGroup, heartbeats every `heartbeat.interval.ms`, LeaveGroup.
 *
 * - eager assignors (range, roundrobin, sticky) give up every partition before rejoining;
 *   cooperative-sticky keeps its partitions, gives up only those that move, and rejoins for a
 *   second round (KIP-429);
 * - records are fetched per leader broker (long poll, `fetch.max.wait.ms`) into per-partition
 *   buffers and handed to the handler one at a time, in offset order per partition; a handler
 *   may return a SimPromise (or another simulated thenable): the next record waits for it;
 * - offsets are committed for processed records: every `auto.commit.interval.ms` with
 *   `enable.auto.commit`, before giving up partitions in a rebalance, or with `commitOffsets`;
 * - a partition without a committed offset, or whose offset fell off the log (retention),
 *   starts from `auto.offset.reset` (or the beginning with KafkaJS's `fromBeginning`);
 * - read_committed skips records of aborted transactions and stops at the last stable offset;
 * - processing one poll of records (`max.poll.records`) for longer than `max.poll.interval.ms`
 *   makes the consumer leave the group; it rejoins once the handler returns.
 */

import type { Timer } from '../../kernel';
import { SimPromise } from '../../sim-promise';
import { assignPartitions } from './assign-partitions.ts';
import { KafkaJSError, type KafkaClientRuntime } from './client-runtime.ts';
import { CONSUMER_CONFIG, KafkaConfigError, resolveConfig, type ConfigInput, type ConsumerConfig } from './config.ts';
import type { AssignorStrategy } from './group-subscription.ts';
import { KafkaKinds } from './kinds.ts';
import type { LogRecord } from './log-record.ts';
import { tpKey, type AbortedTxn, type ErrorCode, type FetchPartitionResult, type GroupProtocol, type JoinGroupResponse, type TP } from './protocol.ts';

/** A consumer's state, named (STYLE 4). */
export type ConsumerState = 'idle' | 'joining' | 'syncing' | 'stable' | 'stopped' | 'crashed';

/** A message as KafkaJS's eachMessage receives it (keys and values are strings here, not Buffers). */
export interface KafkaMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  offset: string;
  timestamp: string;
  attributes: number;
  size: number;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): SimPromise<void>;
  /** Pauses this partition; returns a function that resumes it. */
  pause(): () => void;
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): SimPromise<void>;
  commitOffsetsIfNecessary(): SimPromise<void>;
  uncommittedOffsets(): { topics: { topic: string; partitions: { partition: string; offset: string }[] }[] };
  isRunning(): boolean;
  isStale(): boolean;
  pause(): () => void;
}

export interface ConsumerRunConfig {
  eachMessage?: (payload: EachMessagePayload) => unknown;
  eachBatch?: (payload: EachBatchPayload) => unknown;
  /** KafkaJS: mark the whole batch processed when eachBatch returns (default true). */
  eachBatchAutoResolve?: boolean;
}

export type ConsumerEvent = 'consumer.group_join' | 'consumer.rebalancing' | 'consumer.commit_offsets' | 'consumer.crash' | 'consumer.stop';

interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** Next offset to fetch; null until the committed offset (or a reset) is known. */
  position: number | null;
  /** Offset after the last processed record: what a commit stores. -1 before any. */
  processed: number;
  committed: number;
  buffer: readonly LogRecord[];
  bufferIndex: number;
  bufferFirst: number;
  bufferDelivered: number;
  fetching: boolean;
  paused: boolean;
  hw: number;
  abortedTxns: AbortedTxn[];
  abortingPids: Set<number>;
  revoked: boolean;
  /** The payload's heartbeat() and pause(), made once per partition rather than per message. */
  heartbeat: () => SimPromise<void>;
  pause: () => () => void;
}

export class Consumer {
  readonly config: ConsumerConfig;
  readonly clientId: string;
  readonly groupId: string;
  private stateValue: ConsumerState = 'idle';
  private memberId = '';
  private generation = -1;
  private protocol: string | null = null;
  private readonly strategies: AssignorStrategy[];
  private readonly topics: string[] = [];
  private readonly fromBeginning = new Set<string>();
  private readonly owned = new Map<string, OwnedPartition>();
  /** `owned`'s values as an array, for round-robin; null after `owned` changed. */
  private ownedList: OwnedPartition[] | null = null;
  private readonly pendingSeeks = new Map<string, number>();
  private readonly pausedTopics = new Set<string>();
  /** Partitions paused by name, kept across rebalances (and before the assignment arrives). */
  private readonly pausedPartitions = new Set<string>();
  private readonly fetchInFlight = new Set<string>();
  private run_: ConsumerRunConfig | null = null;
  private busy = false;
  private rotation = 0;
  private pollRecords = 0;
  private pollSeq = 0;
  private pollTimer: Timer | null = null;
  private leftForPollTimeout = false;
  private heartbeatTimer: Timer | null = null;
  private rejoinNeeded = false;
  /** Partitions an eager rebalance gave up before joining (reported with the next assignment). */
  private revokedBeforeJoin: TP[] = [];
  private joinSeq = 0;
  private readonly listeners = new Map<ConsumerEvent, ((e: { type: ConsumerEvent; payload: unknown }) => void)[]>();
  private lastErrorValue: Error | null = null;

  constructor(
    private readonly runtime: KafkaClientRuntime,
    input: ConfigInput<typeof CONSUMER_CONFIG> = {},
  ) {
    this.config = resolveConfig(CONSUMER_CONFIG, input, 'consumer config');
    const groupId = this.config['group.id'];
    if (groupId === null) throw new KafkaConfigError('consumer config: "group.id" is required, e.g. kafka.consumer({ "group.id": "billing" })');
    if (this.config['heartbeat.interval.ms'] >= this.config['session.timeout.ms']) {
      throw new KafkaConfigError(`consumer config: "heartbeat.interval.ms" (${this.config['heartbeat.interval.ms']}) must be lower than "session.timeout.ms" (${this.config['session.timeout.ms']})`);
    }
    this.groupId = groupId;
    this.clientId = this.config['client.id'] ?? runtime.node.name;
    this.strategies = this.config['partition.assignment.strategy'] as AssignorStrategy[];
    runtime.requestTimeoutMs = this.config['request.timeout.ms'];
    runtime.retryBackoffMs = this.config['retry.backoff.ms'];
    runtime.refreshMetadataEvery(this.config['metadata.max.age.ms']);
    // Auto-commit runs on its own clock; it only ever commits records the handler has finished.
    if (this.config['enable.auto.commit']) {
      const tick = (): void => {
        if (this.stateValue === 'stopped' || this.stateValue === 'crashed') return;
        if (this.stateValue === 'stable') this.commitProcessed();
        runtime.after(this.config['auto.commit.interval.ms'] || 1, tick);
      };
      runtime.after(this.config['auto.commit.interval.ms'] || 1, tick);
    }
  }

  get state(): ConsumerState {
    return this.stateValue;
  }

  /** The member id the coordinator gave this consumer ('' before it joined). */
  get member(): string {
    return this.memberId;
  }

  /** The last fatal error (the consumer stopped), if any. */
  get lastError(): Error | null {
    return this.lastErrorValue;
  }

  /** Partitions currently assigned, as KafkaJS's `assignment`-like list. */
  assignment(): TP[] {
    return [...this.owned.values()].filter((p) => !p.revoked).map((p) => ({ topic: p.topic, partition: p.partition }));
  }

  on(event: ConsumerEvent, listener: (e: { type: ConsumerEvent; payload: unknown }) => void): () => void {
    let list = this.listeners.get(event);
    if (list === undefined) this.listeners.set(event, (list = []));
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private emit(type: ConsumerEvent, payload: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l({ type, payload });
  }

  // -------------------------------------------------------------------------------------------
  // KafkaJS API

  connect(): SimPromise<void> {
    this.runtime.assertAlive('consumer.connect');
    const p = new SimPromise<void>();
    this.runtime.metadata.refresh([], () => p.resolve());
    return p;
  }

  /** KafkaJS `subscribe({ topics, fromBeginning })` (or `{ topic }`). Call before run(). */
  subscribe(args: { topic?: string; topics?: string[]; fromBeginning?: boolean }): SimPromise<void> {
    this.runtime.assertAlive('consumer.subscribe');
    const list = args.topics ?? (args.topic !== undefined ? [args.topic] : []);
    if (list.length === 0 || list.some((t) => typeof t !== 'string' || t.length === 0)) {
      return SimPromise.rejected(new KafkaJSError('subscribe needs topic names: consumer.subscribe({ topics: ["orders"], fromBeginning: true })'));
    }
    if (this.run_ !== null) return SimPromise.rejected(new KafkaJSError('subscribe before run(): the consumer is already running'));
    for (const t of list) {
      if (!this.topics.includes(t)) this.topics.push(t);
      if (args.fromBeginning === true) this.fromBeginning.add(t);
    }
    return this.runtime.awaitTopics(list, this.config['request.timeout.ms']).catch(() => undefined) as SimPromise<void>;
  }

  /** KafkaJS `run`: joins the group and starts handing records to the handler. Resolves at once. */
  run(config: ConsumerRunConfig): SimPromise<void> {
    this.runtime.assertAlive('consumer.run');
    if (this.run_ !== null) return SimPromise.rejected(new KafkaJSError('consumer.run() was already called'));
    const hasMessage = typeof config.eachMessage === 'function';
    const hasBatch = typeof config.eachBatch === 'function';
    if (hasMessage === hasBatch) return SimPromise.rejected(new KafkaJSError('run needs exactly one handler: consumer.run({ eachMessage: async ({ topic, partition, message }) => { … } })'));
    if (this.topics.length === 0) return SimPromise.rejected(new KafkaJSError('subscribe to a topic before run(): await consumer.subscribe({ topics: ["orders"] })'));
    this.run_ = config;
    this.joinGroup('run() started');
    return SimPromise.resolved<void>(undefined);
  }

  /** Commits offsets (the next offset to read, as strings, KafkaJS style). */
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): SimPromise<void> {
    this.runtime.assertAlive('consumer.commitOffsets');
    return this.commit(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: Number(o.offset) })));
  }

  /** Moves the position of a partition; the next record handed out is at `offset`. */
  seek(args: { topic: string; partition: number; offset: string }): void {
    const offset = Number(args.offset);
    if (!Number.isInteger(offset) || offset < 0) throw new KafkaJSError(`seek offset must be a non-negative integer string, got ${JSON.stringify(args.offset)}`);
    const key = tpKey(args.topic, args.partition);
    const p = this.owned.get(key);
    if (p === undefined || p.revoked) {
      this.pendingSeeks.set(key, offset);
      return;
    }
    this.setPosition(p, offset);
    this.pump();
  }

  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const t of topics) {
      if (t.partitions === undefined) this.pausedTopics.add(t.topic);
      else for (const p of t.partitions) this.pausedPartitions.add(tpKey(t.topic, p));
      for (const p of this.owned.values()) if (p.topic === t.topic && (t.partitions === undefined || t.partitions.includes(p.partition))) p.paused = true;
    }
  }

  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const t of topics) {
      if (t.partitions === undefined) this.pausedTopics.delete(t.topic);
      for (const key of [...this.pausedPartitions]) if (key.startsWith(`${t.topic}\u0000`) && (t.partitions === undefined || t.partitions.some((p) => tpKey(t.topic, p) === key))) this.pausedPartitions.delete(key);
      for (const p of this.owned.values()) if (p.topic === t.topic && (t.partitions === undefined || t.partitions.includes(p.partition))) p.paused = false;
    }
    this.pump();
  }

  paused(): { topic: string; partitions: number[] }[] {
    const byTopic = new Map<string, number[]>();
    for (const p of this.owned.values()) {
      if (!p.paused) continue;
      let list = byTopic.get(p.topic);
      if (list === undefined) byTopic.set(p.topic, (list = []));
      list.push(p.partition);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** Stops: commits processed offsets (auto-commit), leaves the group (dynamic members), stops fetching. */
  disconnect(): SimPromise<void> {
    const p = new SimPromise<void>();
    if (this.stateValue === 'stopped' || !this.runtime.alive) {
      p.resolve();
      return p;
    }
    const leave = (): void => {
      const wasMember = this.memberId !== '' && this.config['group.instance.id'] === null;
      this.stop();
      if (!wasMember) return p.resolve();
      this.leaveGroup('the consumer is closing', () => p.resolve());
    };
    if (this.config['enable.auto.commit'] && this.stateValue === 'stable') this.commitProcessed().onSettled(leave);
    else leave();
    return p;
  }

  stop(): void {
    this.stateValue = 'stopped';
    if (this.heartbeatTimer !== null) this.runtime.node.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.emit('consumer.stop', {});
  }

  /** Consumer lag per owned partition as this consumer last saw it: high watermark − position. */
  lag(): { topic: string; partition: number; lag: number }[] {
    return [...this.owned.values()].filter((p) => !p.revoked).map((p) => ({ topic: p.topic, partition: p.partition, lag: Math.max(0, p.hw - Math.max(p.processed, 0)) }));
  }

  // -------------------------------------------------------------------------------------------
  // Group membership

  private get cooperative(): boolean {
    return this.protocol === 'cooperative-sticky' || (this.protocol === null && this.strategies[0] === 'cooperative-sticky');
  }

  private joinGroup(reason: string): void {
    if (this.stateValue === 'stopped' || this.stateValue === 'crashed' || !this.runtime.alive) return;
    if (this.stateValue === 'joining' || this.stateValue === 'syncing') {
      this.rejoinNeeded = true;
      return;
    }
    this.rejoinNeeded = false;
    const seq = ++this.joinSeq;
    this.stateValue = 'joining';
    this.emit('consumer.rebalancing', { groupId: this.groupId, memberId: this.memberId, reason });
    if (!this.cooperative && this.owned.size > 0) {
      // Eager protocol: commit what was processed, then give up every partition before joining.
      const revokeAll = (): void => {
        const all = [...this.owned.values()];
        this.revokedBeforeJoin.push(...all.map((p) => ({ topic: p.topic, partition: p.partition })));
        this.revoke(all);
        if (seq === this.joinSeq) this.sendJoin(seq);
      };
      if (this.config['enable.auto.commit'] && this.generation >= 0) this.commitProcessed().onSettled(revokeAll);
      else revokeAll();
      return;
    }
    this.sendJoin(seq);
  }

  private sendJoin(seq: number): void {
    const rt = this.runtime;
    const owned = this.assignment();
    const protocols: GroupProtocol[] = this.strategies.map((name) => ({ name, topics: [...this.topics], ownedPartitions: owned, generation: this.generation }));
    rt.coordinatorCall(
      this.groupId,
      'group',
      () => ({
        type: 'JoinGroup' as const,
        cid: rt.rpc.nextCid(),
        groupId: this.groupId,
        memberId: this.memberId,
        groupInstanceId: this.config['group.instance.id'],
        clientId: this.clientId,
        sessionTimeoutMs: this.config['session.timeout.ms'],
        rebalanceTimeoutMs: this.config['max.poll.interval.ms'],
        protocols,
      }),
      { type: 'JoinGroup', group: this.groupId },
      this.config['max.poll.interval.ms'] + 5000,
      () => false,
      (resp) => {
        if (seq !== this.joinSeq || this.stateValue !== 'joining') return;
        if (resp === null) return this.retryJoin('JoinGroup timed out');
        switch (resp.error) {
          case 'NONE':
            return this.onJoined(resp, seq);
          case 'MEMBER_ID_REQUIRED':
            this.memberId = resp.memberId;
            return this.sendJoin(seq);
          case 'UNKNOWN_MEMBER_ID':
            this.memberId = '';
            return this.retryJoin('unknown member id');
          case 'REBALANCE_IN_PROGRESS':
          case 'ILLEGAL_GENERATION':
            return this.retryJoin(resp.error);
          default:
            return this.crash(new KafkaJSError(`JoinGroup failed: ${resp.error}`, { type: resp.error }));
        }
      },
      Number.MAX_SAFE_INTEGER,
    );
  }

  private retryJoin(reason: string): void {
    this.stateValue = 'idle';
    this.runtime.after(this.config['retry.backoff.ms'], () => this.joinGroup(reason));
  }

  private onJoined(resp: JoinGroupResponse, seq: number): void {
    this.memberId = resp.memberId;
    this.generation = resp.generation;
    this.protocol = resp.protocol;
    this.stateValue = 'syncing';
    const isLeader = resp.leader === resp.memberId && !resp.skipAssignment;
    if (!isLeader) return this.sendSync(seq, []);
    // The group leader runs the assignor over every member's subscription.
    const allTopics = [...new Set(resp.members.flatMap((m) => m.metadata.topics))];
    this.runtime.awaitTopics(allTopics, this.config['request.timeout.ms']).onSettled(() => {
      if (seq !== this.joinSeq) return;
      const counts: Record<string, number> = {};
      for (const t of allTopics) {
        const n = this.runtime.metadata.partitionCount(t);
        if (n !== undefined) counts[t] = n;
      }
      let assignment: Record<string, TP[]>;
      try {
        assignment = assignPartitions(resp.protocol as AssignorStrategy, counts, resp.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? undefined, topics: m.metadata.topics, ownedPartitions: m.metadata.ownedPartitions, generation: m.metadata.generation })));
      } catch (e) {
        return this.crash(new KafkaJSError(`the ${String(resp.protocol)} assignor failed: ${(e as Error).message}`));
      }
      this.sendSync(seq, resp.members.map((m) => ({ memberId: m.memberId, partitions: assignment[m.memberId] ?? [] })));
    });
  }

  private sendSync(seq: number, assignments: { memberId: string; partitions: TP[] }[]): void {
    const rt = this.runtime;
    rt.coordinatorCall(
      this.groupId,
      'group',
      () => ({ type: 'SyncGroup' as const, cid: rt.rpc.nextCid(), groupId: this.groupId, generation: this.generation, memberId: this.memberId, groupInstanceId: this.config['group.instance.id'], assignments }),
      { type: 'SyncGroup', group: this.groupId, leader: assignments.length > 0 },
      this.config['request.timeout.ms'],
      () => false,
      (resp) => {
        if (seq !== this.joinSeq || this.stateValue !== 'syncing') return;
        if (resp === null) return this.retryJoin('SyncGroup timed out');
        switch (resp.error) {
          case 'NONE':
            return this.onAssigned(resp.partitions);
          case 'UNKNOWN_MEMBER_ID':
            this.memberId = '';
            return this.retryJoin('unknown member id');
          case 'REBALANCE_IN_PROGRESS':
          case 'ILLEGAL_GENERATION':
            return this.retryJoin(resp.error);
          default:
            return this.crash(new KafkaJSError(`SyncGroup failed: ${resp.error}`, { type: resp.error }));
        }
      },
      Number.MAX_SAFE_INTEGER,
    );
  }

  private onAssigned(partitions: TP[]): void {
    const assigned = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    const revoked = [...this.owned.values()].filter((p) => !assigned.has(p.key));
    const added = partitions.filter((p) => !this.owned.has(tpKey(p.topic, p.partition)));
    const finish = (): void => {
      this.revoke(revoked);
      for (const tp of added) {
        const key = tpKey(tp.topic, tp.partition);
        this.ownedList = null;
        this.owned.set(key, {
          topic: tp.topic,
          partition: tp.partition,
          key,
          position: null,
          processed: -1,
          committed: -1,
          buffer: EMPTY,
          bufferIndex: 0,
          bufferFirst: -1,
          bufferDelivered: 0,
          fetching: false,
          paused: this.pausedTopics.has(tp.topic) || this.pausedPartitions.has(key),
          hw: 0,
          abortedTxns: [],
          abortingPids: new Set(),
          revoked: false,
          heartbeat: () => this.manualHeartbeat(),
          pause: () => {
            this.pause([{ topic: tp.topic, partitions: [tp.partition] }]);
            return () => this.resume([{ topic: tp.topic, partitions: [tp.partition] }]);
          },
        });
      }
      this.stateValue = 'stable';
      const allRevoked = [...this.revokedBeforeJoin, ...revoked.map((p) => ({ topic: p.topic, partition: p.partition }))];
      this.revokedBeforeJoin = [];
      this.runtime.node.record(KafkaKinds.assign, { group: this.groupId, member: this.memberId, generation: this.generation, protocol: this.protocol, partitions: partitions.map((p) => [p.topic, p.partition]), revoked: allRevoked.map((p) => [p.topic, p.partition]) });
      const memberAssignment: Record<string, number[]> = {};
      for (const p of partitions) (memberAssignment[p.topic] ??= []).push(p.partition);
      this.emit('consumer.group_join', { groupId: this.groupId, memberId: this.memberId, generationId: this.generation, groupProtocol: this.protocol, memberAssignment });
      this.scheduleHeartbeat();
      this.initPositions();
      // Cooperative: partitions given up in this round are handed over in a second one.
      if ((this.cooperative && revoked.length > 0) || this.rejoinNeeded) this.joinGroup(this.rejoinNeeded ? 'rejoin requested during the rebalance' : 'cooperative rebalance: second round');
      else this.pump();
    };
    if (this.cooperative && revoked.length > 0 && this.config['enable.auto.commit']) this.commitProcessed(revoked).onSettled(finish);
    else finish();
  }

  private revoke(parts: OwnedPartition[]): void {
    for (const p of parts) {
      this.recordDelivered(p);
      p.revoked = true;
      this.ownedList = null;
      this.owned.delete(p.key);
    }
  }

  private scheduleHeartbeat(): void {
    const rt = this.runtime;
    if (this.heartbeatTimer !== null) rt.node.cancelTimer(this.heartbeatTimer);
    const gen = this.generation;
    this.heartbeatTimer = rt.node.setTimer(this.config['heartbeat.interval.ms'] * 1000, () => {
      this.heartbeatTimer = null;
      if (this.stateValue !== 'stable' || gen !== this.generation) return;
      this.sendHeartbeat(() => this.scheduleHeartbeat());
    });
  }

  private sendHeartbeat(then: () => void): void {
    const rt = this.runtime;
    rt.findCoordinator(this.groupId, 'group', (node) => {
      if (node === null) return then();
      const req = { type: 'Heartbeat' as const, cid: rt.rpc.nextCid(), groupId: this.groupId, generation: this.generation, memberId: this.memberId, groupInstanceId: this.config['group.instance.id'] };
      rt.rpc.call(node, req, { type: 'Heartbeat', group: this.groupId }, this.config['request.timeout.ms'], (resp) => {
        if (this.stateValue !== 'stable') return;
        if (resp === null) {
          rt.forgetCoordinator(this.groupId, 'group');
          return then();
        }
        switch (resp.error) {
          case 'NONE':
            return then();
          case 'REBALANCE_IN_PROGRESS':
          case 'ILLEGAL_GENERATION':
            return this.joinGroup(`heartbeat: ${resp.error}`);
          case 'UNKNOWN_MEMBER_ID':
            this.memberId = '';
            this.generation = -1;
            return this.joinGroup('heartbeat: the coordinator no longer knows this member');
          case 'FENCED_INSTANCE_ID':
            return this.crash(new KafkaJSError(`another consumer with group.instance.id "${String(this.config['group.instance.id'])}" took over`, { type: 'FENCED_INSTANCE_ID' }));
          default:
            rt.forgetCoordinator(this.groupId, 'group');
            return then();
        }
      });
    });
  }

  private leaveGroup(reason: string, done?: () => void): void {
    const rt = this.runtime;
    const memberId = this.memberId;
    this.memberId = '';
    this.generation = -1;
    rt.findCoordinator(this.groupId, 'group', (node) => {
      if (node === null) return done?.();
      const req = { type: 'LeaveGroup' as const, cid: rt.rpc.nextCid(), groupId: this.groupId, memberId, groupInstanceId: this.config['group.instance.id'], reason };
      rt.rpc.call(node, req, { type: 'LeaveGroup', group: this.groupId }, this.config['request.timeout.ms'], () => done?.());
    });
  }

  private crash(error: KafkaJSError): void {
    this.stateValue = 'crashed';
    this.lastErrorValue = error;
    this.runtime.node.record(KafkaKinds.clientError, { client: this.clientId, group: this.groupId, message: error.message });
    this.emit('consumer.crash', { error });
  }

  // -------------------------------------------------------------------------------------------
  // Positions and commits

  private resetPolicy(topic: string): 'earliest' | 'latest' | 'none' {
    return this.fromBeginning.has(topic) ? 'earliest' : this.config['auto.offset.reset'];
  }

  /** Committed offsets for partitions without a position; the rest start from auto.offset.reset. */
  private initPositions(): void {
    const rt = this.runtime;
    const need = [...this.owned.values()].filter((p) => p.position === null);
    if (need.length === 0) return;
    const gen = this.generation;
    const readCommitted = this.config['isolation.level'] === 'read_committed';
    rt.coordinatorCall(
      this.groupId,
      'group',
      () => ({ type: 'OffsetFetch' as const, cid: rt.rpc.nextCid(), groupId: this.groupId, partitions: need.map((p) => ({ topic: p.topic, partition: p.partition })), requireStable: readCommitted }),
      { type: 'OffsetFetch', group: this.groupId, partitions: need.length },
      this.config['request.timeout.ms'],
      (resp) => resp.error === 'UNSTABLE_OFFSET_COMMIT',
      (resp) => {
        if (gen !== this.generation || resp === null) {
          if (resp === null && gen === this.generation) rt.after(this.config['retry.backoff.ms'], () => this.initPositions());
          return;
        }
        const toReset: OwnedPartition[] = [];
        for (const o of resp.offsets) {
          const p = this.owned.get(tpKey(o.topic, o.partition));
          if (p === undefined || p.position !== null) continue;
          const seek = this.pendingSeeks.get(p.key);
          if (seek !== undefined) {
            this.pendingSeeks.delete(p.key);
            this.setPosition(p, seek);
          } else if (o.offset >= 0) {
            p.position = o.offset;
            p.processed = o.offset;
            p.committed = o.offset;
          } else toReset.push(p);
        }
        if (toReset.length > 0) this.resetOffsets(toReset, null);
        this.pump();
      },
    );
  }

  /** auto.offset.reset: finds the earliest or latest offset at each partition's leader. */
  private resetOffsets(parts: OwnedPartition[], from: number | null): void {
    const rt = this.runtime;
    const byLeader = new Map<string, OwnedPartition[]>();
    for (const p of parts) {
      const policy = this.resetPolicy(p.topic);
      if (policy === 'none') {
        return this.crash(new KafkaJSError(`no committed offset${from !== null ? ` (or offset ${from} is out of range)` : ''} for ${p.topic}-${p.partition} and auto.offset.reset is none`, { type: 'OFFSET_OUT_OF_RANGE' }));
      }
      const leader = rt.metadata.partition(p.topic, p.partition)?.leader ?? null;
      if (leader === null) {
        rt.metadata.refresh([p.topic], () => rt.after(this.config['retry.backoff.ms'], () => this.resetOffsets([p], from)));
        continue;
      }
      p.fetching = true;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(p);
    }
    for (const [leader, list] of byLeader) {
      const req = {
        type: 'ListOffsets' as const,
        cid: rt.rpc.nextCid(),
        isolation: this.config['isolation.level'],
        partitions: list.map((p) => ({ topic: p.topic, partition: p.partition, timestamp: this.resetPolicy(p.topic) === 'earliest' ? -2 : -1 })),
      };
      rt.rpc.call(leader, req, { type: 'ListOffsets', partitions: list.length }, this.config['request.timeout.ms'], (resp) => {
        const retry: OwnedPartition[] = [];
        list.forEach((p, i) => {
          p.fetching = false;
          if (p.revoked) return;
          const r = resp?.partitions[i];
          if (r === undefined || r.error !== 'NONE') return retry.push(p);
          rt.node.record(KafkaKinds.offsetReset, { topic: p.topic, partition: p.partition, from, to: r.offset, policy: this.resetPolicy(p.topic) });
          this.setPosition(p, r.offset);
        });
        if (retry.length > 0) {
          rt.metadata.refresh(retry.map((p) => p.topic));
          rt.after(this.config['retry.backoff.ms'], () => this.resetOffsets(retry.filter((p) => !p.revoked), from));
        }
        this.pump();
      });
    }
  }

  private setPosition(p: OwnedPartition, offset: number): void {
    this.recordDelivered(p);
    p.position = offset;
    p.processed = offset;
    p.buffer = EMPTY;
    p.bufferIndex = 0;
    p.abortingPids.clear();
  }

  /**
   * Commits processed offsets of `parts` (default: every owned partition) that moved since the last
   * commit. Like the Java consumer's auto-commit, one commit at a time and no retries: a later
   * commit carries newer offsets anyway, and a retried old commit could overwrite them.
   */
  private commitProcessed(parts: OwnedPartition[] = [...this.owned.values()]): SimPromise<void> {
    const offsets = parts.filter((p) => p.processed >= 0 && p.processed !== p.committed).map((p) => ({ topic: p.topic, partition: p.partition, offset: p.processed }));
    if (offsets.length === 0 || this.autoCommitInFlight) return SimPromise.resolved<void>(undefined);
    this.autoCommitInFlight = true;
    const deadlineUs = this.runtime.node.nowUs + this.config['request.timeout.ms'] * 1000;
    return this.commit(offsets, deadlineUs).then(
      () => void (this.autoCommitInFlight = false),
      () => void (this.autoCommitInFlight = false),
    ) as SimPromise<void>;
  }

  private autoCommitInFlight = false;

  private commit(offsets: { topic: string; partition: number; offset: number }[], deadlineUs?: number): SimPromise<void> {
    const p = new SimPromise<void>();
    const rt = this.runtime;
    const gen = this.generation;
    const memberId = this.memberId;
    rt.coordinatorCall(
      this.groupId,
      'group',
      () => ({ type: 'OffsetCommit' as const, cid: rt.rpc.nextCid(), groupId: this.groupId, generation: gen, memberId, groupInstanceId: this.config['group.instance.id'], offsets: offsets.map((o) => ({ ...o, metadata: null })) }),
      { type: 'OffsetCommit', group: this.groupId, offsets: offsets.length },
      this.config['request.timeout.ms'],
      () => false,
      (resp) => {
        if (resp === null) return p.reject(new KafkaJSError('offset commit timed out', { retriable: true, type: 'REQUEST_TIMED_OUT' }));
        const error: ErrorCode = resp.results.find((r) => r.error !== 'NONE')?.error ?? 'NONE';
        if (error === 'NONE') {
          for (const o of offsets) {
            const owned = this.owned.get(tpKey(o.topic, o.partition));
            if (owned !== undefined && o.offset > owned.committed) owned.committed = o.offset;
          }
          this.emit('consumer.commit_offsets', { groupId: this.groupId, memberId, topics: offsets });
          return p.resolve();
        }
        if (error === 'REBALANCE_IN_PROGRESS' || error === 'ILLEGAL_GENERATION' || error === 'UNKNOWN_MEMBER_ID') {
          // CommitFailedException: the group moved on; this member must rejoin.
          if (error === 'UNKNOWN_MEMBER_ID' && this.memberId === memberId) this.memberId = '';
          if (this.stateValue === 'stable') this.joinGroup(`commit failed: ${error}`);
        }
        p.reject(new KafkaJSError(`offset commit failed: ${error}`, { type: error }));
      },
      deadlineUs,
    );
    return p;
  }

  // -------------------------------------------------------------------------------------------
  // Fetching

  /** Sends a fetch to every leader that has assigned partitions with empty buffers. */
  private pumpFetch(): void {
    if (this.stateValue !== 'stable' && this.stateValue !== 'joining' && this.stateValue !== 'syncing') return;
    const rt = this.runtime;
    // Made on the first partition that needs a fetch: most calls find none (all in flight or buffered).
    let byLeader: Map<string, OwnedPartition[]> | undefined;
    let needMetadata = false;
    const owned = (this.ownedList ??= [...this.owned.values()]);
    for (let i = 0; i < owned.length; i++) {
      const p = owned[i]!;
      if (p.revoked || p.paused || p.fetching || p.position === null || p.bufferIndex < p.buffer.length) continue;
      const meta = rt.metadata.partition(p.topic, p.partition);
      const leader = meta?.leader ?? null;
      if (leader === null) {
        needMetadata = true;
        continue;
      }
      if (this.fetchInFlight.has(leader)) continue;
      byLeader ??= new Map();
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(p);
    }
    if (needMetadata) rt.metadata.refresh(this.topics, () => rt.after(this.config['retry.backoff.ms'], () => this.pumpFetch()));
    if (byLeader !== undefined) for (const [leader, list] of byLeader) this.sendFetch(leader, list);
  }

  private sendFetch(leader: string, parts: OwnedPartition[]): void {
    const rt = this.runtime;
    const cfg = this.config;
    const offsets = parts.map((p) => p.position!);
    for (const p of parts) p.fetching = true;
    this.fetchInFlight.add(leader);
    const req = {
      type: 'Fetch' as const,
      cid: rt.rpc.nextCid(),
      replica: null,
      replicaIncarnation: -1,
      maxWaitMs: cfg['fetch.max.wait.ms'],
      minBytes: cfg['fetch.min.bytes'],
      maxBytes: cfg['fetch.max.bytes'],
      isolation: cfg['isolation.level'],
      partitions: parts.map((p, i) => ({ topic: p.topic, partition: p.partition, fetchOffset: offsets[i]!, currentLeaderEpoch: rt.metadata.partition(p.topic, p.partition)?.leaderEpoch ?? -1, lastFetchedEpoch: -1, maxBytes: cfg['max.partition.fetch.bytes'] })),
    };
    rt.rpc.call(leader, req, { type: 'Fetch', partitions: parts.length }, cfg['request.timeout.ms'] + cfg['fetch.max.wait.ms'], (resp) => {
      this.fetchInFlight.delete(leader);
      let backoff = resp === null;
      const outOfRange: OwnedPartition[] = [];
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        p.fetching = false;
        if (p.revoked || p.position !== offsets[i] || resp === null) continue;
        const pr = resp.partitions[i]!;
        if (pr.error === 'OFFSET_OUT_OF_RANGE') {
          outOfRange.push(p);
          continue;
        }
        if (pr.error !== 'NONE') {
          backoff = true;
          continue;
        }
        this.onFetched(p, pr);
      }
      if (backoff) {
        rt.metadata.refresh(this.topics);
        rt.after(cfg['retry.backoff.ms'], () => this.pump());
      }
      if (outOfRange.length > 0) {
        // The position fell off the log (retention) or beyond it (truncation): reset it.
        for (const p of outOfRange) this.resetOffsets([p], p.position);
      }
      this.pump();
    });
  }

  private onFetched(p: OwnedPartition, pr: FetchPartitionResult): void {
    p.hw = this.config['isolation.level'] === 'read_committed' ? pr.lastStableOffset : pr.highWatermark;
    const records = pr.records;
    if (records.length === 0) return;
    // Like Kafka's CompletedFetch, the aborted transactions belong to this fetch's records only.
    p.abortedTxns = pr.abortedTransactions === undefined ? [] : [...pr.abortedTransactions];
    p.abortingPids.clear();
    let start = 0;
    while (start < records.length && records[start]!.offset < p.position!) start++;
    p.buffer = start === 0 ? records : records.slice(start);
    p.bufferIndex = 0;
    if (p.buffer.length > 0) p.position = p.buffer[p.buffer.length - 1]!.offset + 1;
  }

  // -------------------------------------------------------------------------------------------
  // Processing

  private pump(): void {
    if (this.leftForPollTimeout && !this.busy) {
      // The slow handler is done: this is the consumer's next poll, and it rejoins the group.
      this.leftForPollTimeout = false;
      this.joinGroup('rejoining after max.poll.interval.ms was exceeded');
    }
    this.processRecords();
    this.pumpFetch();
  }

  /** Hands buffered records to the handler until one is in progress or the buffers are empty. */
  private processRecords(): void {
    const run = this.run_;
    if (run === null || this.busy || this.stateValue === 'stopped' || this.stateValue === 'crashed' || !this.runtime.alive) return;
    for (let guard = 0; guard < 1_000_000; guard++) {
      const p = this.nextPartition();
      if (p === undefined) return;
      // A poll hands out at most max.poll.records; the record after them starts the next poll. The
      // check comes before delivering, not after: a handler that returns a promise leaves this loop
      // early, and the next call must still see that its poll is complete.
      if (this.pollRecords >= this.config['max.poll.records']) this.pollRecords = 0;
      if (this.pollRecords === 0) this.startPoll();
      if (run.eachBatch !== undefined) {
        if (!this.deliverBatch(p, run)) return;
      } else if (!this.deliverOne(p, run)) return;
    }
  }

  private nextPartition(): OwnedPartition | undefined {
    // Stay on the current partition while it has records (as a fetch's records are handed out
    // together), then move on round-robin.
    const cur = this.current;
    if (cur !== undefined && !cur.revoked && !cur.paused && cur.bufferIndex < cur.buffer.length && this.owned.get(cur.key) === cur) return cur;
    const parts = (this.ownedList ??= [...this.owned.values()]);
    const n = parts.length;
    for (let i = 1; i <= n; i++) {
      const p = parts[(this.rotation + i) % n]!;
      if (p.revoked || p.paused || p.bufferIndex >= p.buffer.length) continue;
      this.rotation = (this.rotation + i) % n;
      this.current = p;
      return p;
    }
    this.current = undefined;
    this.pollRecords = 0;
    return undefined;
  }

  private current: OwnedPartition | undefined;

  private startPoll(): void {
    const rt = this.runtime;
    this.pollSeq++;
    if (this.pollTimer !== null) rt.node.cancelTimer(this.pollTimer);
    const seq = this.pollSeq;
    this.pollTimer = rt.node.setTimer(this.config['max.poll.interval.ms'] * 1000, () => {
      this.pollTimer = null;
      if (seq !== this.pollSeq || !this.busy) return;
      // The handler held this poll too long: the member leaves so the group can move on (KIP-62).
      rt.node.record(KafkaKinds.member, { group: this.groupId, member: this.memberId, event: 'poll-timeout', maxPollIntervalMs: this.config['max.poll.interval.ms'] });
      this.leftForPollTimeout = true;
      if (this.heartbeatTimer !== null) rt.node.cancelTimer(this.heartbeatTimer);
      this.heartbeatTimer = null;
      this.revoke([...this.owned.values()]);
      this.stateValue = 'idle';
      this.leaveGroup('consumer poll timeout has expired');
    });
  }

  /** Skips control records and aborted transactional records; returns false when the buffer ran out. */
  private skipInvisible(p: OwnedPartition): boolean {
    const readCommitted = this.config['isolation.level'] === 'read_committed';
    while (p.bufferIndex < p.buffer.length) {
      const r = p.buffer[p.bufferIndex]!;
      if (r.control !== undefined) {
        if (r.producerId !== undefined) p.abortingPids.delete(r.producerId);
      } else if (readCommitted && r.isTransactional === true && r.producerId !== undefined) {
        const pid = r.producerId;
        if (!p.abortingPids.has(pid)) {
          const i = p.abortedTxns.findIndex((a) => a.producerId === pid && a.firstOffset <= r.offset);
          if (i >= 0) {
            p.abortedTxns.splice(i, 1);
            p.abortingPids.add(pid);
          }
        }
        if (!p.abortingPids.has(pid)) return true;
      } else return true;
      p.processed = r.offset + 1;
      p.bufferIndex++;
    }
    this.recordDelivered(p);
    return false;
  }

  private deliverOne(p: OwnedPartition, run: ConsumerRunConfig): boolean {
    if (!this.skipInvisible(p)) return true;
    const r = p.buffer[p.bufferIndex]!;
    if (p.bufferDelivered === 0) p.bufferFirst = r.offset;
    this.pollRecords++;
    const payload: EachMessagePayload = { topic: p.topic, partition: p.partition, message: toKafkaMessage(r), heartbeat: p.heartbeat, pause: p.pause };
    let result: unknown;
    try {
      result = run.eachMessage!(payload);
    } catch (e) {
      this.onHandlerError(p, r.offset, e);
      return true;
    }
    // The common case, a handler that returns nothing, costs no closure.
    if (result === undefined || result === null || (typeof result !== 'object' && typeof result !== 'function')) {
      this.markProcessed(p, r);
      return true;
    }
    return this.awaitResult(result, (ok, error) => (ok ? this.markProcessed(p, r) : this.onHandlerError(p, r.offset, error)), () => p.revoked || p.buffer[p.bufferIndex] !== r, `eachMessage for ${p.topic}-${p.partition} offset ${r.offset}`);
  }

  private markProcessed(p: OwnedPartition, r: LogRecord): void {
    if (p.revoked || p.buffer[p.bufferIndex] !== r) return;
    p.bufferIndex++;
    p.bufferDelivered++;
    p.processed = r.offset + 1;
    if (p.bufferIndex >= p.buffer.length) this.recordDelivered(p);
  }

  private deliverBatch(p: OwnedPartition, run: ConsumerRunConfig): boolean {
    if (!this.skipInvisible(p)) return true;
    const startIndex = p.bufferIndex;
    const endIndex = Math.min(p.buffer.length, startIndex + Math.max(1, this.config['max.poll.records'] - this.pollRecords));
    const rangeEnd = p.buffer[endIndex - 1]!.offset + 1;
    const readCommitted = this.config['isolation.level'] === 'read_committed';
    const records: LogRecord[] = [];
    for (let i = startIndex; i < endIndex; i++) {
      const r = p.buffer[i]!;
      if (r.control !== undefined) continue;
      if (readCommitted && r.isTransactional === true && r.producerId !== undefined && (p.abortingPids.has(r.producerId) || p.abortedTxns.some((a) => a.producerId === r.producerId && a.firstOffset <= r.offset))) continue;
      records.push(r);
    }
    let resolved = p.processed;
    const messages = records.map(toKafkaMessage);
    const hw = p.hw;
    const last = (): number => Number(messages[messages.length - 1]?.offset ?? hw - 1);
    const batch: Batch = {
      topic: p.topic,
      partition: p.partition,
      highWatermark: String(hw),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => String(last()),
      offsetLag: () => String(Math.max(0, hw - 1 - last())),
      offsetLagLow: () => String(Math.max(0, hw - 1 - Number(messages[0]?.offset ?? hw - 1))),
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset) => {
        resolved = Math.max(resolved, Number(offset) + 1);
      },
      heartbeat: () => this.manualHeartbeat(),
      commitOffsetsIfNecessary: () => {
        p.processed = Math.max(p.processed, resolved);
        return this.commitProcessed([p]);
      },
      uncommittedOffsets: () => ({ topics: [{ topic: p.topic, partitions: [{ partition: String(p.partition), offset: String(Math.max(p.processed, resolved)) }] }] }),
      isRunning: () => this.stateValue !== 'stopped' && this.stateValue !== 'crashed',
      isStale: () => p.revoked,
      pause: () => {
        p.paused = true;
        return () => this.resume([{ topic: p.topic, partitions: [p.partition] }]);
      },
    };
    this.pollRecords += Math.max(1, records.length);
    const settle = (ok: boolean, error?: unknown): void => {
      if (p.revoked || p.bufferIndex !== startIndex || p.buffer[startIndex] === undefined) return;
      if (ok && run.eachBatchAutoResolve !== false) resolved = rangeEnd;
      const done = records.filter((r) => r.offset < resolved).length;
      if (done > 0) {
        if (p.bufferDelivered === 0) p.bufferFirst = records[0]!.offset;
        p.bufferDelivered += done;
      }
      p.processed = Math.max(p.processed, resolved);
      if (!ok) return this.onHandlerError(p, Math.max(resolved, p.buffer[startIndex]!.offset), error);
      // What the handler did not resolve is handed out again (fetched anew from there).
      if (resolved < rangeEnd) return this.setPosition(p, Math.max(resolved, p.buffer[startIndex]!.offset));
      p.bufferIndex = endIndex;
      if (p.bufferIndex >= p.buffer.length) this.recordDelivered(p);
    };
    let result: unknown;
    try {
      result = run.eachBatch!(payload);
    } catch (e) {
      settle(false, e);
      return true;
    }
    return this.awaitResult(result, settle, () => false, `eachBatch for ${p.topic}-${p.partition}`);
  }

  /**
   * Waits for what a handler returned. SimPromises (and other simulated thenables) are timed by
   * the simulation: the next record waits for them. A native Promise is refused, because its
   * continuation would run after the simulation step, outside simulated time. Returns true when
   * the result was already settled (processing may go on at once).
   */
  private awaitResult(result: unknown, settle: (ok: boolean, error?: unknown) => void, stale: () => boolean, what: string): boolean {
    if (result === undefined || result === null || (typeof result !== 'object' && typeof result !== 'function')) {
      settle(true);
      return true;
    }
    if (result instanceof Promise) {
      throw new KafkaJSError(
        `${what} returned a native Promise. The simulation cannot time it: native promise continuations run after the simulation step, outside simulated time. Return nothing, or a SimPromise (learner code in the sandbox gets these automatically).`,
      );
    }
    if (result instanceof SimPromise) {
      if (result.settled) {
        settle(result.state === 'fulfilled', result.reason);
        return true;
      }
      this.busy = true;
      result.onSettled((q) => {
        this.busy = false;
        if (!stale()) settle(q.state === 'fulfilled', q.reason);
        this.pump();
      });
      return false;
    }
    if (typeof (result as PromiseLike<unknown>).then === 'function') {
      let inProgress = true;
      let doneSync = false;
      this.busy = true;
      const finish = (ok: boolean, error?: unknown): void => {
        this.busy = false;
        if (!stale()) settle(ok, error);
        if (inProgress) doneSync = true;
        else this.pump();
      };
      (result as PromiseLike<unknown>).then(
        () => finish(true),
        (e) => finish(false, e),
      );
      inProgress = false;
      return doneSync;
    }
    settle(true);
    return true;
  }

  private onHandlerError(p: OwnedPartition, offset: number, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.runtime.node.record(KafkaKinds.clientError, { client: this.clientId, group: this.groupId, topic: p.topic, partition: p.partition, offset, message });
    // Like KafkaJS, the record is not marked processed: the partition goes back to it after a backoff.
    this.setPosition(p, offset);
    p.paused = true;
    this.runtime.after(this.config['retry.backoff.ms'], () => {
      if (p.revoked) return;
      p.paused = this.pausedTopics.has(p.topic) || this.pausedPartitions.has(p.key);
      this.pump();
    });
  }

  private recordDelivered(p: OwnedPartition): void {
    if (p.bufferDelivered === 0) return;
    this.runtime.node.record(KafkaKinds.consume, { topic: p.topic, partition: p.partition, firstOffset: p.bufferFirst, lastOffset: p.processed - 1, count: p.bufferDelivered, group: this.groupId });
    p.bufferDelivered = 0;
    p.bufferFirst = -1;
  }

  private manualHeartbeat(): SimPromise<void> {
    const p = new SimPromise<void>();
    if (this.stateValue !== 'stable') {
      p.resolve();
      return p;
    }
    this.sendHeartbeat(() => p.resolve());
    return p;
  }
}

const EMPTY: readonly LogRecord[] = Object.freeze([]) as readonly LogRecord[];
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The last timestamp turned into a string: records of one batch share their timestamp, and strings are values, so reusing it is invisible. */
let lastTimestampMs = NaN;
let lastTimestamp = '';

function toKafkaMessage(r: LogRecord): KafkaMessage {
  let headers: Record<string, string> = NO_HEADERS;
  if (r.headers !== undefined && r.headers.length > 0) {
    headers = {};
    for (const h of r.headers) headers[h.key] = h.value ?? '';
  }
  if (r.timestampMs !== lastTimestampMs) {
    lastTimestampMs = r.timestampMs;
    lastTimestamp = String(r.timestampMs);
  }
  return { key: r.key, value: r.value, headers, offset: String(r.offset), timestamp: lastTimestamp, attributes: 0, size: r.sizeBytes };
}
