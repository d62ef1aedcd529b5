/**
 * One partition replica on one broker: its log (from the broker's storage), its role, the leader
 * epoch, the high watermark, and, on the leader, what it knows of each follower. Also the state
 * Kafka derives from the log itself: producer sequence numbers (idempotence) and open and aborted
 * transactions (the last stable offset and read_committed). Messaging lives in broker.ts.
 */

import type { LogRecord } from './log-record.ts';
import type { PartitionLog } from './partition-log.ts';
import type { AbortedTxn, ErrorCode, PartitionState } from './protocol.ts';
import type { StoredReplica } from './storage.ts';

export type ReplicaRole = 'leader' | 'follower' | 'offline';

/** What the leader knows of one follower (Kafka's `Replica` state, see ReplicaTest). */
export interface FollowerState {
  /** The follower's log end offset as of its last fetch; -1 = unknown. */
  leo: number;
  /** The largest time t such that the follower's fetch offset reached the leader's LEO at t. */
  lastCaughtUpUs: number;
  lastFetchUs: number;
  /** The leader's LEO when the follower last fetched. */
  lastFetchLeaderLeo: number;
  /** The follower's broker incarnation (broker epoch) at its last fetch. */
  incarnation: number;
}

/** A run of one producer's records with consecutive sequence numbers at consecutive offsets. */
interface SequenceRun {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  /** The newest runs, oldest first; at least the last five batches are covered, as in Kafka. */
  runs: SequenceRun[];
}

const RUNS_MAX = 5;

/** An acks=all write waiting for the high watermark. */
export interface PendingAck {
  requiredOffset: number;
  done: (error: ErrorCode) => void;
}

export type SequenceCheck = { kind: 'ok' } | { kind: 'duplicate'; firstOffset: number } | { kind: 'error'; error: ErrorCode; message: string };

export class Replica {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  role: ReplicaRole = 'offline';
  leader: string | null = null;
  leaderEpoch = -1;
  /** The controller's last state for this partition as this broker knows it (compared by identity). */
  state: PartitionState | null = null;
  isr: readonly string[] = [];
  /** While an AlterPartition is in flight: the larger of old and new ISR (Kafka's maximal ISR). */
  pendingIsr: { proposed: readonly string[]; maximal: readonly string[] } | null = null;
  hw = 0;
  leaderEpochStartOffset = 0;
  readonly followers = new Map<string, FollowerState>();
  /** acks=all produces and internal appends waiting for the high watermark, in offset order. */
  pendingAcks: PendingAck[] = [];
  /** Fetches parked on this partition (long poll). */
  readonly fetchWaiters = new Set<{ wake(): void; follower: boolean }>();
  private readonly producers = new Map<number, ProducerEntry>();
  /** Open transactions: producer id → first offset. */
  readonly openTxns = new Map<number, number>();
  /** Aborted transactions, oldest first (Kafka's transaction index). */
  aborted: { producerId: number; firstOffset: number; lastOffset: number }[] = [];

  constructor(readonly stored: StoredReplica) {
    this.topic = stored.topic;
    this.partition = stored.partition;
    this.key = `${stored.topic}\u0000${stored.partition}`;
    this.log = stored.log;
    this.hw = Math.min(stored.hwCheckpoint, this.log.logEndOffset);
    this.rebuildFromLog();
  }

  /** The ISR the high watermark must wait for: the maximal ISR while a change is in flight. */
  get effectiveIsr(): readonly string[] {
    return this.pendingIsr === null ? this.isr : this.pendingIsr.maximal;
  }

  /** Last stable offset: the high watermark, or the first offset of the oldest open transaction if lower. */
  get lastStableOffset(): number {
    let lso = this.hw;
    // Read by every fetch; most partitions have no open transaction.
    if (this.openTxns.size === 0) return lso;
    for (const first of this.openTxns.values()) if (first < lso) lso = first;
    return lso;
  }

  /** Aborted transactions overlapping [from, to), for read_committed fetches. */
  abortedBetween(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (const a of this.aborted) if (a.lastOffset >= from && a.firstOffset < to) out.push({ producerId: a.producerId, firstOffset: a.firstOffset });
    return out;
  }

