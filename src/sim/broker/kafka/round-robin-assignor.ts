/**
 * Kafka's `RoundRobinAssignor` (`partition.assignment.strategy=roundrobin`).
 *
 * All partitions of all subscribed topics, topics in name order and partitions in number order,
 * are dealt like cards to the members in `MemberInfo` order. A member not subscribed to a
 * partition's topic is skipped, which is why unequal subscriptions can end up unbalanced.
 */

import { compareMembers, type GroupSubscription } from './group-subscription.ts';
import { compareStrings, type TopicPartition } from './topic-partition.ts';

/** Runs the round-robin assignment exactly as Kafka's `RoundRobinAssignor.assign` does. */
export function roundRobinAssign(group: GroupSubscription): Map<string, TopicPartition[]> {
  const { subscriptions, partitionsPerTopic } = group;
  const assignment = new Map<string, TopicPartition[]>();
  for (const memberId of subscriptions.keys()) assignment.set(memberId, []);

  const members = [...subscriptions.values()].sort(compareMembers);
  const subscribed = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort(compareStrings);

  let cursor = 0; // CircularIterator position
  for (const topic of topics) {
    const numPartitions = partitionsPerTopic.get(topic);
    if (numPartitions === undefined) continue;
    for (let partition = 0; partition < numPartitions; partition++) {
      // Some member subscribes to `topic` (that is how it got here), so this loop ends.
      while (!subscribed.get(members[cursor]!.memberId)!.has(topic)) cursor = (cursor + 1) % members.length;
      assignment.get(members[cursor]!.memberId)!.push({ topic, partition });
      cursor = (cursor + 1) % members.length;
    }
  }
  return assignment;
}
