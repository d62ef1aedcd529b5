/**
 * The sticky assignors' general path, used when members subscribe to different topics (Kafka's
 * `AbstractStickyAssignor.GeneralAssignmentBuilder`), without rack awareness.
 *
 * 1. Keep every still-valid owned partition where it is.
 * 2. Give each unassigned partition to the least-loaded member that subscribes to its topic.
 * 3. While the assignment is not balanced, move partitions from heavier to lighter members,
 *    preferring to hand a partition back to its owner from an earlier generation, and undoing
 *    earlier moves instead of chaining them ({@link PartitionMovements}).
 * 4. If that did not improve the balance score, keep the assignment from before step 3.
 */

import { removeFirst, type GroupMember } from './group-subscription.ts';
import type { JavaHashMap } from './java-hash-map.ts';
import { PartitionMovements } from './partition-movements.ts';
import { DEFAULT_GENERATION, type MemberData } from './sticky-member-data.ts';
import { compareStrings, sameTp, tpId, type TopicPartition } from './topic-partition.ts';

/** Output of the general builder. */
export interface GeneralResult {
  assignment: Map<string, TopicPartition[]>;
  movements: PartitionMovements;
}

/** Kafka's `TreeSet<String>` ordered by (assigned partition count, member id). */
class SortedConsumers {
  private readonly items: string[] = [];
  constructor(private readonly sizeOf: (consumer: string) => number) {}

  private compare(a: string, b: string): number {
    return this.sizeOf(a) - this.sizeOf(b) || compareStrings(a, b);
  }
  add(consumer: string): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.items[mid]!, consumer);
      if (c === 0) return;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, consumer);
  }
  remove(consumer: string): void {
    const i = this.items.indexOf(consumer);
    if (i >= 0) this.items.splice(i, 1);
  }
  first(): string {
    return this.items[0]!;
  }
  last(): string {
    return this.items[this.items.length - 1]!;
  }
  [Symbol.iterator](): IterableIterator<string> {
    return this.items.slice()[Symbol.iterator]();
  }
}

/**
 * Runs the general sticky assignment. `currentAssignment` holds each member's still-valid owned
 * partitions and is updated in place (it becomes the result), as in Kafka.
 */
