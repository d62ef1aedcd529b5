/**
 * How a Kafka producer picks a partition.
 *
 * Keyed records go to `toPositive(murmur2(key)) % numPartitions`, exactly as Kafka's
 * `BuiltInPartitioner.partitionForKey` does, so learners see the same key→partition mapping as on
 * a real cluster. Records without a key use the "sticky" strategy of KIP-480 / KIP-794: the
 * producer keeps filling one partition until it has produced a batch's worth of bytes there, then
 * moves on, which gives fuller batches than spraying records round-robin.
 */

import { murmur2, toPositive } from './murmur2.ts';

/**
 * The partition Kafka's default partitioner picks for a serialized key. Kafka uses this even when
 * `partitioner.class` is unset, so it is what every Java producer does for keyed records.
 */
export function defaultPartition(keyBytes: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  }
  return toPositive(murmur2(keyBytes)) % numPartitions;
}

/** Options for {@link StickyPartitioner}. */
export interface StickyPartitionerOptions {
  /**
   * `batch.size` in bytes: how much to produce to one partition before switching. Kafka passes
   * its `batch.size` here (`stickyBatchSize` in BuiltInPartitioner).
   */
  batchSizeBytes: number;
  /**
   * Source of randomness in [0, 1), normally a fork of the simulation's seeded RNG. Kafka draws
   * `Utils.toPositive(ThreadLocalRandom.nextInt())`; we draw `floor(random() * 2^31)`, which is
   * the same range, so the choice stays deterministic for a seed.
   */
  random: () => number;
}

/**
 * Per-topic state of Kafka's built-in sticky partitioner for records without a key
 * (`BuiltInPartitioner`, KIP-794), without the concurrency machinery the Java client needs.
 *
 * Usage: ask {@link currentPartition} where the next keyless record goes, append it, then report
 * the appended bytes with {@link onAppend}. The partition switches once `batch.size` bytes were
 * produced to it, or once a batch is completed by `linger.ms` expiring ({@link onBatchCompleted}).
 */
export class StickyPartitioner {
  private readonly batchSizeBytes: number;
  private readonly random: () => number;
  private sticky: { partition: number; producedBytes: number } | null = null;
  private loadStats: { cumulativeFrequencies: number[]; partitionIds: number[] } | null = null;

  constructor(options: StickyPartitionerOptions) {
    if (!Number.isInteger(options.batchSizeBytes) || options.batchSizeBytes < 1) {
      // Same rule and wording as BuiltInPartitioner's constructor.
      throw new RangeError(`stickyBatchSize must be >= 1 but got ${options.batchSizeBytes}`);
    }
    this.batchSizeBytes = options.batchSizeBytes;
    this.random = options.random;
  }

  /**
   * The partition the next keyless record should go to. The first call picks one; later calls
   * return the same partition until {@link onAppend} or {@link onBatchCompleted} switches it.
   * `availablePartitions` are the partitions that currently have a leader; as in Kafka, when none
   * is available the choice falls back to all partitions.
   */
  currentPartition(numPartitions: number, availablePartitions?: readonly number[]): number {
    if (this.sticky === null) {
      this.sticky = { partition: this.nextPartition(numPartitions, availablePartitions), producedBytes: 0 };
    }
    return this.sticky.partition;
  }

  /**
   * Records that `appendedBytes` were appended to the current sticky partition and switches
   * partition once `batch.size` bytes were produced to it. `enableSwitch: false` mirrors the
   * producer's accumulator saying "the current batch is not full yet": Kafka then delays the
   * switch, but never beyond twice `batch.size`, to avoid sending fractional batches.
   */
  onAppend(
    appendedBytes: number,
    numPartitions: number,
    options: { enableSwitch?: boolean; availablePartitions?: readonly number[] } = {},
  ): void {
    if (this.sticky === null) return;
    const enableSwitch = options.enableSwitch ?? true;
    this.sticky.producedBytes += appendedBytes;
    const produced = this.sticky.producedBytes;
    if ((produced >= this.batchSizeBytes && enableSwitch) || produced >= this.batchSizeBytes * 2) {
      this.sticky = { partition: this.nextPartition(numPartitions, options.availablePartitions), producedBytes: 0 };
    }
  }

  /**
   * Tells the partitioner that the batch for `partition` was completed and sent (for example
   * because `linger.ms` expired before `batch.size` was reached). If that was the sticky
   * partition, the next keyless record goes to a new one. This is the KIP-480 rule; KIP-794
   * switches on produced bytes only, so this is our documented simplification for lingering
   * producers.
   */
  onBatchCompleted(partition: number, numPartitions: number, availablePartitions?: readonly number[]): void {
    if (this.sticky === null || this.sticky.partition !== partition) return;
    this.sticky = { partition: this.nextPartition(numPartitions, availablePartitions), producedBytes: 0 };
  }

  /**
   * Adaptive partitioning (KIP-794, `partitioner.adaptive.partitioning.enable`): partitions with
   * shorter queues are chosen more often. `queueSizes[i]` is the number of batches waiting for
   * `partitionIds[i]`. Passing `null`, fewer than two partitions, or all-equal queues turns it off,
   * exactly as `BuiltInPartitioner.updatePartitionLoadStats` does.
   */
  updatePartitionLoadStats(queueSizes: readonly number[] | null, partitionIds: readonly number[], length = queueSizes?.length ?? 0): void {
    if (queueSizes === null || length < 1 || queueSizes.length < 2) {
      this.loadStats = null;
      return;
    }
    let maxSizePlus1 = queueSizes[0]!;
    let allEqual = true;
    for (let i = 1; i < length; i++) {
      if (queueSizes[i] !== maxSizePlus1) allEqual = false;
      if (queueSizes[i]! > maxSizePlus1) maxSizePlus1 = queueSizes[i]!;
    }
    maxSizePlus1 += 1;
    if (allEqual && length === queueSizes.length) {
      this.loadStats = null;
      return;
    }
    // Invert the queue sizes (shorter queue → higher weight) and fold them into a running sum,
    // so a uniform draw in [0, last) picks partition i with probability weight_i / total.
    const cumulativeFrequencies: number[] = [];
    for (let i = 0; i < length; i++) {
      const weight = maxSizePlus1 - queueSizes[i]!;
      cumulativeFrequencies.push(i === 0 ? weight : weight + cumulativeFrequencies[i - 1]!);
    }
    this.loadStats = { cumulativeFrequencies, partitionIds: partitionIds.slice(0, length) };
  }

  /** The exclusive upper end of the weighted draw while adaptive partitioning is on (a test aid, as in Kafka). */
  loadStatsRangeEnd(): number {
    if (this.loadStats === null) throw new Error('adaptive partitioning is off: no load stats');
    return this.loadStats.cumulativeFrequencies[this.loadStats.cumulativeFrequencies.length - 1]!;
  }

  private randomInt31(): number {
    const r = this.random();
    if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
    return Math.floor(r * 2 ** 31);
  }

  private nextPartition(numPartitions: number, availablePartitions?: readonly number[]): number {
    const random = this.randomInt31();
    if (this.loadStats !== null) {
      const table = this.loadStats.cumulativeFrequencies;
      const weighted = random % table[table.length - 1]!;
      // First index whose cumulative frequency is strictly greater than the draw.
      let lo = 0;
      let hi = table.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (table[mid]! > weighted) hi = mid;
        else lo = mid + 1;
      }
      return this.loadStats.partitionIds[lo]!;
    }
    if (availablePartitions !== undefined && availablePartitions.length > 0) {
      return availablePartitions[random % availablePartitions.length]!;
    }
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
    }
    return random % numPartitions;
  }
}
