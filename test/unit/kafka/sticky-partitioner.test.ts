import { describe, expect, it } from 'vitest';
import { StickyPartitioner } from '../../../src/sim/broker/kafka/partitioner.ts';

/**
 * Kafka's BuiltInPartitionerTest overrides randomPartition() with a counter (SequentialPartitioner)
 * so that choices are predictable. Our partitioner takes `random` in [0, 1) and draws
 * floor(random * 2^31), so returning k / 2^31 reproduces the counter exactly.
 */
function sequentialRandom(): () => number {
  let k = 0;
  return () => k++ / 2 ** 31;
}

describe('StickyPartitioner (BuiltInPartitioner, KIP-794)', () => {
  // Source: apache/kafka clients/src/test/java/org/apache/kafka/clients/producer/internals/BuiltInPartitionerTest.java
  it('testStickyPartitioning: stays on one partition until batch.size bytes were produced, then switches', () => {
    const topicA = { numPartitions: 3 };
    const a = new StickyPartitioner({ batchSizeBytes: 3, random: sequentialRandom() });
    const partA = a.currentPartition(topicA.numPartitions);
    a.onAppend(1, topicA.numPartitions);
    expect(a.currentPartition(topicA.numPartitions)).toBe(partA);
    a.onAppend(1, topicA.numPartitions);
    expect(a.currentPartition(topicA.numPartitions)).toBe(partA);
    a.onAppend(1, topicA.numPartitions);
    // After producing 3 records, partition must've switched.
    expect(a.currentPartition(topicA.numPartitions)).not.toBe(partA);

    // Switching works even when there is one partition.
    const b = new StickyPartitioner({ batchSizeBytes: 1, random: sequentialRandom() });
    for (let c = 0; c < 10; c++) {
      expect(b.currentPartition(1)).toBe(0);
      b.onAppend(1, 1);
    }
  });

  it('unavailablePartitionsTest: never picks a partition without a leader, falls back to all when none has one', () => {
    // topicA: partitions 0..2, partition 1 has no leader. topicB: 0..1, partition 0 has no leader.
    // topicC: one partition without a leader.
    let seed = 12345;
    const lcg = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const a = new StickyPartitioner({ batchSizeBytes: 1, random: lcg });
    const availableA = [0, 2];
    const partA = a.currentPartition(3, availableA);
    a.onAppend(1, 3, { availablePartitions: availableA });
    expect(partA).not.toBe(1);
    let foundAnotherPartA = false;
    for (let i = 0; i < 100; i++) {
      const p = a.currentPartition(3, availableA);
      a.onAppend(1, 3, { availablePartitions: availableA });
      expect(p).not.toBe(1);
      foundAnotherPartA ||= p !== partA;
    }
    expect(foundAnotherPartA, `expected to find a partition other than ${partA}`).toBe(true);

    const b = new StickyPartitioner({ batchSizeBytes: 1, random: lcg });
    const availableB = [1];
    expect(b.currentPartition(2, availableB)).toBe(1);
    b.onAppend(1, 2, { availablePartitions: availableB });
    for (let i = 0; i < 100; i++) {
      expect(b.currentPartition(2, availableB)).toBe(1);
      b.onAppend(1, 2, { availablePartitions: availableB });
    }

    const c = new StickyPartitioner({ batchSizeBytes: 1, random: lcg });
    expect(c.currentPartition(1, [])).toBe(0);
    c.onAppend(1, 1, { availablePartitions: [] });
    expect(c.currentPartition(1, [])).toBe(0);
  });

  it('adaptivePartitionsTest: partitions are chosen with frequency reciprocal to their queue size', () => {
    const p = new StickyPartitioner({ batchSizeBytes: 1, random: sequentialRandom() });
    const queueSizes = [5, 0, 3, 0, 1];
    const partitionIds = [0, 1, 2, 3, 4];
    const expectedFrequencies = queueSizes.map((q) => 6 - q); // 6 is max(queueSizes) + 1
    p.updatePartitionLoadStats(queueSizes, partitionIds, queueSizes.length);
    const numberOfCycles = 2;
    const iterations = p.loadStatsRangeEnd() * numberOfCycles;
    const frequencies = [0, 0, 0, 0, 0];
    for (let i = 0; i < iterations; i++) {
      const partition = p.currentPartition(5);
      frequencies[partition]! += 1;
      p.onAppend(1, 5);
    }
    expect(frequencies).toEqual(expectedFrequencies.map((f) => f * numberOfCycles));
  });

  it('testStickyBatchSizeMoreThatZero: batch.size must be at least 1', () => {
    expect(() => new StickyPartitioner({ batchSizeBytes: 0, random: () => 0 })).toThrow(/stickyBatchSize must be >= 1/);
    expect(() => new StickyPartitioner({ batchSizeBytes: 1, random: () => 0 })).not.toThrow();
  });

  it('delays the switch while the batch is not full, but never past twice batch.size', () => {
    // BuiltInPartitioner.updatePartitionInfo: switch if produced >= batch.size && enableSwitch,
    // or produced >= 2 * batch.size regardless.
    const p = new StickyPartitioner({ batchSizeBytes: 10, random: sequentialRandom() });
    const first = p.currentPartition(4);
    p.onAppend(12, 4, { enableSwitch: false });
    expect(p.currentPartition(4)).toBe(first);
    p.onAppend(8, 4, { enableSwitch: false });
    expect(p.currentPartition(4)).not.toBe(first);
  });

  it('switches when linger.ms completes the batch of the sticky partition, and ignores other partitions', () => {
    const p = new StickyPartitioner({ batchSizeBytes: 16384, random: sequentialRandom() });
    const first = p.currentPartition(4);
    p.onAppend(100, 4);
    p.onBatchCompleted((first + 1) % 4, 4);
    expect(p.currentPartition(4)).toBe(first);
    p.onBatchCompleted(first, 4);
    expect(p.currentPartition(4)).not.toBe(first);
  });

  it('is deterministic for a given random source', () => {
    const run = () => {
      let s = 7;
      const rnd = () => {
        s = (Math.imul(s, 48271) % 2147483647 + 2147483647) % 2147483647;
        return s / 2147483647;
      };
      const p = new StickyPartitioner({ batchSizeBytes: 2, random: rnd });
      const seen: number[] = [];
      for (let i = 0; i < 50; i++) {
        seen.push(p.currentPartition(6));
        p.onAppend(1, 6);
      }
      return seen;
    };
    expect(run()).toEqual(run());
  });
});
