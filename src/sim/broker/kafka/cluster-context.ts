/**
 * What every node of one simulated Kafka cluster shares: the node names, the validated broker
 * config, the brokers' disks (which outlive their crashes) and the remote storage tier.
 */

import type { LatencyModel } from '../../rng';
import type { BrokerConfig, TopicConfig } from './config.ts';
import type { LogRecord } from './log-record.ts';
import { BrokerStorage, type PageCacheOptions } from './storage.ts';

/** A segment copied to the remote tier (an object store shared by the whole cluster). */
export interface RemoteSegment {
  baseOffset: number;
  endOffset: number;
  records: readonly LogRecord[];
  sizeBytes: number;
  largestTimestampMs: number;
}

/** The remote tier of one partition. */
export interface RemotePartition {
  segments: RemoteSegment[];
  /** Everything below this offset has been copied. */
  copiedUpTo: number;
  /** The remote tier's own log start (moved by total retention). */
  logStartOffset: number;
}

export interface ClusterContext {
  readonly brokers: readonly string[];
  readonly controller: string;
  readonly config: BrokerConfig;
  readonly topicDefaults: TopicConfig;
  readonly pageCache: PageCacheOptions;
  /** Latency of a read from the remote tier (tiered storage). */
  readonly remoteLatency: LatencyModel;
  readonly storages: Map<string, BrokerStorage>;
  /** Remote tier by partition key (topic NUL partition). */
  readonly remote: Map<string, RemotePartition>;
}

/** The broker's storage, created the first time the broker starts. */
export function storageOf(ctx: ClusterContext, broker: string): BrokerStorage {
  let s = ctx.storages.get(broker);
  if (s === undefined) {
    s = new BrokerStorage(broker, ctx.brokers.indexOf(broker) + 1, ctx.pageCache);
    ctx.storages.set(broker, s);
  }
  return s;
}
