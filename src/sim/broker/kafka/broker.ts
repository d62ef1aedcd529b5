/**
 * A Kafka broker node: partition replicas, produce and fetch, replication, ISR maintenance, and
 * (in their own files) the group and transaction coordinators it hosts.
 *
 * Rules, from Kafka's `Partition`, `ReplicaManager` and `ReplicaFetcherThread`
 * (https://kafka.apache.org/documentation/#replication):
 * - followers replicate by fetching from the leader, one long-polling fetch per leader broker
 *   (`replica.fetch.wait.max.ms`), answered as soon as the leader appends;
 * - the leader tracks each follower's log end offset and "last caught up" time; a follower that
 *   has not caught up for `replica.lag.time.max.ms` leaves the ISR (AlterPartition to the
 *   controller), and rejoins once it reaches the high watermark and the current epoch's start;
 * - the high watermark is the smallest log end offset in the (maximal) ISR and never moves back;
 * - acks=all waits for the high watermark to pass the batch, and is refused up front with
 *   NOT_ENOUGH_REPLICAS when the ISR is smaller than `min.insync.replicas`; acks=1 answers after
 *   the leader's own append; acks=0 gets no answer at all;
 * - followers detect divergence after a leader change with the leader epoch of their last record
 *   (KIP-595's `lastFetchedEpoch` / `divergingEpoch`) and truncate;
 * - consumers read up to the high watermark (read_uncommitted) or the last stable offset
 *   (read_committed, with the aborted transactions of the range).
 */

import type { Timer } from '../../kernel';
import type { Envelope, NodeBehavior, SimNode } from '../../node';
import { sampleLatencyUs } from '../../rng';
import { storageOf, type ClusterContext, type RemotePartition } from './cluster-context.ts';
import type { TopicConfig } from './config.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { KafkaKinds } from './kinds.ts';
import type { LogConfig } from './log-config.ts';
import type { LogRecord, NewRecord } from './log-record.ts';
import {
  CONSUMER_OFFSETS,
  EMPTY_IMAGE,
  TRANSACTION_STATE,
  partitionForKey,
  tpKey,
  type CreateTopicsRequest,
  type DeleteRecordsRequest,
  type ErrorCode,
  type FetchPartitionResult,
  type FetchRequest,
  type FindCoordinatorRequest,
  type KafkaRequest,
  type ListOffsetsRequest,
  type MetadataImage,
  type MetadataRequest,
  type PartitionState,
  type ProducePartitionResult,
  type ProduceRequest,
  type TopicMetadata,
  type WriteTxnMarkersRequest,
} from './protocol.ts';
import { Replica } from './replica.ts';
import { ConnectionTable, Rpc, admit, isResponse } from './rpc.ts';
import type { BrokerStorage } from './storage.ts';
import { javaStringHashCode } from './java-hash-map.ts';
import { TxnCoordinator } from './txn-coordinator.ts';

/** One long-polling fetch session from this broker (as a follower) to one leader broker. */
interface Fetcher {
  readonly leader: string;
  readonly partitions: Map<string, Replica>;
  inFlight: boolean;
  backoff: Timer | null;
}

/** The result of reading a fetch request once. */
interface FetchRead {
  results: FetchPartitionResult[];
  bytes: number;
  error: boolean;
  remoteDelayUs: number;
}

export class KafkaBroker implements NodeBehavior {
  readonly name: string;
  readonly rpc: Rpc;
  readonly storage: BrokerStorage;
  readonly replicas = new Map<string, Replica>();
  readonly groups: GroupCoordinator;
  readonly txns: TxnCoordinator;
  image: MetadataImage = EMPTY_IMAGE;
  /** What the controller last said: fenced brokers are not given new ISR membership or leadership. */
  fenced = true;
  /** The replicas again, by topic and partition number: the hot paths look them up without building a key. */
  private readonly replicaIndex = new Map<string, (Replica | undefined)[]>();
  private readonly fetchers = new Map<string, Fetcher>();
  private readonly topicConfigs = new Map<string, TopicConfig>();
  private heartbeatInFlight = false;
  private readonly connections = new ConnectionTable();

  constructor(
    readonly node: SimNode,
    readonly ctx: ClusterContext,
  ) {
    this.name = node.name;
    this.rpc = new Rpc(node);
    this.storage = storageOf(ctx, node.name);
    this.groups = new GroupCoordinator(this);
    this.txns = new TxnCoordinator(this);
    const cfg = ctx.config;
    this.every(cfg['broker.heartbeat.interval.ms'], () => this.heartbeat());
    this.every(Math.max(1, Math.floor(cfg['replica.lag.time.max.ms'] / 2)), () => this.checkIsr());
    this.every(ctx.pageCache.writebackIntervalMs, () => this.storage.writeback(node.nowUs));
    this.every(cfg['replica.high.watermark.checkpoint.interval.ms'], () => {
      for (const r of this.replicas.values()) r.stored.hwCheckpoint = r.hw;
    });
    this.every(cfg['log.retention.check.interval.ms'], () => this.applyRetention());
    if (cfg['log.cleaner.enable']) this.every(cfg['log.cleaner.backoff.ms'], () => this.runCleaner());
    if (cfg['remote.log.storage.system.enable']) this.every(cfg['remote.log.manager.task.interval.ms'], () => this.copyToRemoteTier());
    // Register with the controller at once: a restarted broker must be fenced before it can lead.
    this.heartbeat();
  }

  /** The broker's wall clock in milliseconds (skewable), for record timestamps and retention. */
  nowMs(): number {
    return Math.floor(this.node.clock.readUs(this.node.nowUs) / 1000);
  }

  private every(ms: number, fn: () => void): void {
    const tick = (): void => {
      fn();
      this.node.setTimer(ms * 1000, tick);
    };
    this.node.setTimer(ms * 1000, tick);
  }

