/**
 * What a broker keeps on disk: one partition log per replica, plus the few counters Kafka
 * checkpoints. It lives outside the broker's behaviour (which a crash discards) and is owned by
 * the cluster, like the machine's disk.
 *
 * Kafka does not fsync each write (`flush.messages` and `flush.ms` default to "never"): an append
 * lands in the OS page cache and Kafka relies on replication for durability. We model the page
 * cache: records below a replica's `flushedOffset` are on the platter; a crash (the simulation's
 * crash is a machine crash) truncates every log to its flushed offset. The OS writes dirty pages
 * back as Linux does by default: a flusher wakes every `writebackIntervalMs` (5 s,
 * vm.dirty_writeback_centisecs) and writes pages dirty for longer than `dirtyExpireMs` (30 s,
 * vm.dirty_expire_centisecs). The topic configs `flush.messages` and `flush.ms` force earlier
 * flushes, as in Kafka.
 */

import { PartitionLog } from './partition-log.ts';
import type { LogConfig } from './log-config.ts';
import { tpKey } from './protocol.ts';

/** The page-cache model (simulation settings, not Kafka configs). */
export interface PageCacheOptions {
  writebackIntervalMs: number;
  dirtyExpireMs: number;
}

export const DEFAULT_PAGE_CACHE: PageCacheOptions = { writebackIntervalMs: 5000, dirtyExpireMs: 30000 };

/** One replica's durable state. */
export interface StoredReplica {
  readonly topic: string;
  readonly partition: number;
  readonly log: PartitionLog;
  /** Records below this offset survive a crash. */
  flushedOffset: number;
  /** Messages appended since the last flush (for `flush.messages`). */
  unflushedMessages: number;
  lastFlushUs: number;
  /** The high watermark as last checkpointed (replication-offset-checkpoint). */
  hwCheckpoint: number;
  /** Log end offsets sampled at writeback ticks: [timeUs, leo] pairs, oldest first. */
  samples: number[];
}

/** Records a crash removed from one log. */
export interface CrashLoss {
  topic: string;
  partition: number;
  from: number;
  to: number;
}

export class BrokerStorage {
  readonly replicas = new Map<string, StoredReplica>();
  /** Producer ids this broker handed out (durable, so ids stay unique across restarts). */
  producerIdsIssued = 0;

  constructor(
    readonly broker: string,
    readonly ordinal: number,
    readonly pageCache: PageCacheOptions = DEFAULT_PAGE_CACHE,
  ) {}

  get(topic: string, partition: number): StoredReplica | undefined {
    return this.replicas.get(tpKey(topic, partition));
  }

  /** The replica's stored log, created empty the first time the broker hosts the partition. */
  getOrCreate(topic: string, partition: number, logConfig: Partial<LogConfig>, nowMs: number, nowUs: number): StoredReplica {
    const key = tpKey(topic, partition);
    let r = this.replicas.get(key);
    if (r === undefined) {
      r = { topic, partition, log: new PartitionLog(logConfig, { nowMs }), flushedOffset: 0, unflushedMessages: 0, lastFlushUs: nowUs, hwCheckpoint: 0, samples: [] };
      this.replicas.set(key, r);
    }
    return r;
  }

  /** A new producer id, unique in the cluster (brokers own disjoint ranges). */
  allocateProducerId(): number {
    return this.ordinal * 1_000_000 + this.producerIdsIssued++;
  }

  /** Makes everything written to this replica durable (an fsync). */
  flush(r: StoredReplica, nowUs: number): void {
    r.flushedOffset = r.log.logEndOffset;
    r.unflushedMessages = 0;
    r.lastFlushUs = nowUs;
  }

  /** After an append: applies `flush.messages` / `flush.ms`. */
  afterAppend(r: StoredReplica, count: number, flushMessages: number, flushMs: number, nowUs: number): void {
    r.unflushedMessages += count;
    if (r.unflushedMessages >= flushMessages || nowUs - r.lastFlushUs >= flushMs * 1000) this.flush(r, nowUs);
  }

  /** After a truncation: nothing beyond the log end can be durable. */
  afterTruncate(r: StoredReplica): void {
    const leo = r.log.logEndOffset;
    if (r.flushedOffset > leo) r.flushedOffset = leo;
    if (r.hwCheckpoint > leo) r.hwCheckpoint = leo;
    for (let i = 1; i < r.samples.length; i += 2) if (r.samples[i]! > leo) r.samples[i] = leo;
  }

  /** The OS flusher's tick: writes back what has been dirty for longer than dirtyExpireMs. */
  writeback(nowUs: number): void {
    const expireUs = this.pageCache.dirtyExpireMs * 1000;
    for (const r of this.replicas.values()) {
      const s = r.samples;
      // Sampled LEOs older than the expiry are durable now; keep the newest such sample as the floor.
      let cut = 0;
      while (cut + 2 < s.length && nowUs - s[cut + 2]! >= expireUs) cut += 2;
      if (s.length >= 2 && nowUs - s[cut]! >= expireUs) {
        const durable = Math.min(s[cut + 1]!, r.log.logEndOffset);
        if (durable > r.flushedOffset) r.flushedOffset = durable;
        cut += 2;
      }
      if (cut > 0) s.splice(0, cut);
      if (expireUs === 0) r.flushedOffset = r.log.logEndOffset;
      else s.push(nowUs, r.log.logEndOffset);
    }
  }

  /** A machine crash: every log loses what was not yet written back. */
  crash(nowMs: number): CrashLoss[] {
    const losses: CrashLoss[] = [];
    for (const r of this.replicas.values()) {
      const leo = r.log.logEndOffset;
      if (r.flushedOffset < leo) {
        r.log.truncateTo(Math.max(r.flushedOffset, r.log.logStartOffset), nowMs);
        losses.push({ topic: r.topic, partition: r.partition, from: r.log.logEndOffset, to: leo });
      }
      r.samples.length = 0;
      r.unflushedMessages = 0;
      if (r.hwCheckpoint > r.log.logEndOffset) r.hwCheckpoint = r.log.logEndOffset;
    }
    return losses;
  }
}
