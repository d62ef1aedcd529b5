/**
 * The input every assignor sees, shaped the way Kafka's group leader shapes it.
 *
 * A real leader (`ConsumerCoordinator.onLeaderElected`) collects the members' subscriptions into a
 * `HashMap<memberId, Subscription>`, and `AbstractPartitionAssignor.assign(Cluster, …)` keeps only
 * topics that somebody subscribes to and that have partitions. We build the same two maps, with
 * Java's iteration order, so the assignors below can follow Kafka's code step by step.
 */

import { javaStringMap, javaStringSet, type JavaHashMap } from './java-hash-map.ts';
import { compareStrings, type TopicPartition } from './topic-partition.ts';

/** The assignment strategies a consumer can name in `partition.assignment.strategy`. */
export type AssignorStrategy = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

/** One consumer's JoinGroup subscription, as the group leader sees it. */
export interface GroupMember {
  /** `member.id` handed out by the coordinator. */
  memberId: string;
  /** `group.instance.id` for static members (KIP-345). */
  groupInstanceId?: string;
  /** Topics the consumer subscribes to. */
  topics: readonly string[];
  /**
   * Partitions the consumer owned before this rebalance. Sticky assignors use it; the cooperative
   * protocol also uses it to hold back partitions that must first be revoked.
   */
  ownedPartitions?: readonly TopicPartition[];
  /** Generation of the group in which the member got `ownedPartitions`; absent or negative = unknown. */
  generation?: number;
}

/** An assignment: member id → partitions, in the order the assignor produced them. */
export type Assignment = Record<string, TopicPartition[]>;

/** The leader's view of the group, with Java `HashMap` iteration order. */
export interface GroupSubscription {
  /** member id → subscription, as `HashMap<String, Subscription>`. */
  subscriptions: JavaHashMap<string, GroupMember>;
  /** Subscribed topics that exist, with their partition counts, as `HashMap<String, …>`. */
  partitionsPerTopic: JavaHashMap<string, number>;
}

/**
 * Builds the leader's view from plain input and rejects input no real group could produce,
 * with a message that says what to fix.
 */
export function toGroupSubscription(
  topics: Readonly<Record<string, number>>,
  members: readonly GroupMember[],
): GroupSubscription {
  const subscriptions = javaStringMap<GroupMember>();
  for (const member of members) {
    if (subscriptions.has(member.memberId)) {
      throw new Error(`duplicate memberId "${member.memberId}": every group member needs its own member.id`);
    }
    subscriptions.set(member.memberId, member);
  }
  const allSubscribedTopics = javaStringSet();
  for (const member of subscriptions.values()) {
    for (const topic of member.topics) allSubscribedTopics.add(topic);
  }
  const partitionsPerTopic = javaStringMap<number>();
  for (const topic of allSubscribedTopics) {
    if (!Object.prototype.hasOwnProperty.call(topics, topic)) continue;
    const count = topics[topic]!;
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`topic "${topic}" has partition count ${count}; it must be a non-negative integer`);
    }
    // Kafka skips topics without metadata or without partitions ("Skipping assignment for topic").
    if (count > 0) partitionsPerTopic.set(topic, count);
  }
  return { subscriptions, partitionsPerTopic };
}

/**
 * Kafka's `MemberInfo.compareTo`: static members (with `group.instance.id`) first, ordered by
 * instance id, then dynamic members by member id. Ordering by instance id is what keeps a static
 * member's range/round-robin assignment stable when it rejoins with a new member id.
 */
export function compareMembers(a: GroupMember, b: GroupMember): number {
  const ai = a.groupInstanceId;
  const bi = b.groupInstanceId;
  if (ai !== undefined && bi !== undefined) return compareStrings(ai, bi);
  if (ai !== undefined) return -1;
  if (bi !== undefined) return 1;
  return compareStrings(a.memberId, b.memberId);
}

/** Removes the first element matching `pred`, like Java's `List.remove(Object)`; returns whether one was removed. */
export function removeFirst<T>(list: T[], pred: (item: T) => boolean): boolean {
  const i = list.findIndex(pred);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
