/**
 * What a sticky assignor believes each member owned before the rebalance (Kafka's `MemberData`).
 *
 * The eager `StickyAssignor` reads it from the member's userData, which the client serialized by
 * grouping its partitions per topic in a `HashMap` (so topics come back in Java hash order). The
 * `CooperativeStickyAssignor` reads the `ownedPartitions` and `generationId` fields of the
 * subscription as sent.
 */

import type { GroupMember } from './group-subscription.ts';
import { javaStringMap } from './java-hash-map.ts';
import type { TopicPartition } from './topic-partition.ts';

/** Previously owned partitions and the generation they belong to (`undefined` = unknown). */
export interface MemberData {
  partitions: TopicPartition[];
  generation: number | undefined;
}

/** `DEFAULT_GENERATION` in Kafka: the generation of a member that never completed a rebalance. */
export const DEFAULT_GENERATION = -1;

/** The member's generation as Kafka's `Subscription.generationId()` reports it. */
export function generationOf(member: GroupMember): number | undefined {
  const g = member.generation;
  return g === undefined || g < 0 ? undefined : g;
}

/**
 * `StickyAssignor.memberData`: the partitions as they come back out of the userData encoding
 * (`CollectionUtils.groupPartitionsByTopic`), i.e. grouped by topic in HashMap order.
 */
export function eagerStickyMemberData(member: GroupMember): MemberData {
  const owned = member.ownedPartitions ?? [];
  const byTopic = javaStringMap<number[]>();
  for (const p of owned) {
    const list = byTopic.get(p.topic);
    if (list === undefined) byTopic.set(p.topic, [p.partition]);
    else list.push(p.partition);
  }
  const partitions: TopicPartition[] = [];
  for (const [topic, list] of byTopic.entries()) for (const partition of list) partitions.push({ topic, partition });
  return { partitions, generation: generationOf(member) };
}

/** `CooperativeStickyAssignor.memberData`: owned partitions and generation straight from the subscription. */
export function cooperativeStickyMemberData(member: GroupMember): MemberData {
  return { partitions: [...(member.ownedPartitions ?? [])], generation: generationOf(member) };
}
