/**
 * Kafka's sticky assignors: `sticky` (eager, `StickyAssignor`) and `cooperative-sticky`
 * (`CooperativeStickyAssignor`), both built on `AbstractStickyAssignor`, without rack awareness.
 *
 * Both aim for a balanced assignment (member counts differ by at most one when subscriptions
 * allow) that moves as few partitions as possible from their previous owners. The cooperative one
 * additionally withholds, for one round, every partition that is moving from one member to
 * another: the old owner must revoke it first, and a follow-up rebalance hands it over.
 */

import { removeFirst, type GroupMember, type GroupSubscription } from './group-subscription.ts';
import type { JavaHashMap } from './java-hash-map.ts';
import type { PartitionMovements } from './partition-movements.ts';
import { buildConstrainedAssignment } from './sticky-constrained-builder.ts';
import { buildGeneralAssignment } from './sticky-general-builder.ts';
import {
  cooperativeStickyMemberData,
  DEFAULT_GENERATION,
  eagerStickyMemberData,
  generationOf,
  type MemberData,
} from './sticky-member-data.ts';
import { javaStringMap } from './java-hash-map.ts';
import { sameTp, tpId, tpMap, tpSet, type TopicPartition } from './topic-partition.ts';

/** Everything one sticky assignment round produced, including what Kafka keeps in assignor fields. */
export interface StickyAssignResult {
  /** member id → partitions (for `cooperative-sticky`: after withholding transferring partitions). */
  assignment: Map<string, TopicPartition[]>;
  /**
   * Partitions moving to a new owner this round (partition → new owner), as computed by the
   * constrained builder; `null` when the general builder ran (Kafka's field is null then too).
   */
  partitionsTransferringOwnership: JavaHashMap<TopicPartition, string> | null;
  /**
   * For `cooperative-sticky`, the partitions actually withheld this round (partition → the member
   * that will get it after the follow-up rebalance).
   */
  withheld: JavaHashMap<TopicPartition, string>;
  /** Whether all members subscribed to the same topics (the constrained path ran). */
  allSubscriptionsEqual: boolean;
  /** Partition moves of the general path, for `isSticky()`; `null` after the constrained path. */
  movements: PartitionMovements | null;
  /** Highest generation seen, which Kafka keeps across rounds in the assignor instance. */
  maxGeneration: number;
}

/**
 * One sticky assignment round. `maxGenerationSeen` carries the assignor instance's memory between
 * rounds (Kafka never resets `maxGeneration` on a leader's assignor); a new leader starts at -1.
 */
export function stickyAssign(
  strategy: 'sticky' | 'cooperative-sticky',
  group: GroupSubscription,
  maxGenerationSeen: number = DEFAULT_GENERATION,
): StickyAssignResult {
  const memberData = strategy === 'sticky' ? eagerStickyMemberData : cooperativeStickyMemberData;
  const { subscriptions, partitionsPerTopic } = group;
  const consumerToOwnedPartitions = javaStringMap<TopicPartition[]>();
  const partitionsWithMultiplePreviousOwners = tpSet();
  const scan = allSubscriptionsEqual(group, memberData, consumerToOwnedPartitions, partitionsWithMultiplePreviousOwners);
  const maxGeneration = Math.max(maxGenerationSeen, scan.maxGeneration);

  let assignment: Map<string, TopicPartition[]>;
  let partitionsTransferringOwnership: JavaHashMap<TopicPartition, string> | null;
  let movements: PartitionMovements | null = null;
  if (subscriptions.size === 0) {
    assignment = new Map();
    partitionsTransferringOwnership = tpMap<string>();
  } else if (scan.equal) {
    const result = buildConstrainedAssignment(partitionsPerTopic, consumerToOwnedPartitions, partitionsWithMultiplePreviousOwners);
    assignment = result.assignment;
    partitionsTransferringOwnership = result.partitionsTransferringOwnership;
  } else {
    const result = buildGeneralAssignment(partitionsPerTopic, subscriptions, consumerToOwnedPartitions, memberData, maxGeneration);
    assignment = result.assignment;
    movements = result.movements;
    partitionsTransferringOwnership = null;
  }

  let withheld = tpMap<string>();
  if (strategy === 'cooperative-sticky') {
    withheld = partitionsTransferringOwnership ?? computePartitionsTransferringOwnership(subscriptions, assignment);
    for (const [partition, consumer] of withheld.entries()) {
      removeFirst(assignment.get(consumer)!, (p) => sameTp(p, partition));
    }
  }
  return {
    assignment,
    partitionsTransferringOwnership,
    withheld,
    allSubscriptionsEqual: scan.equal,
    movements,
    maxGeneration,
  };
}