  onMessage(payload: unknown, env: Envelope): void {
    if (isResponse(payload)) {
      this.rpc.onResponse(payload);
      return;
    }
    const req = payload as KafkaRequest | { type: 'MetadataUpdate'; image: MetadataImage };
    const from = env.from;
    if (!admit(this.connections, this.rpc, this.node, req, from, env.msgId)) return;
    switch (req.type) {
      case 'MetadataUpdate':
        if (req.image.version > this.image.version) this.applyImage(req.image);
        if (this.fenced) this.heartbeat();
        return;
      case 'Produce':
        return this.onProduce(req, from);
      case 'Fetch':
        return this.onFetch(req, from);
      case 'Metadata':
        return this.onMetadata(req, from);
      case 'ListOffsets':
        return this.onListOffsets(req, from);
      case 'CreateTopics':
        return this.onCreateTopics(req, from);
      case 'DeleteRecords':
        return this.onDeleteRecords(req, from);
      case 'FindCoordinator':
        return this.onFindCoordinator(req, from);
      case 'WriteTxnMarkers':
        return this.onWriteTxnMarkers(req, from);
      case 'JoinGroup':
      case 'SyncGroup':
      case 'Heartbeat':
      case 'LeaveGroup':
      case 'OffsetCommit':
      case 'OffsetFetch':
      case 'DescribeGroup':
      case 'TxnOffsetCommit':
        return this.groups.onRequest(req, from);
      case 'InitProducerId':
      case 'AddPartitionsToTxn':
      case 'AddOffsetsToTxn':
      case 'EndTxn':
        return this.txns.onRequest(req, from);
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Controller and metadata

  private heartbeat(): void {
    if (this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    const req = { type: 'BrokerHeartbeat' as const, cid: this.rpc.nextCid(), broker: this.name, incarnation: this.node.incarnation, metadataVersion: this.image.version };
    this.rpc.call(this.ctx.controller, req, { type: 'BrokerHeartbeat' }, this.ctx.config['broker.heartbeat.interval.ms'], (resp) => {
      this.heartbeatInFlight = false;
      if (resp === null) return;
      this.fenced = resp.fenced;
      if (resp.image !== null && resp.image.version > this.image.version) this.applyImage(resp.image);
      // Caught up since this heartbeat left: tell the controller now rather than at the next
      // interval, so a registering broker is unfenced at once.
      if (resp.fenced && this.image.version > req.metadataVersion) this.heartbeat();
    });
  }

  /** The topic's effective config: cluster defaults overridden by the topic's own. */
  topicConfig(topic: string): TopicConfig {
    let c = this.topicConfigs.get(topic);
    if (c === undefined) {
      const t = this.image.topics.get(topic);
      c = { ...this.ctx.topicDefaults, ...(t?.configs ?? {}) } as TopicConfig;
      if (t !== undefined) this.topicConfigs.set(topic, c);
    }
    return c;
  }

  private tiered(topic: string): boolean {
    return this.ctx.config['remote.log.storage.system.enable'] && this.topicConfig(topic)['remote.storage.enable'];
  }

  private logConfigFor(topic: string): Partial<LogConfig> {
    const c = this.topicConfig(topic);
    const tiered = this.tiered(topic);
    return {
      'cleanup.policy': c['cleanup.policy'],
      // A tiered partition's local log is trimmed by the remote log manager, not by the log itself.
      'retention.ms': tiered ? -1 : c['retention.ms'],
      'retention.bytes': tiered ? -1 : c['retention.bytes'],
      'segment.bytes': c['segment.bytes'],
      'segment.ms': c['segment.ms'],
      'delete.retention.ms': c['delete.retention.ms'],
      'min.cleanable.dirty.ratio': c['min.cleanable.dirty.ratio'],
      'max.message.bytes': c['max.message.bytes'],
    };
  }

  /** Applies a newer metadata image: every partition whose state object changed is updated. */
  applyImage(img: MetadataImage): void {
    this.image = img;
    for (const t of img.topics.values()) {
      for (const ps of t.partitions) {
        const key = tpKey(ps.topic, ps.partition);
        let r = this.replicas.get(key);
        if (!ps.replicas.includes(this.name)) {
          if (r !== undefined && r.role !== 'offline') this.becomeOffline(r);
          continue;
        }
        if (r !== undefined && r.state === ps) continue;
        if (r === undefined) {
          r = new Replica(this.storage.getOrCreate(ps.topic, ps.partition, this.logConfigFor(ps.topic), this.nowMs(), this.node.nowUs));
          this.replicas.set(key, r);
          let byPartition = this.replicaIndex.get(ps.topic);
          if (byPartition === undefined) this.replicaIndex.set(ps.topic, (byPartition = []));
          byPartition[ps.partition] = r;
        }
        this.applyPartitionState(r, ps);
      }
    }
  }

  private applyPartitionState(r: Replica, ps: PartitionState): void {
    if (r.state !== null && ps.partitionEpoch < r.state.partitionEpoch && ps.leaderEpoch <= r.leaderEpoch) return;
    r.state = ps;
    if (ps.leader === this.name) {
      if (r.role !== 'leader' || r.leaderEpoch !== ps.leaderEpoch) this.becomeLeader(r, ps);
      else {
        r.isr = ps.isr;
        r.pendingIsr = null;
        this.maybeIncrementHw(r);
        // The ISR may have shrunk to below min.insync.replicas while acks were waiting.
        r.completeAcks(this.topicConfig(r.topic)['min.insync.replicas']);
      }
    } else if (ps.leader !== null) {
      if (r.role !== 'follower' || r.leader !== ps.leader || r.leaderEpoch !== ps.leaderEpoch) this.becomeFollower(r, ps);
      else r.isr = ps.isr;
    } else {
      r.leaderEpoch = ps.leaderEpoch;
      r.isr = ps.isr;
      if (r.role !== 'offline') this.becomeOffline(r);
    }
  }

  private becomeLeader(r: Replica, ps: PartitionState): void {
    const wasLeader = r.role === 'leader';
    this.unfollow(r);
    r.role = 'leader';
    r.leader = this.name;
    r.leaderEpoch = ps.leaderEpoch;
    r.isr = ps.isr;
    r.pendingIsr = null;
    r.log.assignEpochStart(ps.leaderEpoch);
    r.leaderEpochStartOffset = r.log.logEndOffset;
    const now = this.node.nowUs;
    const leo = r.log.logEndOffset;
    r.followers.clear();
    for (const b of ps.replicas) {
      if (b === this.name) continue;
      // Kafka's makeLeader: in-sync followers count as caught up now; their offsets are unknown until they fetch.
      r.followers.set(b, { leo: -1, lastCaughtUpUs: ps.isr.includes(b) ? now : 0, lastFetchUs: now, lastFetchLeaderLeo: leo, incarnation: -1 });
    }
    this.node.record(KafkaKinds.role, { topic: r.topic, partition: r.partition, role: 'leader', epoch: ps.leaderEpoch, leo, hw: r.hw });
    this.maybeIncrementHw(r);
    if (!wasLeader) this.onLeadershipChange(r, true);
  }

  private becomeFollower(r: Replica, ps: PartitionState): void {
    const wasLeader = r.role === 'leader';
    if (wasLeader) {
      r.failAcks('NOT_LEADER_OR_FOLLOWER');
      r.pendingIsr = null;
      r.followers.clear();
    }
    r.role = 'follower';
    r.leader = ps.leader;
    r.leaderEpoch = ps.leaderEpoch;
    r.isr = ps.isr;
    this.node.record(KafkaKinds.role, { topic: r.topic, partition: r.partition, role: 'follower', leader: ps.leader, epoch: ps.leaderEpoch, leo: r.log.logEndOffset });
    this.wakeAll(r);
    if (wasLeader) this.onLeadershipChange(r, false);
    this.follow(r, ps.leader!);
  }

  private becomeOffline(r: Replica): void {
    const wasLeader = r.role === 'leader';
    if (wasLeader) {
      r.failAcks('NOT_LEADER_OR_FOLLOWER');
      r.pendingIsr = null;
      r.followers.clear();
    }
    this.unfollow(r);
    r.role = 'offline';
    r.leader = null;
    this.wakeAll(r);
    if (wasLeader) this.onLeadershipChange(r, false);
  }

  private onLeadershipChange(r: Replica, leader: boolean): void {
    if (r.topic === CONSUMER_OFFSETS) {
      if (leader) this.groups.onElected(r.partition, r);
      else this.groups.onResigned(r.partition);
    } else if (r.topic === TRANSACTION_STATE) {
      if (leader) this.txns.onElected(r.partition, r);
      else this.txns.onResigned(r.partition);
    }
  }

  private wakeAll(r: Replica): void {
    r.wakeFetches(true);
    r.wakeFetches(false);
  }

  // -------------------------------------------------------------------------------------------
  // Leader: appends, the high watermark and the ISR

  /** Appends records as leader and does the bookkeeping every append needs. */
  appendAsLeader(r: Replica, records: readonly NewRecord[]): { error: ErrorCode; message?: string; baseOffset: number; lastOffset: number } {
    if (this.node.disk.full) return { error: 'KAFKA_STORAGE_ERROR', message: 'the log directory is full', baseOffset: -1, lastOffset: -1 };
    const cfg = this.topicConfig(r.topic);
    let batch = records;
    if (cfg['message.timestamp.type'] === 'LogAppendTime') {
      const now = this.nowMs();
      batch = records.map((rec) => ({ ...rec, timestampMs: now }));
    }
    const res = r.log.append(batch, this.nowMs(), { leaderEpoch: r.leaderEpoch });
    if (res.kind === 'rejected') {
      return { error: res.error === 'RecordBatchTooLargeException' ? 'MESSAGE_TOO_LARGE' : 'INVALID_RECORD', message: res.message, baseOffset: -1, lastOffset: -1 };
    }
    r.onAppended(res.records);
    this.storage.afterAppend(r.stored, batch.length, cfg['flush.messages'], cfg['flush.ms'], this.node.nowUs);
    this.node.record(KafkaKinds.append, { topic: r.topic, partition: r.partition, baseOffset: res.baseOffset, count: batch.length, epoch: r.leaderEpoch });
    r.wakeFetches(true);
    this.maybeIncrementHw(r);
    return { error: 'NONE', baseOffset: res.baseOffset, lastOffset: res.lastOffset };
  }

  /** Calls `done` once the high watermark passes `requiredOffset` (or with an error on leadership loss / timeout). */
  awaitHw(r: Replica, requiredOffset: number, timeoutMs: number, done: (error: ErrorCode) => void): void {
    if (r.hw >= requiredOffset) {
      done(r.isr.length < this.topicConfig(r.topic)['min.insync.replicas'] ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : 'NONE');
      return;
    }
    let finished = false;
    const timer = this.node.setTimer(timeoutMs * 1000, () => {
      if (finished) return;
      finished = true;
      done('REQUEST_TIMED_OUT');
    });
    r.pendingAcks.push({
      requiredOffset,
      done: (error) => {
        if (finished) return;
        finished = true;
        this.node.cancelTimer(timer);
        done(error);
      },
    });
  }

  maybeIncrementHw(r: Replica): void {
    if (r.role !== 'leader') return;
    let hw = r.log.logEndOffset;
    for (const b of r.effectiveIsr) {
      if (b === this.name) continue;
      const leo = r.followers.get(b)?.leo ?? -1;
      if (leo < hw) hw = leo;
    }
    if (hw <= r.hw) return;
    r.hw = hw;
    this.node.record(KafkaKinds.hw, { topic: r.topic, partition: r.partition, hw });
    r.completeAcks(this.topicConfig(r.topic)['min.insync.replicas']);
    r.wakeFetches(false);
  }

  private updateFollower(r: Replica, follower: string, incarnation: number, fetchOffset: number): void {
    const f = r.followers.get(follower);
    if (f === undefined) return;
    const now = this.node.nowUs;
    const leo = r.log.logEndOffset;
    // Replica.updateFetchState: caught up now, or caught up as of the previous fetch.
    if (fetchOffset >= leo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, now);
    else if (fetchOffset >= f.lastFetchLeaderLeo) f.lastCaughtUpUs = Math.max(f.lastCaughtUpUs, f.lastFetchUs);
    f.leo = fetchOffset;
    f.lastFetchLeaderLeo = leo;
    f.lastFetchUs = now;
    f.incarnation = incarnation;
    if (!r.isr.includes(follower) && r.pendingIsr === null && fetchOffset >= r.hw && fetchOffset >= r.leaderEpochStartOffset) {
      const reg = this.image.brokers.get(follower);
      if (reg !== undefined && !reg.fenced && reg.incarnation === incarnation) this.alterIsr(r, [...r.isr, follower]);
    }
    this.maybeIncrementHw(r);
  }

  /** Kafka's ISR shrink task: followers that have not caught up for replica.lag.time.max.ms leave the ISR. */
  private checkIsr(): void {
    const lagUs = this.ctx.config['replica.lag.time.max.ms'] * 1000;
    const now = this.node.nowUs;
    for (const r of this.replicas.values()) {
      if (r.role !== 'leader' || r.pendingIsr !== null || r.isr.length <= 1) continue;
      const leo = r.log.logEndOffset;
      const lagging = r.isr.filter((b) => {
        if (b === this.name) return false;
        const f = r.followers.get(b);
        return f === undefined || (f.leo !== leo && now - f.lastCaughtUpUs > lagUs);
      });
      if (lagging.length > 0) this.alterIsr(r, r.isr.filter((b) => !lagging.includes(b)));
    }
  }

  private alterIsr(r: Replica, proposed: readonly string[]): void {
    if (r.state === null) return;
    const maximal = [...r.isr, ...proposed.filter((b) => !r.isr.includes(b))];
    const pending = { proposed, maximal };
    r.pendingIsr = pending;
    const req = {
      type: 'AlterPartition' as const,
      cid: this.rpc.nextCid(),
      broker: this.name,
      topic: r.topic,
      partition: r.partition,
      leaderEpoch: r.leaderEpoch,
      partitionEpoch: r.state.partitionEpoch,
      newIsr: proposed.map((b) => ({ broker: b, incarnation: b === this.name ? this.node.incarnation : r.followers.get(b)?.incarnation ?? -1 })),
    };
    this.rpc.call(this.ctx.controller, req, { type: 'AlterPartition', topic: r.topic, partition: r.partition, isr: proposed }, this.ctx.config['broker.heartbeat.interval.ms'], (resp) => {
      if (r.pendingIsr !== pending) return;
      r.pendingIsr = null;
      if (resp !== null && resp.error === 'NONE' && resp.state !== null && r.state !== null && resp.state.partitionEpoch > r.state.partitionEpoch) {
        this.applyPartitionState(r, resp.state);
      }
      this.maybeIncrementHw(r);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Produce

  private leaderFor(topic: string, partition: number): { r: Replica } | { error: ErrorCode } {
    const r = this.leaderReplica(topic, partition);
    return typeof r === 'string' ? { error: r } : { r };
  }

  /** This broker's replica of the partition if it leads it, else the error to answer (no allocation: produce and fetch call it per partition). */
  private leaderReplica(topic: string, partition: number): Replica | ErrorCode {
    const r = this.replicaIndex.get(topic)?.[partition];
    if (r === undefined || r.role !== 'leader') {
      const t = this.image.topics.get(topic);
      return t === undefined || partition >= t.partitions.length ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'NOT_LEADER_OR_FOLLOWER';
    }
    return r;
  }

  private onProduce(req: ProduceRequest, from: string): void {
    // One object for the request's state and one per waiting partition, instead of closures.
    const op = new ProduceOp(this, req, from);
    const results = op.results;
    for (const b of req.batches) {
      const result: ProducePartitionResult = { topic: b.topic, partition: b.partition, error: 'NONE', baseOffset: -1, logStartOffset: -1 };
      results.push(result);
      const r = this.leaderReplica(b.topic, b.partition);
      if (typeof r === 'string') {
        result.error = r;
        continue;
      }
      result.logStartOffset = r.log.logStartOffset;
      const minIsr = this.topicConfig(b.topic)['min.insync.replicas'];
      if (req.acks === -1 && r.isr.length < minIsr) {
        result.error = 'NOT_ENOUGH_REPLICAS';
        result.message = `The size of the current ISR [${r.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${b.topic}-${b.partition}`;
        continue;
      }
      let lastOffset: number;
      const check = b.producerId >= 0 ? r.checkSequence(b.producerId, b.producerEpoch, b.baseSequence, b.records.length) : OK;
      if (check.kind === 'error') {
        result.error = check.error;
        result.message = check.message;
        continue;
      }
      if (check.kind === 'duplicate') {
        // A retry of a batch already in the log: answered with its original offset (Kafka's
        // findDuplicateBatch), and for acks=all only once it is replicated.
        result.baseOffset = check.firstOffset;
        lastOffset = check.firstOffset + b.records.length - 1;
      } else {
        const appended = this.appendAsLeader(r, b.records);
        if (appended.error !== 'NONE') {
          result.error = appended.error;
          if (appended.message !== undefined) result.message = appended.message;
          continue;
        }
        result.baseOffset = appended.baseOffset;
        lastOffset = appended.lastOffset;
      }
      if (req.acks !== -1) continue;
      if (r.hw >= lastOffset + 1) {
        if (r.isr.length < minIsr) result.error = 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
      } else op.wait(r, lastOffset + 1, result);
    }
    if (op.waiting === 0) {
      op.respond();
      return;
    }
    op.timer = this.node.setTimer(req.timeoutMs * 1000, () => op.timeOut());
  }

  // -------------------------------------------------------------------------------------------
  // Fetch

  private onFetch(req: FetchRequest, from: string): void {
    const first = this.readFetch(req, true);
    if (first.error || first.bytes >= Math.max(1, req.minBytes) || req.maxWaitMs === 0) {
      this.replyFetch(req, from, first);
      return;
    }
    // Long poll: park until data arrives (an append for followers, a high watermark move for
    // consumers), the leadership changes, or fetch.max.wait.ms / replica.fetch.wait.max.ms passes.
    const waiter = new ParkedFetch(this, req, from);
    for (const p of req.partitions) {
      const r = this.replicaIndex.get(p.topic)?.[p.partition];
      if (r === undefined) continue;
      // A leadership change wakes waiters of both kinds (wakeAll), so a parked fetch learns of it at once.
      r.fetchWaiters.add(waiter);
      waiter.parked.push(r);
    }
    waiter.timer = this.node.setTimer(req.maxWaitMs * 1000, () => waiter.complete());
  }

  /** @internal Answers a fetch with what it reads now (ParkedFetch calls it). */
  replyFetch(req: FetchRequest, to: string, read: FetchRead): void {
    let count = 0;
    for (const p of read.results) {
      const n = p.records.length;
      if (n === 0) continue;
      count += n;
      const from = p.records[0]!.offset;
      this.node.record(KafkaKinds.fetchRecords, req.replica === null ? { topic: p.topic, partition: p.partition, from, count: n } : { topic: p.topic, partition: p.partition, from, count: n, replica: req.replica });
    }
    const resp = { type: 'FetchResponse' as const, re: req.cid, partitions: read.results };
    const label = { type: 'FetchResponse', records: count };
    if (read.remoteDelayUs > 0) this.node.setTimer(read.remoteDelayUs, () => this.rpc.reply(to, resp, label));
    else this.rpc.reply(to, resp, label);
  }

  /** @internal Reads a fetch request once (ParkedFetch calls it when woken). */
  readFetch(req: FetchRequest, first: boolean): FetchRead {
    const out: FetchRead = { results: [], bytes: 0, error: false, remoteDelayUs: 0 };
    let budget = req.maxBytes;
    const follower = req.replica;
    for (const p of req.partitions) {
      const res: FetchPartitionResult = { topic: p.topic, partition: p.partition, error: 'NONE', highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, logEndOffset: -1, records: EMPTY };
      out.results.push(res);
      const r = this.leaderReplica(p.topic, p.partition);
      if (typeof r === 'string') {
        res.error = r;
        out.error = true;
        continue;
      }
      if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== r.leaderEpoch) {
        res.error = p.currentLeaderEpoch < r.leaderEpoch ? 'FENCED_LEADER_EPOCH' : 'UNKNOWN_LEADER_EPOCH';
        out.error = true;
        continue;
      }
      const log = r.log;
      const remote = this.tiered(r.topic) ? this.ctx.remote.get(r.key) : undefined;
      res.logStartOffset = remote !== undefined && remote.segments.length > 0 ? Math.min(remote.logStartOffset, log.logStartOffset) : log.logStartOffset;
      res.logEndOffset = log.logEndOffset;
      if (follower !== null && p.lastFetchedEpoch >= 0) {
        // KIP-595: does the follower's log diverge from ours at its last epoch?
        const end = log.endOffsetForEpoch(p.lastFetchedEpoch);
        if (end.epoch < p.lastFetchedEpoch || end.endOffset < p.fetchOffset) {
          res.divergingEpoch = end;
          res.highWatermark = r.hw;
          res.lastStableOffset = r.lastStableOffset;
          continue;
        }
      }
      if (follower !== null && first) this.updateFollower(r, follower, req.replicaIncarnation, p.fetchOffset);
      res.highWatermark = r.hw;
      const lso = r.lastStableOffset;
      res.lastStableOffset = lso;
      const upper = follower !== null ? log.logEndOffset : req.isolation === 'read_committed' ? lso : r.hw;
      const maxBytes = Math.min(p.maxBytes, budget);
      if (p.fetchOffset < log.logStartOffset && remote !== undefined && p.fetchOffset >= remote.logStartOffset) {
        const recs = readRemote(remote, p.fetchOffset, maxBytes, upper);
        res.records = recs;
        out.remoteDelayUs = Math.max(out.remoteDelayUs, sampleLatencyUs(this.node.rng, this.ctx.remoteLatency));
        for (const rec of recs) out.bytes += rec.sizeBytes;
        continue;
      }
      const read = log.read(p.fetchOffset, maxBytes, { maxOffsetExclusive: upper });
      if (read.kind === 'offsetOutOfRange') {
        res.error = 'OFFSET_OUT_OF_RANGE';
        out.error = true;
        continue;
      }
      res.records = read.records;
      const bytes = read.sizeBytes;
      out.bytes += bytes;
      budget = Math.max(0, budget - bytes);
      if (follower === null && req.isolation === 'read_committed' && read.records.length > 0) {
        const aborted = r.abortedBetween(p.fetchOffset, read.records[read.records.length - 1]!.offset + 1);
        if (aborted.length > 0) res.abortedTransactions = aborted;
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Follower: one fetch session per leader

  private follow(r: Replica, leader: string): void {
    this.unfollow(r);
    let f = this.fetchers.get(leader);
    if (f === undefined) {
      f = { leader, partitions: new Map(), inFlight: false, backoff: null };
      this.fetchers.set(leader, f);
    }
    f.partitions.set(r.key, r);
    this.sendFetch(f);
  }

  private unfollow(r: Replica): void {
    for (const f of this.fetchers.values()) f.partitions.delete(r.key);
  }

  private sendFetch(f: Fetcher): void {
    if (f.inFlight || f.backoff !== null || f.partitions.size === 0) return;
    const cfg = this.ctx.config;
    const sent: Replica[] = [];
    const epochs: number[] = [];
    const partitions: FetchRequest['partitions'] = [];
    for (const r of f.partitions.values()) {
      sent.push(r);
      epochs.push(r.leaderEpoch);
      partitions.push({ topic: r.topic, partition: r.partition, fetchOffset: r.log.logEndOffset, currentLeaderEpoch: r.leaderEpoch, lastFetchedEpoch: r.log.latestEpoch() ?? -1, maxBytes: cfg['replica.fetch.max.bytes'] });
    }
    const req: FetchRequest = {
      type: 'Fetch',
      cid: this.rpc.nextCid(),
      replica: this.name,
      replicaIncarnation: this.node.incarnation,
      maxWaitMs: cfg['replica.fetch.wait.max.ms'],
      minBytes: cfg['replica.fetch.min.bytes'],
      maxBytes: cfg['replica.fetch.response.max.bytes'],
      isolation: 'read_uncommitted',
      partitions,
    };
    f.inFlight = true;
    this.rpc.call(f.leader, req, { type: 'Fetch', replica: this.name, partitions: partitions.length }, cfg['replica.socket.timeout.ms'] + req.maxWaitMs, (resp) => {
      f.inFlight = false;
      let failed = resp === null;
      if (resp !== null) {
        const results = resp.partitions;
        for (let i = 0; i < results.length; i++) {
          const r = sent[i]!;
          // Ignore answers for partitions this broker no longer follows from this leader in that epoch.
          if (f.partitions.get(r.key) !== r || r.leaderEpoch !== epochs[i] || r.role !== 'follower') continue;
          if (!this.onFollowerFetched(r, results[i]!, partitions[i]!.fetchOffset)) failed = true;
        }
      }
      if (failed) {
        f.backoff = this.node.setTimer(cfg['replica.fetch.backoff.ms'] * 1000, () => {
          f.backoff = null;
          this.sendFetch(f);
        });
      } else this.sendFetch(f);
    });
  }

  /** Applies one partition of a follower fetch response; returns false on an error worth backing off for. */
  private onFollowerFetched(r: Replica, pr: FetchPartitionResult, fetchOffset: number): boolean {
    const log = r.log;
    if (pr.error === 'OFFSET_OUT_OF_RANGE') {
      // The leader's log ends before ours (an unclean election) or starts after our end (retention).
      if (fetchOffset > pr.logEndOffset) this.truncate(r, pr.logEndOffset, 'offset out of range at the leader');
      else if (fetchOffset < pr.logStartOffset) {
        const before = log.logEndOffset;
        log.truncateFullyAndStartAt(pr.logStartOffset, this.nowMs());
        this.storage.afterTruncate(r.stored);
        r.rebuildFromLog();
        this.node.record(KafkaKinds.truncate, { topic: r.topic, partition: r.partition, from: before, to: pr.logStartOffset, removed: before - log.logStartOffset, reason: 'behind the leader log start' });
      }
      return true;
    }
    if (pr.error !== 'NONE') return false;
    if (pr.divergingEpoch !== undefined) {
      // KIP-595 truncation: to where our copy of the diverging epoch ends, if earlier than the leader's.
      const d = pr.divergingEpoch;
      let target: number;
      if (d.epoch < 0) target = r.hw;
      else {
        const mine = log.endOffsetForEpoch(d.epoch);
        target = mine.epoch === d.epoch ? Math.min(d.endOffset, mine.endOffset) : Math.min(d.endOffset, mine.endOffset < 0 ? d.endOffset : mine.endOffset);
      }
      this.truncate(r, Math.min(target, log.logEndOffset), `diverged from leader epoch ${r.leaderEpoch}`);
      return true;
    }
    if (pr.records.length > 0) {
      const res = log.appendAsFollower(pr.records, this.nowMs());
      if (res.kind === 'appended') {
        r.onAppended(pr.records);
        const cfg = this.topicConfig(r.topic);
        this.storage.afterAppend(r.stored, pr.records.length, cfg['flush.messages'], cfg['flush.ms'], this.node.nowUs);
      }
    }
    const hw = Math.min(pr.highWatermark, log.logEndOffset);
    if (hw > r.hw) r.hw = hw;
    if (pr.logStartOffset > log.logStartOffset && !this.tiered(r.topic)) log.deleteRecordsBefore(Math.min(pr.logStartOffset, log.logEndOffset));
    return true;
  }

  private truncate(r: Replica, to: number, reason: string): void {
    const from = r.log.logEndOffset;
    if (to >= from) return;
    const removed = r.log.truncateTo(to, this.nowMs());
    this.storage.afterTruncate(r.stored);
    if (r.hw > to) r.hw = to;
    r.rebuildFromLog();
    this.node.record(KafkaKinds.truncate, { topic: r.topic, partition: r.partition, from, to, removed, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Metadata, offsets, topics, coordinators

  private onMetadata(req: MetadataRequest, from: string): void {
    const img = this.image;
    const topics: TopicMetadata[] = [];
    const names = req.topics ?? [...img.topics.keys()].filter((t) => !img.topics.get(t)!.internal);
    const toCreate: string[] = [];
    for (const name of names) {
      const t = img.topics.get(name);
      if (t === undefined) {
        const create = req.allowAutoTopicCreation && this.ctx.config['auto.create.topics.enable'] && !name.startsWith('__');
        if (create) toCreate.push(name);
        topics.push({ name, error: create ? 'LEADER_NOT_AVAILABLE' : 'UNKNOWN_TOPIC_OR_PARTITION', partitions: [] });
        continue;
      }
      topics.push({
        name,
        error: 'NONE',
        partitions: t.partitions.map((ps) => ({ partition: ps.partition, error: ps.leader === null ? 'LEADER_NOT_AVAILABLE' : 'NONE', leader: ps.leader, leaderEpoch: ps.leaderEpoch, replicas: ps.replicas, isr: ps.isr })),
      });
    }
    if (toCreate.length > 0) {
      const cfg = this.ctx.config;
      this.createTopics(toCreate.map((name) => ({ name, numPartitions: cfg['num.partitions'], replicationFactor: cfg['default.replication.factor'], configs: {} })));
    }
    const brokers = [...img.brokers.values()].filter((b) => !b.fenced).map((b) => b.name);
    this.rpc.reply(from, { type: 'MetadataResponse', re: req.cid, brokers, controller: this.ctx.controller, topics }, { type: 'MetadataResponse', topics: topics.length });
  }

  /** Asks the controller to create topics; `done` gets its answer (or null on timeout). */
  createTopics(topics: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, unknown>; internal?: boolean }[], done?: (results: { name: string; error: ErrorCode; message?: string }[] | null) => void): void {
    const req = { type: 'ControllerCreateTopics' as const, cid: this.rpc.nextCid(), topics };
    this.rpc.call(this.ctx.controller, req, { type: 'CreateTopics', topics: topics.map((t) => t.name) }, this.ctx.config['broker.heartbeat.interval.ms'] * 2, (resp) => done?.(resp === null ? null : resp.results));
  }

  private onCreateTopics(req: CreateTopicsRequest, from: string): void {
    // -1 means "the broker's default", as in Kafka's CreateTopics API.
    const cfg = this.ctx.config;
    const topics = req.topics.map((t) => ({ ...t, numPartitions: t.numPartitions < 0 ? cfg['num.partitions'] : t.numPartitions, replicationFactor: t.replicationFactor < 0 ? cfg['default.replication.factor'] : t.replicationFactor }));
    this.createTopics(topics, (results) => {
      const out = results ?? req.topics.map((t) => ({ name: t.name, error: 'REQUEST_TIMED_OUT' as ErrorCode, message: 'the controller did not answer' }));
      this.rpc.reply(from, { type: 'CreateTopicsResponse', re: req.cid, results: out }, { type: 'CreateTopicsResponse' });
    });
  }

  private onListOffsets(req: ListOffsetsRequest, from: string): void {
    const partitions = req.partitions.map((p) => {
      const lead = this.leaderFor(p.topic, p.partition);
      if ('error' in lead) return { topic: p.topic, partition: p.partition, error: lead.error, offset: -1 };
      const r = lead.r;
      let offset: number;
      if (p.timestamp === -1) offset = req.isolation === 'read_committed' ? r.lastStableOffset : r.hw;
      else if (p.timestamp === -2) {
        const remote = this.tiered(r.topic) ? this.ctx.remote.get(r.key) : undefined;
        offset = remote !== undefined && remote.segments.length > 0 ? Math.min(remote.logStartOffset, r.log.logStartOffset) : r.log.logStartOffset;
      } else {
        const all = r.log.read(r.log.logStartOffset, Number.MAX_SAFE_INTEGER, { maxOffsetExclusive: r.hw });
        const hit = all.kind === 'records' ? all.records.find((rec) => rec.timestampMs >= p.timestamp) : undefined;
        offset = hit?.offset ?? r.hw;
      }
      return { topic: p.topic, partition: p.partition, error: 'NONE' as ErrorCode, offset };
    });
    this.rpc.reply(from, { type: 'ListOffsetsResponse', re: req.cid, partitions }, { type: 'ListOffsetsResponse' });
  }

  private onDeleteRecords(req: DeleteRecordsRequest, from: string): void {
    const partitions = req.partitions.map((p) => {
      const lead = this.leaderFor(p.topic, p.partition);
      if ('error' in lead) return { topic: p.topic, partition: p.partition, error: lead.error, lowWatermark: -1 };
      const r = lead.r;
      const offset = p.offset < 0 ? r.hw : p.offset;
      if (offset > r.hw) return { topic: p.topic, partition: p.partition, error: 'OFFSET_OUT_OF_RANGE' as ErrorCode, lowWatermark: r.log.logStartOffset };
      r.log.deleteRecordsBefore(offset, r.hw);
      return { topic: p.topic, partition: p.partition, error: 'NONE' as ErrorCode, lowWatermark: r.log.logStartOffset };
    });
    this.rpc.reply(from, { type: 'DeleteRecordsResponse', re: req.cid, partitions }, { type: 'DeleteRecordsResponse' });
  }

  /** The partition of an internal topic that owns a group or transactional id. */
  coordinatorPartition(key: string, keyType: 'group' | 'transaction'): number {
    const n = keyType === 'group' ? this.ctx.config['offsets.topic.num.partitions'] : this.ctx.config['transaction.state.log.num.partitions'];
    return partitionForKey(key, n, javaStringHashCode);
  }

  private onFindCoordinator(req: FindCoordinatorRequest, from: string): void {
    const topic = req.keyType === 'group' ? CONSUMER_OFFSETS : TRANSACTION_STATE;
    const t = this.image.topics.get(topic);
    let node: string | null = null;
    if (t === undefined) this.ensureInternalTopic(topic);
    else node = t.partitions[this.coordinatorPartition(req.key, req.keyType)]?.leader ?? null;
    const error: ErrorCode = node === null ? 'COORDINATOR_NOT_AVAILABLE' : 'NONE';
    this.rpc.reply(from, { type: 'FindCoordinatorResponse', re: req.cid, error, node }, { type: 'FindCoordinatorResponse', key: req.key, node });
  }

  private ensureInternalTopic(topic: string): void {
    const cfg = this.ctx.config;
    const registered = this.image.brokers.size;
    if (topic === CONSUMER_OFFSETS) {
      const rf = Math.min(cfg['offsets.topic.replication.factor'], Math.max(1, registered));
      this.createTopics([{ name: topic, numPartitions: cfg['offsets.topic.num.partitions'], replicationFactor: rf, configs: { 'cleanup.policy': 'compact', 'segment.bytes': cfg['offsets.topic.segment.bytes'] }, internal: true }]);
    } else {
      const rf = Math.min(cfg['transaction.state.log.replication.factor'], Math.max(1, registered));
      const minIsr = Math.min(cfg['transaction.state.log.min.isr'], rf);
      this.createTopics([{ name: topic, numPartitions: cfg['transaction.state.log.num.partitions'], replicationFactor: rf, configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': minIsr }, internal: true }]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Transaction markers (written here on behalf of a transaction coordinator)

  private onWriteTxnMarkers(req: WriteTxnMarkersRequest, from: string): void {
    const results: { topic: string; partition: number; error: ErrorCode }[] = [];
    let waiting = 0;
    let responded = false;
    const respond = (): void => {
      if (responded) return;
      responded = true;
      this.rpc.reply(from, { type: 'WriteTxnMarkersResponse', re: req.cid, results }, { type: 'WriteTxnMarkersResponse' });
    };
    for (const p of req.partitions) {
      const result = { topic: p.topic, partition: p.partition, error: 'NONE' as ErrorCode };
      results.push(result);
      const lead = this.leaderFor(p.topic, p.partition);
      if ('error' in lead) {
        result.error = lead.error;
        continue;
      }
      const r = lead.r;
      const marker: NewRecord = { key: null, value: null, timestampMs: this.nowMs(), producerId: req.producerId, producerEpoch: req.producerEpoch, isTransactional: true, control: req.commit ? 'commit' : 'abort' };
      const appended = this.appendAsLeader(r, [marker]);
      if (appended.error !== 'NONE') {
        result.error = appended.error;
        continue;
      }
      this.node.record(KafkaKinds.txnMarker, { topic: r.topic, partition: r.partition, producerId: req.producerId, control: marker.control, offset: appended.baseOffset });
      if (r.topic === CONSUMER_OFFSETS) this.groups.onTxnMarker(r.partition, req.producerId, req.commit);
      waiting++;
      this.awaitHw(r, appended.lastOffset + 1, this.ctx.config['offsets.commit.timeout.ms'] * 6, (error) => {
        result.error = error === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' ? 'NONE' : error;
        if (--waiting === 0) respond();
      });
    }
    if (waiting === 0) respond();
  }

  // -------------------------------------------------------------------------------------------
  // Retention, compaction, tiered storage

  private applyRetention(): void {
    const nowMs = this.nowMs();
    for (const r of this.replicas.values()) {
      if (this.tiered(r.topic)) {
        this.applyTieredRetention(r, nowMs);
        continue;
      }
      const res = r.log.applyRetention(nowMs, { highWatermark: r.role === 'leader' ? r.hw : r.log.logEndOffset });
      if (res.deletedSegments > 0) this.node.record(KafkaKinds.retention, { topic: r.topic, partition: r.partition, deletedSegments: res.deletedSegments, logStartOffset: res.logStartOffset });
    }
  }

  private runCleaner(): void {
    const nowMs = this.nowMs();
    for (const r of this.replicas.values()) {
      if (!r.log.needsCompaction({ lastStableOffset: r.lastStableOffset })) continue;
      const stats = r.log.compact(nowMs, { lastStableOffset: r.lastStableOffset });
      if (stats.segmentsCleaned === 0) continue;
      // The cleaner writes its output durably (Kafka flushes cleaned segments before swapping them in).
      r.stored.flushedOffset = Math.max(r.stored.flushedOffset, Math.min(r.log.logEndOffset, r.lastStableOffset));
      this.node.record(KafkaKinds.clean, { topic: r.topic, partition: r.partition, recordsRemoved: stats.recordsRemoved, tombstonesRemoved: stats.tombstonesRemoved });
    }
  }

  /** The remote log manager (KIP-405): the leader copies closed segments below the high watermark to the remote tier. */
  private copyToRemoteTier(): void {
    for (const r of this.replicas.values()) {
      if (r.role !== 'leader' || !this.tiered(r.topic)) continue;
      let remote = this.ctx.remote.get(r.key);
      if (remote === undefined) {
        remote = { segments: [], copiedUpTo: r.log.logStartOffset, logStartOffset: r.log.logStartOffset };
        this.ctx.remote.set(r.key, remote);
      }
      let copied = 0;
      for (const s of r.log.segments()) {
        if (s.active || s.endOffset > r.hw || s.endOffset <= remote.copiedUpTo) continue;
        const read = r.log.read(Math.max(s.baseOffset, remote.copiedUpTo, r.log.logStartOffset), Number.MAX_SAFE_INTEGER, { maxOffsetExclusive: s.endOffset });
        if (read.kind !== 'records') continue;
        let sizeBytes = 0;
        for (const rec of read.records) sizeBytes += rec.sizeBytes;
        remote.segments.push({ baseOffset: s.baseOffset, endOffset: s.endOffset, records: read.records, sizeBytes, largestTimestampMs: s.largestTimestampMs });
        remote.copiedUpTo = s.endOffset;
        copied++;
      }
      if (copied > 0) this.node.record(KafkaKinds.tierCopy, { topic: r.topic, partition: r.partition, upTo: remote.copiedUpTo, segments: copied });
      this.applyRemoteRetention(r, remote);
    }
  }

  /** Total retention (retention.ms / retention.bytes) over remote and local data, applied to the remote tier. */
  private applyRemoteRetention(r: Replica, remote: RemotePartition): void {
    const cfg = this.topicConfig(r.topic);
    const nowMs = this.nowMs();
    let deleted = 0;
    const localOnlyBytes = r.log.segments().filter((s) => s.baseOffset >= remote.copiedUpTo).reduce((n, s) => n + s.sizeBytes, 0);
    let total = localOnlyBytes + remote.segments.reduce((n, s) => n + s.sizeBytes, 0);
    while (remote.segments.length > 0) {
      const s = remote.segments[0]!;
      const bySize = cfg['retention.bytes'] >= 0 && total - s.sizeBytes >= cfg['retention.bytes'];
      const byTime = cfg['retention.ms'] >= 0 && nowMs - s.largestTimestampMs > cfg['retention.ms'];
      if (!bySize && !byTime) break;
      remote.segments.shift();
      total -= s.sizeBytes;
      remote.logStartOffset = s.endOffset;
      deleted++;
    }
    if (deleted > 0) this.node.record(KafkaKinds.retention, { topic: r.topic, partition: r.partition, deletedSegments: deleted, logStartOffset: remote.logStartOffset, tier: 'remote' });
  }

  /** Local retention of a tiered partition: only segments already copied to the remote tier may go. */
  private applyTieredRetention(r: Replica, nowMs: number): void {
    const cfg = this.topicConfig(r.topic);
    const remote = this.ctx.remote.get(r.key);
    const copiedUpTo = remote?.copiedUpTo ?? r.log.logStartOffset;
    const localMs = cfg['local.retention.ms'] === -2 ? cfg['retention.ms'] : cfg['local.retention.ms'];
    const localBytes = cfg['local.retention.bytes'] === -2 ? cfg['retention.bytes'] : cfg['local.retention.bytes'];
    const segments = r.log.segments();
    let size = segments.reduce((n, s) => n + s.sizeBytes, 0);
    let newStart = r.log.logStartOffset;
    for (const s of segments) {
      if (s.active || s.endOffset > copiedUpTo) break;
      const bySize = localBytes >= 0 && size - s.sizeBytes >= localBytes;
      const byTime = localMs >= 0 && nowMs - s.largestTimestampMs > localMs;
      if (!bySize && !byTime) break;
      size -= s.sizeBytes;
      newStart = s.endOffset;
    }
    if (newStart > r.log.logStartOffset) {
      r.log.deleteRecordsBefore(newStart, r.log.logEndOffset);
      const res = r.log.applyRetention(nowMs, { highWatermark: r.log.logEndOffset });
      this.node.record(KafkaKinds.retention, { topic: r.topic, partition: r.partition, deletedSegments: res.deletedSegments, logStartOffset: r.log.logStartOffset, tier: 'local' });
    }
  }
}

const OK = { kind: 'ok' } as const;

/** A ProduceRequest being answered: its results, and how many partitions still wait for the high watermark (acks=all). */
class ProduceOp {
  readonly results: ProducePartitionResult[] = [];
  private readonly acks: ProduceAck[] = [];
  waiting = 0;
  timer: Timer | undefined = undefined;
  private responded = false;

  constructor(
    private readonly broker: KafkaBroker,
    private readonly req: ProduceRequest,
    private readonly from: string,
  ) {}

  /** The partition's result waits until the high watermark reaches `requiredOffset`. */
  wait(r: Replica, requiredOffset: number, result: ProducePartitionResult): void {
    const ack = new ProduceAck(requiredOffset, this, result);
    this.acks.push(ack);
    this.waiting++;
    r.pendingAcks.push(ack);
  }

  /** One waiting partition is done (or failed): answer once none is left. */
  acked(): void {
    if (--this.waiting === 0) this.respond();
  }

  /** The request's timeout passed: every partition still waiting failed. */
  timeOut(): void {
    this.timer = undefined;
    for (const a of this.acks) a.expire();
    this.waiting = 0;
    this.respond();
  }

  respond(): void {
    if (this.responded || this.req.acks === 0) return;
    this.responded = true;
    if (this.timer !== undefined) this.broker.node.cancelTimer(this.timer);
    this.broker.rpc.reply(this.from, { type: 'ProduceResponse', re: this.req.cid, results: this.results }, produceResponseLabel(this.results));
  }
}

/** One partition of a ProduceRequest waiting for the high watermark (a Replica pending ack). */
class ProduceAck {
  private waiting = true;

  constructor(
    readonly requiredOffset: number,
    private readonly op: ProduceOp,
    private readonly result: ProducePartitionResult,
  ) {}

  done(error: ErrorCode): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.result.error = error;
    this.op.acked();
  }

  expire(): void {
    if (!this.waiting) return;
    this.waiting = false;
    this.result.error = 'REQUEST_TIMED_OUT';
  }
}

/** A fetch parked until data arrives, the leadership changes or its wait time passes (a Replica fetch waiter). */
class ParkedFetch {
  readonly follower: boolean;
  readonly parked: Replica[] = [];
  timer: Timer | undefined = undefined;
  private done = false;

  constructor(
    private readonly broker: KafkaBroker,
    private readonly req: FetchRequest,
    private readonly from: string,
  ) {
    this.follower = req.replica !== null;
  }

  wake(): void {
    if (this.req.minBytes <= 1) this.complete();
    else if (this.broker.readFetch(this.req, false).bytes >= this.req.minBytes) this.complete();
  }

  complete(): void {
    if (this.done) return;
    this.done = true;
    this.broker.node.cancelTimer(this.timer!);
    for (const r of this.parked) r.fetchWaiters.delete(this);
    this.broker.replyFetch(this.req, this.from, this.broker.readFetch(this.req, false));
  }
}
const EMPTY: readonly LogRecord[] = Object.freeze([]) as readonly LogRecord[];

function readRemote(remote: RemotePartition, from: number, maxBytes: number, upper: number): LogRecord[] {
  const out: LogRecord[] = [];
  let bytes = 0;
  for (const s of remote.segments) {
    if (s.endOffset <= from) continue;
    for (const rec of s.records) {
      if (rec.offset < from || rec.offset >= upper) continue;
      if (out.length > 0 && bytes + rec.sizeBytes > maxBytes) return out;
      out.push(rec);
      bytes += rec.sizeBytes;
    }
    if (out.length > 0) return out;
  }
  return out;
}

function produceResponseLabel(results: ProducePartitionResult[]): unknown {
  if (results.length === 1) {
    const r = results[0]!;
    return { type: 'ProduceResponse', topic: r.topic, partition: r.partition, error: r.error };
  }
  let errors = 0;
  for (const r of results) if (r.error !== 'NONE') errors++;
  return { type: 'ProduceResponse', partitions: results.length, errors };
}
