/**
 * Tests that Kafka defines only for one of the two sticky assignors:
 * - apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/StickyAssignorTest.java
 * - apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/CooperativeStickyAssignorTest.java
 * plus AbstractStickyAssignorTest.testMemberData and direct tests of the move bookkeeping
 * (AbstractStickyAssignor.PartitionMovements) that those suites only reach indirectly.
 *
 * Not transcribed, because this model has no userData serialization (a member has one list of
 * owned partitions and one generation): testMemberDataWithInconsistentData,
 * testMemberDataWillHonorUserData, testEncodeAndDecodeGeneration, testDecodeGeneration,
 * testMemberDataWithEmptyPartitionsAndEqualGeneration, testMemberDataWithEmptyPartitionsAndHigherGeneration.
 * testUniformSubscriptionTransferOwnershipListIsRight needs racks, which are not modelled.
 */
import { describe, expect, it } from 'vitest';
import { PartitionMovements } from '../../../src/sim/broker/kafka/partition-movements.ts';
import { cooperativeStickyMemberData, eagerStickyMemberData } from '../../../src/sim/broker/kafka/sticky-member-data.ts';
import { isFullyBalanced, tp, tpString } from './assignor-test-helpers.ts';
import { generationId, StickyHarness, subscription, subscriptionV2, type StickyStrategy } from './sticky-test-harness.ts';

const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const topic3 = 'topic3';
const [consumer1, consumer2, consumer3] = ['consumer1', 'consumer2', 'consumer3'];
const asSet = (l: { topic: string; partition: number }[]) => new Set(l.map(tpString));
const containsAll = (outer: { topic: string; partition: number }[], inner: { topic: string; partition: number }[]) => {
  const set = asSet(outer);
  return inner.every((p) => set.has(tpString(p)));
};
const disjoint = (a: { topic: string; partition: number }[], b: { topic: string; partition: number }[]) => {
  const set = asSet(a);
  return b.every((p) => !set.has(tpString(p)));
};

