/**
 * The sticky assignors' fast path for groups where every member subscribes to the same topics
 * (Kafka's `AbstractStickyAssignor.ConstrainedAssignmentBuilder`), without rack awareness.
 *
 * 1. Each member keeps up to its quota of the partitions it owned (quota = floor or ceil of
 *    partitions / members; only `partitions % members` members may keep the ceiling).
 * 2. The remaining partitions, in topic/partition order, are dealt round-robin to members below
 *    the floor quota (sorted by member id), then to members that may still take one more.
 * A partition given to a new owner while its old owner still lists it is recorded in
 * `partitionsTransferringOwnership`; the cooperative assignor withholds exactly those.
 */

import { removeFirst } from './group-subscription.ts';
import type { JavaHashMap, JavaHashSet } from './java-hash-map.ts';
import { compareStrings, compareTopicThenPartition, sameTp, tpMap, type TopicPartition } from './topic-partition.ts';

/** Output of the constrained builder. */
export interface ConstrainedResult {
  assignment: Map<string, TopicPartition[]>;
  partitionsTransferringOwnership: JavaHashMap<TopicPartition, string>;
}

/** A Java `Iterator` over a list that supports `remove()`, as the round-robin fill needs. */
class ListIterator<T> {
  private next_ = 0;
  private last = -1;
  constructor(private readonly list: T[]) {}
  hasNext(): boolean {
    return this.next_ < this.list.length;
  }
  next(): T {
    this.last = this.next_;
    return this.list[this.next_++]!;
  }
  remove(): void {
    if (this.last < 0) throw new Error('iterator remove() without next()');
    this.list.splice(this.last, 1);
    this.next_ = this.last;
    this.last = -1;
  }
}

/**
 * Runs the constrained assignment. `currentAssignment` is each member's still-valid owned
 * partitions, iterated in the leader's HashMap order, which decides who keeps the ceiling quota.
 */
