/**
 * Bookkeeping of partition moves during one general-case sticky assignment, after Kafka's
 * `AbstractStickyAssignor.PartitionMovements`.
 *
 * When balancing wants to move a partition of topic T from consumer A to B, but some partition of
 * T was already moved from B to A in this round, Kafka moves that one back instead: the net effect
 * on balance is the same and fewer partitions change owner. `isSticky` checks afterwards that no
 * topic has partitions moving both ways between two consumers.
 */

import { JavaHashMap, JavaHashSet, javaStringHashCode } from './java-hash-map.ts';
import { tpId, tpSet, type TopicPartition } from './topic-partition.ts';

/** A move of some partition from `src` to `dst` (Kafka's `ConsumerPair`). */
interface ConsumerPair {
  readonly src: string;
  readonly dst: string;
}

function pairHash(p: ConsumerPair): number {
  // ConsumerPair.hashCode: 31 * (31 * 1 + src.hashCode()) + dst.hashCode()
  return (Math.imul(31, (31 + javaStringHashCode(p.src)) | 0) + javaStringHashCode(p.dst)) | 0;
}

function pairId(p: ConsumerPair): string {
  return `${p.src}\u0000${p.dst}`;
}

function pairSet(items?: Iterable<ConsumerPair>): JavaHashSet<ConsumerPair> {
  return items === undefined ? new JavaHashSet(pairHash, pairId) : JavaHashSet.copyOf(pairHash, pairId, items);
}

/** Tracks partition moves per topic so that moves can be undone instead of chained. */
export class PartitionMovements {
  private readonly byTopic = new Map<string, JavaHashMap<ConsumerPair, JavaHashSet<TopicPartition>>>();
  private readonly movements = new Map<string, ConsumerPair>();

  /** Records that `partition` moved from `oldConsumer` to `newConsumer`, collapsing A→B→C into A→C and A→B→A into nothing. */
  movePartition(partition: TopicPartition, oldConsumer: string, newConsumer: string): void {
    const existing = this.movements.get(tpId(partition));
    if (existing !== undefined) {
      this.removeMovementRecord(partition);
      if (existing.dst !== oldConsumer) {
        throw new Error(`partition movement bookkeeping broken: ${existing.dst} !== ${oldConsumer}`);
      }
      if (existing.src !== newConsumer) this.addMovementRecord(partition, { src: existing.src, dst: newConsumer });
    } else {
      this.addMovementRecord(partition, { src: oldConsumer, dst: newConsumer });
    }
  }

  /**
   * The partition that should actually move when `partition` is to go from `oldConsumer` to
   * `newConsumer`: if a partition of the same topic already moved the other way, that one goes back.
   */
  actualPartitionToMove(partition: TopicPartition, oldConsumer: string, newConsumer: string): TopicPartition {
    const topicMoves = this.byTopic.get(partition.topic);
    if (topicMoves === undefined) return partition;
    let from = oldConsumer;
    const previous = this.movements.get(tpId(partition));
    if (previous !== undefined) from = previous.src;
    const reverse = topicMoves.get({ src: newConsumer, dst: from });
    if (reverse === undefined) return partition;
    return reverse.first()!;
  }

  /** Whether no topic had partitions moving back and forth between the same two consumers. */
  isSticky(): boolean {
    for (const topicMoves of this.byTopic.values()) {
      if (hasCycles(pairSet(topicMoves.keys()))) return false;
    }
    return true;
  }

  private removeMovementRecord(partition: TopicPartition): ConsumerPair {
    const pair = this.movements.get(tpId(partition))!;
    this.movements.delete(tpId(partition));
    const topicMoves = this.byTopic.get(partition.topic)!;
    const set = topicMoves.get(pair)!;
    set.delete(partition);
    if (set.size === 0) topicMoves.delete(pair);
    if (topicMoves.size === 0) this.byTopic.delete(partition.topic);
    return pair;
  }

  private addMovementRecord(partition: TopicPartition, pair: ConsumerPair): void {
    this.movements.set(tpId(partition), pair);
    let topicMoves = this.byTopic.get(partition.topic);
    if (topicMoves === undefined) {
      topicMoves = new JavaHashMap<ConsumerPair, JavaHashSet<TopicPartition>>(pairHash, pairId);
      this.byTopic.set(partition.topic, topicMoves);
    }
    let set = topicMoves.get(pair);
    if (set === undefined) {
      set = tpSet();
      topicMoves.set(pair, set);
    }
    set.add(partition);
  }
}

function pairIn(pair: ConsumerPair, pairs: JavaHashSet<ConsumerPair>): boolean {
  return pairs.has(pair);
}

function isLinked(src: string, dst: string, pairs: JavaHashSet<ConsumerPair>, currentPath: string[]): boolean {
  if (src === dst) return false;
  if (pairs.size === 0) return false;
  if (pairIn({ src, dst }, pairs)) {
    currentPath.push(src, dst);
    return true;
  }
  // Kafka follows only the first outgoing pair it meets (in HashSet order); so do we.
  for (const pair of pairs) {
    if (pair.src === src) {
      const reduced = pairSet(pairs);
      reduced.delete(pair);
      currentPath.push(pair.src);
      return isLinked(pair.dst, dst, reduced, currentPath);
    }
  }
  return false;
}

function cycleKnown(cycle: readonly string[], cycles: readonly string[][]): boolean {
  const superCycle = [...cycle.slice(0, -1), ...cycle];
  for (const found of cycles) {
    if (found.length !== cycle.length) continue;
    for (let i = 0; i + found.length <= superCycle.length; i++) {
      if (found.every((c, j) => superCycle[i + j] === c)) return true;
    }
  }
  return false;
}

function hasCycles(pairs: JavaHashSet<ConsumerPair>): boolean {
  const cycles: string[][] = [];
  for (const pair of pairs) {
    const reduced = pairSet(pairs);
    reduced.delete(pair);
    const path = [pair.src];
    if (isLinked(pair.dst, pair.src, reduced, path) && !cycleKnown(path, cycles)) cycles.push(path.slice());
  }
  // Only cycles of length 2 (A→B→A) count as a stickiness violation, as in Kafka.
  return cycles.some((c) => c.length === 3);
}
