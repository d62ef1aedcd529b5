/**
 * Kafka's `RangeAssignor` (`partition.assignment.strategy=range`), without rack awareness.
 *
 * Per topic, partitions in numeric order are cut into contiguous ranges, one per subscribed
 * member in `MemberInfo` order (static members by `group.instance.id`, then member ids); the first
 * `partitions % members` members get one extra partition. Because every topic is cut the same
 * way, partition N of co-partitioned topics lands on the same member.
 */

import { compareMembers, type GroupMember, type GroupSubscription } from './group-subscription.ts';
import type { TopicPartition } from './topic-partition.ts';

/**
 * Runs the range assignment. Each member's list follows the order in which the leader's
 * `partitionsPerTopic` HashMap yields topics, as in Kafka.
 */
export function rangeAssign(group: GroupSubscription): Map<string, TopicPartition[]> {
  const { subscriptions, partitionsPerTopic } = group;
  const consumersPerTopic = new Map<string, GroupMember[]>();
  for (const member of subscriptions.values()) {
    for (const topic of member.topics) {
      let list = consumersPerTopic.get(topic);
      if (list === undefined) consumersPerTopic.set(topic, (list = []));
      list.push(member);
    }
  }

  const assignment = new Map<string, TopicPartition[]>();
  for (const memberId of subscriptions.keys()) assignment.set(memberId, []);

  for (const [topic, numPartitions] of partitionsPerTopic.entries()) {
    if (numPartitions === 0) continue;
    const consumers = (consumersPerTopic.get(topic) ?? []).slice().sort(compareMembers);
    if (consumers.length === 0) continue;
    const numPartitionsPerConsumer = Math.floor(numPartitions / consumers.length);
    let remainingConsumersWithExtraPartition = numPartitions % consumers.length;
    let nextPartition = 0;
    for (const consumer of consumers) {
      if (nextPartition >= numPartitions) break;
      const maxAssignable = numPartitionsPerConsumer + (remainingConsumersWithExtraPartition > 0 ? 1 : 0);
      if (maxAssignable === 0) continue;
      const list = assignment.get(consumer.memberId)!;
      const end = Math.min(numPartitions, nextPartition + maxAssignable);
      for (let p = nextPartition; p < end; p++) list.push({ topic, partition: p });
      if (end - nextPartition > numPartitionsPerConsumer) remainingConsumersWithExtraPartition--;
      nextPartition = end;
    }
  }
  return assignment;
}