/**
 * Kafka's `allSubscriptionsEqual`: decides which builder runs, and collects each member's owned
 * partitions that are still valid. When two members claim the same partition, the higher
 * generation wins; equal generations invalidate the claim for both.
 */
function allSubscriptionsEqual(
  group: GroupSubscription,
  memberData: (member: GroupMember) => MemberData,
  consumerToOwnedPartitions: JavaHashMap<string, TopicPartition[]>,
  partitionsWithMultiplePreviousOwners: ReturnType<typeof tpSet>,
): { equal: boolean; maxGeneration: number } {
  const { subscriptions, partitionsPerTopic } = group;
  let equal = true;
  let maxGeneration = DEFAULT_GENERATION;
  const subscribedTopics = new Set<string>();
  const allPreviousPartitionsToOwner = new Map<string, string>();

  for (const [consumer, subscription] of subscriptions.entries()) {
    if (subscribedTopics.size === 0) {
      for (const t of subscription.topics) subscribedTopics.add(t);
    } else if (
      equal &&
      !(subscription.topics.length === subscribedTopics.size && subscription.topics.every((t) => subscribedTopics.has(t)))
    ) {
      equal = false;
    }

    const data = memberData(subscription);
    const memberGeneration = data.generation ?? DEFAULT_GENERATION;
    maxGeneration = Math.max(maxGeneration, memberGeneration);
    const ownedPartitions: TopicPartition[] = [];
    consumerToOwnedPartitions.set(consumer, ownedPartitions);

    for (const p of data.partitions) {
      if (!partitionsPerTopic.has(p.topic)) continue;
      const otherConsumer = allPreviousPartitionsToOwner.get(tpId(p));
      if (otherConsumer === undefined) {
        ownedPartitions.push(p);
        allPreviousPartitionsToOwner.set(tpId(p), consumer);
        continue;
      }
      const otherMemberGeneration = generationOf(subscriptions.get(otherConsumer)!) ?? DEFAULT_GENERATION;
      if (memberGeneration === otherMemberGeneration) {
        // Two members of one generation cannot both own it: invalidate it for everybody.
        partitionsWithMultiplePreviousOwners.add(p);
        removeFirst(consumerToOwnedPartitions.get(otherConsumer)!, (q) => sameTp(q, p));
        allPreviousPartitionsToOwner.set(tpId(p), consumer);
      } else if (memberGeneration > otherMemberGeneration) {
        ownedPartitions.push(p);
        removeFirst(consumerToOwnedPartitions.get(otherConsumer)!, (q) => sameTp(q, p));
        allPreviousPartitionsToOwner.set(tpId(p), consumer);
      }
      // Otherwise the other member, from a newer generation, keeps it.
    }
  }
  return { equal, maxGeneration };
}

/**
 * `CooperativeStickyAssignor.computePartitionsTransferringOwnership`: partitions newly assigned
 * to one member while another member still owns them (they must be revoked first).
 */
function computePartitionsTransferringOwnership(
  subscriptions: JavaHashMap<string, GroupMember>,
  assignment: Map<string, TopicPartition[]>,
): JavaHashMap<TopicPartition, string> {
  const allAddedPartitions = tpMap<string>();
  const allRevokedPartitions = new Set<string>();
  for (const [consumer, assigned] of assignment) {
    const owned = subscriptions.get(consumer)!.ownedPartitions ?? [];
    const ownedIds = new Set(owned.map(tpId));
    for (const p of assigned) if (!ownedIds.has(tpId(p))) allAddedPartitions.set(p, consumer);
    const assignedIds = new Set(assigned.map(tpId));
    for (const p of owned) if (!assignedIds.has(tpId(p))) allRevokedPartitions.add(tpId(p));
  }
  for (const p of [...allAddedPartitions.keys()]) {
    if (!allRevokedPartitions.has(tpId(p))) allAddedPartitions.delete(p);
  }
  return allAddedPartitions;
}