  /**
   * Idempotence check for a client batch (Kafka's `ProducerAppendInfo.checkSequence` and
   * `findDuplicateBatch`): a retried batch already in the log is a duplicate (answered with its
   * original offset); an older producer epoch is fenced; a gap in sequence numbers is out of order.
   */
  checkSequence(producerId: number, epoch: number, firstSeq: number, count: number): SequenceCheck {
    const e = this.producers.get(producerId);
    if (e === undefined) return { kind: 'ok' };
    if (epoch < e.epoch) {
      return { kind: 'error', error: 'INVALID_PRODUCER_EPOCH', message: `producer ${producerId} epoch ${epoch} is older than the last seen epoch ${e.epoch}` };
    }
    const lastSeq = firstSeq + count - 1;
    if (epoch === e.epoch) {
      for (const run of e.runs) {
        if (firstSeq >= run.firstSeq && lastSeq <= run.lastSeq) return { kind: 'duplicate', firstOffset: run.firstOffset + (firstSeq - run.firstSeq) };
      }
      if (firstSeq !== e.lastSeq + 1) {
        return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `out of order sequence number for producer ${producerId}: ${firstSeq} (incoming), ${e.lastSeq} (current)` };
      }
      return { kind: 'ok' };
    }
    if (firstSeq !== 0) {
      return { kind: 'error', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `invalid sequence number for new epoch of producer ${producerId}: ${epoch} (request epoch), ${firstSeq} (seq. number)` };
    }
    return { kind: 'ok' };
  }

  /** Updates producer and transaction state for records just appended (leader or follower). */
  onAppended(records: readonly LogRecord[]): void {
    // Records of one producer batch come together: handle each run of one producer at once.
    let i = 0;
    while (i < records.length) {
      const r = records[i]!;
      const pid = r.producerId;
      if (pid === undefined || pid < 0 || r.control !== undefined) {
        this.track(r);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < records.length) {
        const n = records[j]!;
        if (n.producerId !== pid || n.control !== undefined || n.producerEpoch !== r.producerEpoch || n.sequence !== (r.sequence ?? -1) + (j - i) || n.offset !== r.offset + (j - i)) break;
        j++;
      }
      this.track(r, records[j - 1]!);
      i = j;
    }
  }

  /** Forgets derived state and rebuilds it from the log (after a restart or a truncation). */
  rebuildFromLog(): void {
    this.producers.clear();
    this.openTxns.clear();
    this.aborted = [];
    const all = this.log.read(this.log.logStartOffset, Number.MAX_SAFE_INTEGER);
    if (all.kind === 'records') this.onAppended(all.records);
  }

  /** Tracks one record, or a run of records `r`..`last` of one producer with consecutive sequences and offsets. */
  private track(r: LogRecord, last: LogRecord = r): void {
    const pid = r.producerId;
    if (pid === undefined || pid < 0) return;
    if (r.control !== undefined) {
      const first = this.openTxns.get(pid);
      this.openTxns.delete(pid);
      if (r.control === 'abort' && first !== undefined) this.aborted.push({ producerId: pid, firstOffset: first, lastOffset: r.offset });
      return;
    }
    if (r.isTransactional === true && !this.openTxns.has(pid)) this.openTxns.set(pid, r.offset);
    const seq = r.sequence;
    if (seq === undefined || seq < 0) return;
    const lastSeq = last.sequence!;
    const epoch = r.producerEpoch ?? 0;
    let e = this.producers.get(pid);
    if (e === undefined || epoch > e.epoch) {
      e = { epoch, lastSeq: -1, runs: [] };
      this.producers.set(pid, e);
    }
    const run = e.runs[e.runs.length - 1];
    if (run !== undefined && seq === run.lastSeq + 1 && r.offset === run.firstOffset + (seq - run.firstSeq)) run.lastSeq = lastSeq;
    else {
      e.runs.push({ firstSeq: seq, lastSeq, firstOffset: r.offset });
      if (e.runs.length > RUNS_MAX) e.runs.shift();
    }
    e.lastSeq = lastSeq;
  }

  /** Resolves waiting acks whose offset the high watermark has reached. */
  completeAcks(minIsr: number): void {
    const acks = this.pendingAcks;
    let i = 0;
    while (i < acks.length && acks[i]!.requiredOffset <= this.hw) i++;
    if (i === 0) return;
    const done = acks.splice(0, i);
    // Kafka's checkEnoughReplicasReachOffset: reached, but the ISR shrank below min.insync.replicas.
    const error: ErrorCode = this.isr.length < minIsr ? 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' : 'NONE';
    for (const a of done) a.done(error);
  }

  /** Fails every waiting ack (leadership lost). */
  failAcks(error: ErrorCode): void {
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    for (const a of acks) a.done(error);
  }

  /** Wakes parked fetches: followers on any append, consumers when the high watermark moves. */
  wakeFetches(followers: boolean): void {
    if (this.fetchWaiters.size === 0) return;
    for (const w of [...this.fetchWaiters]) if (w.follower === followers) w.wake();
  }
}