describe('AbstractStickyAssignorTest.testMemberData', () => {
  it('both assignors read back the owned partitions and generation a member reports', () => {
    const owned = [tp(topic1, 0), tp(topic2, 1)];
    const m = subscriptionV2('c', [topic], owned, generationId);
    for (const read of [eagerStickyMemberData, cooperativeStickyMemberData]) {
      const data = read(m);
      expect(data.partitions).toEqual(owned);
      expect(data.generation ?? -1).toBe(generationId);
    }
  });

  it('StickyAssignor userData groups partitions by topic, in Java HashMap order', () => {
    // CollectionUtils.groupPartitionsByTopic puts topics in a HashMap: "topic2"'s bucket comes
    // after "topic1"'s, so a member reporting [topic2-0, topic1-0, topic2-1] reads back grouped.
    const m = subscriptionV2('c', [topic1, topic2], [tp(topic2, 0), tp(topic1, 0), tp(topic2, 1)], 3);
    expect(eagerStickyMemberData(m).partitions).toEqual([tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
    expect(cooperativeStickyMemberData(m).partitions).toEqual([tp(topic2, 0), tp(topic1, 0), tp(topic2, 1)]);
  });
});

describe('StickyAssignorTest', () => {
  const harness = () => new StickyHarness('sticky');

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 0), tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 1)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(a[consumer3]).toEqual([tp(topic, 0)]);
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer', () => {
    const h = harness();
    const topics = { [topic]: 4 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 0), tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 1), tp(topic, 3)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(a[consumer3]).toEqual([tp(topic, 0)]);
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  for (const isAllSubscriptionsEqual of [true, false]) {
    it(`testAssignmentWithMultipleGenerations1 (isAllSubscriptionsEqual = ${isAllSubscriptionsEqual})`, () => {
      const h = harness();
      const allTopics = [topic, topic2];
      const consumer2Topics = isAllSubscriptionsEqual ? allTopics : [topic];
      const topics = { [topic]: 6, [topic2]: 6 };
      h.put(subscription(consumer1, allTopics));
      h.put(subscription(consumer2, consumer2Topics));
      h.put(subscription(consumer3, allTopics));
      let a = h.assign(topics);
      const r1p1 = a[consumer1]!;
      const r1p2 = a[consumer2]!;
      const r1p3 = a[consumer3]!;
      expect([r1p1.length, r1p2.length, r1p3.length]).toEqual([4, 4, 4]);
      h.verifyValidityAndBalance(topics, a);
      expect(isFullyBalanced(a)).toBe(true);

      h.put(subscriptionV2(consumer1, allTopics, r1p1, generationId));
      h.put(subscriptionV2(consumer2, consumer2Topics, r1p2, generationId));
      h.remove(consumer3);
      a = h.assign(topics);
      const r2p1 = a[consumer1]!;
      const r2p2 = a[consumer2]!;
      expect([r2p1.length, r2p2.length]).toEqual([6, 6]);
      if (isAllSubscriptionsEqual) expect(containsAll(r2p1, r1p1)).toBe(true); // only true in all subscription equal case
      expect(containsAll(r2p2, r1p2)).toBe(true);
      h.verifyValidityAndBalance(topics, a);
      expect(isFullyBalanced(a)).toBe(true);
      expect(disjoint(r2p2, r1p3)).toBe(false);

      h.remove(consumer1);
      h.put(subscriptionV2(consumer2, consumer2Topics, r2p2, 2));
      h.put(subscriptionV2(consumer3, allTopics, r1p3, 1));
      a = h.assign(topics);
      const r3p2 = a[consumer2]!;
      const r3p3 = a[consumer3]!;
      expect([r3p2.length, r3p3.length]).toEqual([6, 6]);
      expect(disjoint(r3p2, r3p3)).toBe(true);
      h.verifyValidityAndBalance(topics, a);
      expect(isFullyBalanced(a)).toBe(true);
    });

    it(`testAssignmentWithMultipleGenerations2 (isAllSubscriptionsEqual = ${isAllSubscriptionsEqual})`, () => {
      const h = harness();
      const allTopics = [topic, topic2, topic3];
      const consumer1Topics = isAllSubscriptionsEqual ? allTopics : [topic];
      const consumer3Topics = isAllSubscriptionsEqual ? allTopics : [topic, topic2];
      const topics = { [topic]: 4, [topic2]: 4, [topic3]: 4 };
      h.put(subscription(consumer1, consumer1Topics));
      h.put(subscription(consumer2, allTopics));
      h.put(subscription(consumer3, consumer3Topics));
      let a = h.assign(topics);
      const r1p1 = a[consumer1]!;
      const r1p2 = a[consumer2]!;
      const r1p3 = a[consumer3]!;
      expect([r1p1.length, r1p2.length, r1p3.length]).toEqual([4, 4, 4]);
      h.verifyValidityAndBalance(topics, a);

      h.remove(consumer1);
      h.put(subscriptionV2(consumer2, allTopics, r1p2, 1));
      h.remove(consumer3);
      a = h.assign(topics);
      const r2p2 = a[consumer2]!;
      expect(r2p2.length).toBe(12);
      expect(containsAll(r2p2, r1p2)).toBe(true);
      h.verifyValidityAndBalance(topics, a);

      h.put(subscriptionV2(consumer1, consumer1Topics, r1p1, 1));
      h.put(subscriptionV2(consumer2, allTopics, r2p2, 2));
      h.put(subscriptionV2(consumer3, consumer3Topics, r1p3, 1));
      a = h.assign(topics);
      expect([a[consumer1]!.length, a[consumer2]!.length, a[consumer3]!.length]).toEqual([4, 4, 4]);
      h.verifyValidityAndBalance(topics, a);
      expect(isFullyBalanced(a)).toBe(true);
    });

    it(`testAssignmentWithConflictingPreviousGenerations (isAllSubscriptionsEqual = ${isAllSubscriptionsEqual})`, () => {
      const h = harness();
      const topics = { [topic]: 4, [topic2]: 4, [topic3]: 4 };
      const allTopics = [topic, topic2, topic3];
      const consumer1Topics = isAllSubscriptionsEqual ? allTopics : [topic];
      const consumer2Topics = isAllSubscriptionsEqual ? allTopics : [topic, topic2];
      const [tp0, tp1, tp2, tp3] = [0, 1, 2, 3].map((i) => tp(topic, i)) as [ReturnType<typeof tp>, ReturnType<typeof tp>, ReturnType<typeof tp>, ReturnType<typeof tp>];
      const [t2p0, t2p1, t2p2, t2p3] = [0, 1, 2, 3].map((i) => tp(topic2, i)) as typeof tp0[];
      const [t3p0, t3p1, t3p2, t3p3] = [0, 1, 2, 3].map((i) => tp(topic3, i)) as typeof tp0[];
      const c1p0 = isAllSubscriptionsEqual ? [tp0, tp1, tp2, t2p2!, t2p3!, t3p0!] : [tp0, tp1, tp2, tp3];
      const c2p0 = [tp0, tp1, t2p0!, t2p1!, t2p2!, t2p3!];
      const c3p0 = [tp2, tp3, t3p0!, t3p1!, t3p2!, t3p3!];
      h.put(subscriptionV2(consumer1, consumer1Topics, c1p0, 1));
      h.put(subscriptionV2(consumer2, consumer2Topics, c2p0, 2));
      h.put(subscriptionV2(consumer3, allTopics, c3p0, 2));
      const a = h.assign(topics);
      const c1 = a[consumer1]!;
      const c2 = a[consumer2]!;
      const c3 = a[consumer3]!;
      expect([c1.length, c2.length, c3.length]).toEqual([4, 4, 4]);
      expect(containsAll(c2p0, c2)).toBe(true);
      expect(containsAll(c3p0, c3)).toBe(true);
      h.verifyValidityAndBalance(topics, a);
      expect(isFullyBalanced(a)).toBe(true);
    });
  }

  it('testSchemaBackwardCompatibility: owned partitions without a generation (userData schema V0) are still used', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    const c1p0 = [tp(topic, 0), tp(topic, 2)];
    const c2p0 = [tp(topic, 1)];
    h.put(subscriptionV2(consumer1, [topic], c1p0, 1));
    h.put({ memberId: consumer2, topics: [topic], ownedPartitions: c2p0 }); // V0 schema: no generation
    h.put(subscription(consumer3, [topic]));
    const a = h.assign(topics);
    const [c1, c2, c3] = [a[consumer1]!, a[consumer2]!, a[consumer3]!];
    expect([c1.length, c2.length, c3.length]).toEqual([1, 1, 1]);
    expect(containsAll(c1p0, c1)).toBe(true);
    expect(containsAll(c2p0, c2)).toBe(true);
    h.verifyValidityAndBalance(topics, a);
  });

  it('testAssignorWithOldVersionSubscriptions', () => {
    const h = harness();
    const topics = { [topic1]: 3 };
    h.put(subscriptionV2(consumer1, [topic1], [tp(topic1, 0)], generationId));
    h.put(subscriptionV2(consumer2, [topic1], [tp(topic1, 1)], generationId));
    h.put(subscriptionV2(consumer3, [topic1], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1)]);
    expect(a[consumer3]).toEqual([tp(topic1, 2)]);
    h.verifyValidityAndBalance(topics, a);
  });
});