export function buildGeneralAssignment(
  partitionsPerTopic: JavaHashMap<string, number>,
  subscriptions: JavaHashMap<string, GroupMember>,
  currentAssignment: JavaHashMap<string, TopicPartition[]>,
  memberData: (member: GroupMember) => MemberData,
  maxGeneration: number,
): GeneralResult {
  let totalPartitionsCount = 0;
  for (const n of partitionsPerTopic.values()) totalPartitionsCount += n;

  const topic2AllPotentialConsumers = new Map<string, string[]>();
  const consumer2AllPotentialTopics = new Map<string, string[]>();
  for (const topic of partitionsPerTopic.keys()) topic2AllPotentialConsumers.set(topic, []);
  for (const [consumerId, subscription] of subscriptions.entries()) {
    const subscribedTopics: string[] = [];
    consumer2AllPotentialTopics.set(consumerId, subscribedTopics);
    for (const topic of subscription.topics) {
      if (!partitionsPerTopic.has(topic)) continue;
      subscribedTopics.push(topic);
      topic2AllPotentialConsumers.get(topic)!.push(consumerId);
    }
    if (!currentAssignment.has(consumerId)) currentAssignment.set(consumerId, []);
  }

  const currentPartitionConsumer = new Map<string, string>();
  for (const [consumer, partitions] of currentAssignment.entries()) {
    for (const p of partitions) currentPartitionConsumer.set(tpId(p), consumer);
  }

  const topicOrder = (a: string, b: string) =>
    topic2AllPotentialConsumers.get(a)!.length - topic2AllPotentialConsumers.get(b)!.length || compareStrings(a, b);
  const sortedAllTopics = [...topic2AllPotentialConsumers.keys()].sort(topicOrder);
  let sortedAllPartitions: TopicPartition[] = [];
  for (const topic of sortedAllTopics) {
    const n = partitionsPerTopic.get(topic)!;
    for (let i = 0; i < n; i++) sortedAllPartitions.push({ topic, partition: i });
  }
  const partitionOrder = (a: TopicPartition, b: TopicPartition) => topicOrder(a.topic, b.topic) || a.partition - b.partition;

  const sizeOf = (consumer: string) => currentAssignment.get(consumer)!.length;
  const sortedCurrentSubscriptions = new SortedConsumers(sizeOf);
  let revocationRequired = false;

  const getMaxAssignmentSize = (topics: readonly string[]): number => {
    if (topics.length === partitionsPerTopic.size) return totalPartitionsCount;
    let sum = 0;
    for (const t of topics) sum += partitionsPerTopic.get(t)!;
    return sum;
  };

  // prepopulateCurrentAssignments: remember who owned what in older generations.
  const prevAssignment = new Map<string, { consumer: string; generation: number }>();
  const updatePrevAssignment = (partitions: readonly TopicPartition[], consumer: string, generation: number) => {
    for (const p of partitions) {
      const existing = prevAssignment.get(tpId(p));
      if (existing === undefined || generation > existing.generation) prevAssignment.set(tpId(p), { consumer, generation });
    }
  };
  for (const [consumer, subscription] of subscriptions.entries()) {
    const data = memberData(subscription);
    if (data.generation !== undefined && data.generation < maxGeneration) {
      updatePrevAssignment(data.partitions, consumer, data.generation);
    } else if (data.generation === undefined && maxGeneration > DEFAULT_GENERATION) {
      updatePrevAssignment(data.partitions, consumer, DEFAULT_GENERATION);
    }
  }

  const movements = new PartitionMovements();

  // assignOwnedPartitions: keep owned partitions whose topic the owner still subscribes to.
  const assignedPartitions: TopicPartition[] = [];
  for (const [consumer, partitions] of currentAssignment.entries()) {
    const subscription = subscriptions.get(consumer);
    if (subscription === undefined) {
      for (const p of partitions) currentPartitionConsumer.delete(tpId(p));
      currentAssignment.delete(consumer);
      continue;
    }
    for (let i = 0; i < partitions.length; ) {
      const p = partitions[i]!;
      if (!topic2AllPotentialConsumers.has(p.topic)) {
        partitions.splice(i, 1);
        currentPartitionConsumer.delete(tpId(p));
      } else if (!subscription.topics.includes(p.topic)) {
        partitions.splice(i, 1);
        revocationRequired = true;
      } else {
        assignedPartitions.push(p);
        i++;
      }
    }
  }

  // getUnassignedPartitions (Kafka returns the very same list when nothing is assigned).
  let unassignedPartitions: TopicPartition[];
  if (assignedPartitions.length === 0) {
    unassignedPartitions = sortedAllPartitions;
  } else {
    unassignedPartitions = [];
    const sortedAssigned = assignedPartitions.slice().sort(partitionOrder);
    let next = 0;
    let addDirectly = false;
    for (const p of sortedAllPartitions) {
      if (addDirectly || !sameTp(sortedAssigned[next]!, p)) {
        unassignedPartitions.push(p);
      } else if (next + 1 < sortedAssigned.length) {
        next++;
      } else {
        addDirectly = true;
      }
    }
  }

  for (const consumer of currentAssignment.keys()) sortedCurrentSubscriptions.add(consumer);

  const canTopicParticipateInReassignment = (topic: string) => topic2AllPotentialConsumers.get(topic)!.length >= 2;
  const canConsumerParticipateInReassignment = (consumer: string): boolean => {
    const current = currentAssignment.get(consumer)!;
    const maxSize = getMaxAssignmentSize(consumer2AllPotentialTopics.get(consumer)!);
    if (current.length < maxSize) return true;
    return current.some((p) => canTopicParticipateInReassignment(p.topic));
  };

  const isBalanced = (): boolean => {
    const min = sizeOf(sortedCurrentSubscriptions.first());
    const max = sizeOf(sortedCurrentSubscriptions.last());
    if (min >= max - 1) return true;
    const allPartitions = new Map<string, string>();
    for (const [consumer, partitions] of currentAssignment.entries()) {
      for (const p of partitions) allPartitions.set(tpId(p), consumer);
    }
    for (const consumer of sortedCurrentSubscriptions) {
      const consumerPartitions = currentAssignment.get(consumer)!;
      const count = consumerPartitions.length;
      const topics = consumer2AllPotentialTopics.get(consumer)!;
      if (count === getMaxAssignmentSize(topics)) continue;
      const owned = new Set(consumerPartitions.map(tpId));
      for (const topic of topics) {
        const n = partitionsPerTopic.get(topic)!;
        for (let i = 0; i < n; i++) {
          const id = tpId({ topic, partition: i });
          if (owned.has(id)) continue;
          const other = allPartitions.get(id);
          // Kafka would throw a NullPointerException for an unowned partition; none exist here.
          if (other === undefined) continue;
          if (count + 1 < sizeOf(other)) return false;
        }
      }
    }
    return true;
  };

  const getBalanceScore = (assignment: Iterable<TopicPartition[]>): number => {
    const sizes = [...assignment].map((l) => l.length);
    let score = 0;
    for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i]! - sizes[j]!);
    return score;
  };

  const maybeAssignPartition = (partition: TopicPartition): boolean => {
    for (const consumer of sortedCurrentSubscriptions) {
      if (consumer2AllPotentialTopics.get(consumer)!.includes(partition.topic)) {
        sortedCurrentSubscriptions.remove(consumer);
        currentAssignment.get(consumer)!.push(partition);
        currentPartitionConsumer.set(tpId(partition), consumer);
        sortedCurrentSubscriptions.add(consumer);
        return true;
      }
    }
    return false;
  };

  const processPartitionMovement = (partition: TopicPartition, newConsumer: string) => {
    const oldConsumer = currentPartitionConsumer.get(tpId(partition))!;
    sortedCurrentSubscriptions.remove(oldConsumer);
    sortedCurrentSubscriptions.remove(newConsumer);
    movements.movePartition(partition, oldConsumer, newConsumer);
    removeFirst(currentAssignment.get(oldConsumer)!, (p) => sameTp(p, partition));
    currentAssignment.get(newConsumer)!.push(partition);
    currentPartitionConsumer.set(tpId(partition), newConsumer);
    sortedCurrentSubscriptions.add(newConsumer);
    sortedCurrentSubscriptions.add(oldConsumer);
  };

  const reassignPartitionTo = (partition: TopicPartition, newConsumer: string) => {
    const consumer = currentPartitionConsumer.get(tpId(partition))!;
    processPartitionMovement(movements.actualPartitionToMove(partition, consumer, newConsumer), newConsumer);
  };

  const reassignPartition = (partition: TopicPartition) => {
    for (const another of sortedCurrentSubscriptions) {
      if (consumer2AllPotentialTopics.get(another)!.includes(partition.topic)) {
        reassignPartitionTo(partition, another);
        return;
      }
    }
    throw new Error(`sticky assignor: no consumer can take ${partition.topic}-${partition.partition}`);
  };

  const performReassignments = (reassignablePartitions: readonly TopicPartition[]): boolean => {
    let reassignmentPerformed = false;
    let modified: boolean;
    // Each pass either moves a partition towards balance or stops; a pass that moves nothing ends
    // the loop, so the number of passes is bounded by the number of possible moves.
    do {
      modified = false;
      for (const partition of reassignablePartitions) {
        if (isBalanced()) break;
        const consumer = currentPartitionConsumer.get(tpId(partition))!;
        const prev = prevAssignment.get(tpId(partition));
        // Kafka would throw a NullPointerException if the previous owner is not reassignable; we skip.
        if (prev !== undefined && currentAssignment.has(prev.consumer) && sizeOf(consumer) > sizeOf(prev.consumer) + 1) {
          reassignPartitionTo(partition, prev.consumer);
          reassignmentPerformed = true;
          modified = true;
          continue;
        }
        for (const other of topic2AllPotentialConsumers.get(partition.topic)!) {
          if (sizeOf(consumer) > sizeOf(other) + 1) {
            reassignPartition(partition);
            reassignmentPerformed = true;
            modified = true;
            break;
          }
        }
      }
    } while (modified);
    return reassignmentPerformed;
  };

  // balance()
  const initializing = sizeOf(sortedCurrentSubscriptions.last()) === 0;
  for (const partition of unassignedPartitions) {
    if (topic2AllPotentialConsumers.get(partition.topic)!.length === 0) continue;
    maybeAssignPartition(partition);
  }

  const fixedTopics = new Set<string>();
  for (const topic of topic2AllPotentialConsumers.keys()) {
    if (!canTopicParticipateInReassignment(topic)) fixedTopics.add(topic);
  }
  sortedAllPartitions = sortedAllPartitions.filter((p) => !fixedTopics.has(p.topic));
  unassignedPartitions = unassignedPartitions.filter((p) => !fixedTopics.has(p.topic));

  const fixedAssignments = new Map<string, TopicPartition[]>();
  for (const consumer of consumer2AllPotentialTopics.keys()) {
    if (!canConsumerParticipateInReassignment(consumer)) {
      sortedCurrentSubscriptions.remove(consumer);
      fixedAssignments.set(consumer, currentAssignment.get(consumer)!);
      currentAssignment.delete(consumer);
    }
  }

  const preBalanceAssignment = new Map<string, TopicPartition[]>();
  for (const [consumer, partitions] of currentAssignment.entries()) preBalanceAssignment.set(consumer, partitions.slice());
  const preBalancePartitionConsumers = new Map(currentPartitionConsumer);

  if (currentAssignment.size > 0) {
    if (!revocationRequired) performReassignments(unassignedPartitions);
    const reassignmentPerformed = performReassignments(sortedAllPartitions);
    if (
      !initializing &&
      reassignmentPerformed &&
      getBalanceScore(currentAssignment.values()) >= getBalanceScore(preBalanceAssignment.values())
    ) {
      for (const [consumer, partitions] of preBalanceAssignment) currentAssignment.set(consumer, partitions.slice());
      currentPartitionConsumer.clear();
      for (const [k, v] of preBalancePartitionConsumers) currentPartitionConsumer.set(k, v);
    }
  }

  for (const [consumer, partitions] of fixedAssignments) {
    currentAssignment.set(consumer, partitions);
    sortedCurrentSubscriptions.add(consumer);
  }

  const assignment = new Map<string, TopicPartition[]>();
  for (const [consumer, partitions] of currentAssignment.entries()) assignment.set(consumer, partitions);
  return { assignment, movements };
}
