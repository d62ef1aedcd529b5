/**
 * Topic-partition values and the orderings Kafka's assignors use.
 *
 * Java compares strings by UTF-16 code units (`String.compareTo`); JavaScript's `<` on strings
 * does the same, while `localeCompare` does not, so every comparator here is built on `<`.
 */

import { JavaHashMap, JavaHashSet, topicPartitionHashCode } from './java-hash-map.ts';

/** One partition of one topic, the unit the assignors hand out. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Java's `String.compareTo` sign, so sorting here orders names exactly as Kafka does. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Topic first, then partition number: Kafka's `TopicPartitionComparator`. */
export function compareTopicThenPartition(a: TopicPartition, b: TopicPartition): number {
  return compareStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** A collision-free string identity for a partition (topic names cannot contain NUL). */
export function tpId(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** Formats a partition as Kafka prints it, `topic-3`, for messages and docs. */
export function tpName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** Creates a partition value; a short name keeps tests and examples readable. */
export function tp(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}

/** Whether two partition values name the same partition. */
export function sameTp(a: TopicPartition, b: TopicPartition): boolean {
  return a.topic === b.topic && a.partition === b.partition;
}

function tpHash(x: TopicPartition): number {
  return topicPartitionHashCode(x.topic, x.partition);
}

/** A `HashMap<TopicPartition, V>` with Java's iteration order. */
export function tpMap<V>(initialCapacity?: number): JavaHashMap<TopicPartition, V> {
  return new JavaHashMap<TopicPartition, V>(tpHash, tpId, initialCapacity);
}

/** A `HashSet<TopicPartition>` with Java's iteration order. */
export function tpSet(items?: Iterable<TopicPartition>): JavaHashSet<TopicPartition> {
  return items === undefined ? new JavaHashSet(tpHash, tpId) : JavaHashSet.copyOf(tpHash, tpId, items);
}