export function buildConstrainedAssignment(
  partitionsPerTopic: JavaHashMap<string, number>,
  currentAssignment: JavaHashMap<string, TopicPartition[]>,
  partitionsWithMultiplePreviousOwners: JavaHashSet<TopicPartition>,
): ConstrainedResult {
  let totalPartitionsCount = 0;
  for (const n of partitionsPerTopic.values()) totalPartitionsCount += n;
  const numberOfConsumers = currentAssignment.size;
  const minQuota = Math.floor(totalPartitionsCount / numberOfConsumers);
  const maxQuota = Math.ceil(totalPartitionsCount / numberOfConsumers);
  const expectedNumMembersWithOverMinQuotaPartitions = totalPartitionsCount % numberOfConsumers;
  let currentNumMembersWithOverMinQuotaPartitions = 0;

  const assignment = new Map<string, TopicPartition[]>();
  for (const consumer of currentAssignment.keys()) assignment.set(consumer, []);
  const assignedPartitions: TopicPartition[] = [];
  const maybeRevokedPartitions = tpMap<string>();
  const partitionsTransferringOwnership = tpMap<string>();
  let unfilledMembersWithUnderMinQuotaPartitions: string[] = [];
  let unfilledMembersWithExactlyMinQuotaPartitions: string[] = [];

  // Step 1: reassign previously owned partitions, up to the quota.
  for (const [consumer, owned] of currentAssignment.entries()) {
    const ownedPartitions = owned
      .slice()
      .sort((a, b) => a.partition - b.partition || compareStrings(a.topic, b.topic));
    const consumerAssignment = assignment.get(consumer)!;
    for (const doublyClaimed of partitionsWithMultiplePreviousOwners) {
      removeFirst(ownedPartitions, (p) => sameTp(p, doublyClaimed));
    }
    if (ownedPartitions.length < minQuota) {
      consumerAssignment.push(...ownedPartitions);
      assignedPartitions.push(...ownedPartitions);
      unfilledMembersWithUnderMinQuotaPartitions.push(consumer);
    } else if (
      ownedPartitions.length >= maxQuota &&
      currentNumMembersWithOverMinQuotaPartitions < expectedNumMembersWithOverMinQuotaPartitions
    ) {
      currentNumMembersWithOverMinQuotaPartitions++;
      if (currentNumMembersWithOverMinQuotaPartitions === expectedNumMembersWithOverMinQuotaPartitions) {
        unfilledMembersWithExactlyMinQuotaPartitions = [];
      }
      const kept = ownedPartitions.slice(0, maxQuota);
      consumerAssignment.push(...kept);
      assignedPartitions.push(...kept);
      for (const p of ownedPartitions.slice(maxQuota)) maybeRevokedPartitions.set(p, consumer);
    } else {
      const kept = ownedPartitions.slice(0, minQuota);
      consumerAssignment.push(...kept);
      assignedPartitions.push(...kept);
      for (const p of ownedPartitions.slice(minQuota)) maybeRevokedPartitions.set(p, consumer);
      if (currentNumMembersWithOverMinQuotaPartitions < expectedNumMembersWithOverMinQuotaPartitions) {
        unfilledMembersWithExactlyMinQuotaPartitions.push(consumer);
      }
    }
  }

  const unassignedPartitions = unassignedInTopicOrder(partitionsPerTopic, assignedPartitions);
  unfilledMembersWithUnderMinQuotaPartitions.sort(compareStrings);
  unfilledMembersWithExactlyMinQuotaPartitions.sort(compareStrings);

  const assignNewPartition = (partition: TopicPartition, consumer: string): number => {
    const list = assignment.get(consumer)!;
    list.push(partition);
    const revokedFrom = maybeRevokedPartitions.get(partition);
    if ((revokedFrom !== undefined && revokedFrom !== consumer) || partitionsWithMultiplePreviousOwners.has(partition)) {
      partitionsTransferringOwnership.set(partition, consumer);
    }
    return list.length;
  };

  // Step 2: deal the rest round-robin to members below quota, then to those allowed one more.
  let unfilledIter = new ListIterator(unfilledMembersWithUnderMinQuotaPartitions);
  for (const partition of unassignedPartitions) {
    let consumer: string;
    if (unfilledIter.hasNext()) {
      consumer = unfilledIter.next();
    } else if (unfilledMembersWithUnderMinQuotaPartitions.length === 0 && unfilledMembersWithExactlyMinQuotaPartitions.length === 0) {
      throw new Error('sticky assignor: no more unfilled consumers to be assigned (Kafka throws IllegalStateException here)');
    } else if (unfilledMembersWithUnderMinQuotaPartitions.length === 0) {
      consumer = unfilledMembersWithExactlyMinQuotaPartitions.shift()!;
    } else {
      unfilledIter = new ListIterator(unfilledMembersWithUnderMinQuotaPartitions);
      consumer = unfilledIter.next();
    }
    const count = assignNewPartition(partition, consumer);
    if (count === minQuota) {
      unfilledIter.remove();
      unfilledMembersWithExactlyMinQuotaPartitions.push(consumer);
    } else if (count === maxQuota) {
      currentNumMembersWithOverMinQuotaPartitions++;
    }
  }

  // Kafka's verifyUnfilledMembers: anything left below quota means the algorithm is broken.
  if (unfilledMembersWithUnderMinQuotaPartitions.length > 0) {
    if (currentNumMembersWithOverMinQuotaPartitions !== expectedNumMembersWithOverMinQuotaPartitions) {
      throw new Error('sticky assignor: expected number of members with more than minQuota partitions not reached');
    }
    for (const member of unfilledMembersWithUnderMinQuotaPartitions) {
      if (assignment.get(member)!.length !== minQuota) {
        throw new Error(`sticky assignor: consumer ${member} doesn't reach minQuota partitions`);
      }
    }
  }
  return { assignment, partitionsTransferringOwnership };
}

/**
 * All partitions of the topics (names sorted, partitions ascending) that are not in `assigned`,
 * computed with Kafka's two-pointer walk over the sorted assigned list.
 */
function unassignedInTopicOrder(partitionsPerTopic: JavaHashMap<string, number>, assigned: TopicPartition[]): TopicPartition[] {
  const topics = [...partitionsPerTopic.keys()].sort(compareStrings);
  const unassigned: TopicPartition[] = [];
  const sortedAssigned = assigned.slice().sort(compareTopicThenPartition);
  let next = 0;
  let addDirectly = sortedAssigned.length === 0;
  for (const topic of topics) {
    const count = partitionsPerTopic.get(topic)!;
    for (let i = 0; i < count; i++) {
      const candidate = sortedAssigned[next];
      if (addDirectly || candidate === undefined || !(candidate.topic === topic && candidate.partition === i)) {
        unassigned.push({ topic, partition: i });
      } else if (next + 1 < sortedAssigned.length) {
        next++;
      } else {
        addDirectly = true;
      }
    }
  }
  return unassigned;
}