describe('CooperativeStickyAssignorTest', () => {
  const harness = () => new StickyHarness('cooperative-sticky' satisfies StickyStrategy);

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithEqualPartitionsPerConsumer', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 0), tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 1)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    // topic-0 has to be considered "owned" and so it can't be assigned until both have "revoked" it
    expect(a[consumer3]).toEqual([]);
    const final = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(final)).toBe(true);
  });

  it('testAllConsumersHaveOwnedPartitionInvalidatedWhenClaimedByMultipleConsumersInSameGenerationWithUnequalPartitionsPerConsumer', () => {
    const h = harness();
    const topics = { [topic]: 4 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 0), tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 1), tp(topic, 3)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(a[consumer3]).toEqual([]);
    const final = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(final)).toBe(true);
  });

  it('testAssignorWithOldVersionSubscriptions', () => {
    const h = harness();
    const topics = { [topic1]: 3 };
    h.put(subscriptionV2(consumer1, [topic1], [tp(topic1, 0)], generationId));
    h.put(subscriptionV2(consumer2, [topic1], [tp(topic1, 1)], generationId));
    h.put(subscriptionV2(consumer3, [topic1], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1)]);
    expect(a[consumer3]).toEqual([tp(topic1, 2)]);
    h.verifyValidityAndBalance(topics, a);
  });
});

describe('PartitionMovements (AbstractStickyAssignor)', () => {
  it('moves a partition back instead of moving a second one across when the reverse move exists', () => {
    const m = new PartitionMovements();
    m.movePartition(tp('t', 0), 'A', 'B');
    // Moving t-1 from B to A would undo the t-0 move's effect; Kafka moves t-0 back instead.
    expect(m.actualPartitionToMove(tp('t', 1), 'B', 'A')).toEqual(tp('t', 0));
    // Other topics and other directions are unaffected.
    expect(m.actualPartitionToMove(tp('u', 1), 'B', 'A')).toEqual(tp('u', 1));
    expect(m.actualPartitionToMove(tp('t', 1), 'B', 'C')).toEqual(tp('t', 1));
  });

  it('collapses A→B→A into no move, and A→B→C into A→C', () => {
    const m = new PartitionMovements();
    m.movePartition(tp('t', 0), 'A', 'B');
    m.movePartition(tp('t', 0), 'B', 'A');
    expect(m.actualPartitionToMove(tp('t', 1), 'B', 'A')).toEqual(tp('t', 1));
    m.movePartition(tp('t', 2), 'A', 'B');
    m.movePartition(tp('t', 2), 'B', 'C');
    expect(m.actualPartitionToMove(tp('t', 5), 'C', 'A')).toEqual(tp('t', 2));
    expect(m.isSticky()).toBe(true);
  });

  it('isSticky is false when partitions of one topic moved both ways between two consumers', () => {
    const m = new PartitionMovements();
    m.movePartition(tp('t', 0), 'A', 'B');
    m.movePartition(tp('t', 1), 'B', 'A');
    expect(m.isSticky()).toBe(false);
    const n = new PartitionMovements();
    n.movePartition(tp('t', 0), 'A', 'B');
    n.movePartition(tp('u', 1), 'B', 'A');
    expect(n.isSticky()).toBe(true);
  });
});
