/**
 * Helpers shared by the assignor tests, written after the helpers in Kafka's own tests
 * (RangeAssignorTest, AbstractPartitionAssignorTest, AbstractStickyAssignorTest).
 */
import { expect } from 'vitest';
import type { GroupMember } from '../../../src/sim/broker/kafka/group-subscription.ts';
import type { TopicPartition } from '../../../src/sim/broker/kafka/topic-partition.ts';

export const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/** `new Subscription(topics)` for a member without owned partitions or generation. */
export const member = (memberId: string, topics: string[], extra: Partial<GroupMember> = {}): GroupMember => ({
  memberId,
  topics,
  ...extra,
});

/** Kafka prints partitions as topic-partition; the rack tests compare sorted, comma-joined strings. */
export const tpString = (p: TopicPartition): string => `${p.topic}-${p.partition}`;

/** AbstractPartitionAssignorTest.toSortedString: Java sorts the strings, so "t1-10" < "t1-2". */
export function toSortedString(partitions: readonly TopicPartition[]): string {
  return partitions
    .map(tpString)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .join(', ');
}

/** Parses "t1-0, t2-3" back into partitions, as AbstractPartitionAssignorTest.ownedPartitions does. */
export function parsePartitions(text: string): TopicPartition[] {
  if (text.trim() === '') return [];
  return text.split(', ').map((s) => {
    const i = s.lastIndexOf('-');
    return tp(s.slice(0, i), Number(s.slice(i + 1)));
  });
}

/** RangeAssignorTest.assertAssignment: order does not matter, so compare as sets. */
export function assertSameSet(actual: readonly TopicPartition[] | undefined, expected: readonly TopicPartition[]): void {
  expect(actual).toBeDefined();
  expect(new Set(actual!.map(tpString))).toEqual(new Set(expected.map(tpString)));
}

/** AbstractStickyAssignorTest.isFullyBalanced: member counts differ by at most one. */
export function isFullyBalanced(assignment: Record<string, readonly TopicPartition[]>): boolean {
  const sizes = Object.values(assignment).map((l) => l.length);
  if (sizes.length === 0) return true;
  return Math.max(...sizes) - Math.min(...sizes) <= 1;
}

/**
 * AbstractStickyAssignorTest.verifyValidityAndBalance:
 * - each consumer is subscribed to the topics of all partitions assigned to it;
 * - each partition is assigned to no more than one consumer;
 * - two consumers whose counts differ by 2 or more share no topic (else a partition could move).
 */
export function verifyValidityAndBalance(
  members: readonly GroupMember[],
  assignment: Record<string, readonly TopicPartition[]>,
): void {
  const byId = new Map(members.map((m) => [m.memberId, m]));
  expect(Object.keys(assignment).length).toBe(members.length);
  const consumers = Object.keys(assignment).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 0; i < consumers.length; i++) {
    const consumer = consumers[i]!;
    const partitions = assignment[consumer]!;
    for (const p of partitions) {
      expect(byId.get(consumer)!.topics, `${tpString(p)} is assigned to ${consumer}, which is not subscribed to ${p.topic}`).toContain(p.topic);
    }
    for (let j = i + 1; j < consumers.length; j++) {
      const other = consumers[j]!;
      const otherPartitions = assignment[other]!;
      const otherSet = new Set(otherPartitions.map(tpString));
      const common = partitions.map(tpString).filter((s) => otherSet.has(s));
      expect(common, `${consumer} and ${other} have common partitions`).toEqual([]);
      if (Math.abs(partitions.length - otherPartitions.length) <= 1) continue;
      const topics = new Set(partitions.map((p) => p.topic));
      const otherTopics = new Set(otherPartitions.map((p) => p.topic));
      for (const t of topics) {
        expect(
          otherTopics.has(t),
          `some partitions of ${t} can be moved between ${consumer} (${partitions.length}) and ${other} (${otherPartitions.length}) for a better balance`,
        ).toBe(false);
      }
    }
  }
}
