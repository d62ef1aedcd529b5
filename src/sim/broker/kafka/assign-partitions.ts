/**
 * One entry point for all four consumer-group assignors, with Kafka's own names.
 */

import { toGroupSubscription, type Assignment, type AssignorStrategy, type GroupMember } from './group-subscription.ts';
import { rangeAssign } from './range-assignor.ts';
import { roundRobinAssign } from './round-robin-assignor.ts';
import { stickyAssign } from './sticky-assignor.ts';
import type { TopicPartition } from './topic-partition.ts';

/**
 * Computes what the group leader's assignor would hand out in one rebalance, so the simulated
 * group gets the same partitions as a real Kafka group with the same member ids.
 *
 * `topics` maps every topic in the cluster to its partition count; only subscribed topics with
 * partitions are assigned, as in Kafka. For `cooperative-sticky`, partitions that must first be
 * revoked from their current owner are withheld from their new owner in this round; a follow-up
 * rebalance (with updated `ownedPartitions`) hands them over. Every member appears in the result,
 * possibly with an empty list. Look members up by id: JavaScript lists integer-like keys first.
 */
export function assignPartitions(
  strategy: AssignorStrategy,
  topics: Record<string, number>,
  members: GroupMember[],
): Record<string, TopicPartition[]> {
  const group = toGroupSubscription(topics, members);
  let byMember: Map<string, TopicPartition[]>;
  switch (strategy) {
    case 'range':
      byMember = rangeAssign(group);
      break;
    case 'roundrobin':
      byMember = roundRobinAssign(group);
      break;
    case 'sticky':
    case 'cooperative-sticky':
      byMember = stickyAssign(strategy, group).assignment;
      break;
    default:
      throw new Error(
        `unknown partition.assignment.strategy "${String(strategy)}"; use range, roundrobin, sticky or cooperative-sticky`,
      );
  }
  // Object.fromEntries defines own properties, so a member id like "__proto__" is stored safely.
  const result: Assignment = Object.fromEntries(
    members.map((m) => [m.memberId, (byMember.get(m.memberId) ?? []).map((p) => ({ topic: p.topic, partition: p.partition }))]),
  );
  return result;
}
