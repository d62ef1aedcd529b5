/**
 * Transcribed from apache/kafka
 * clients/src/test/java/org/apache/kafka/clients/consumer/internals/AbstractStickyAssignorTest.java.
 * Kafka runs this abstract suite twice, through StickyAssignorTest and CooperativeStickyAssignorTest;
 * so do we. For the cooperative assignor, `verifyValidityAndBalance` is the override from
 * CooperativeStickyAssignorTest, which runs the follow-up rebalance(s) and continues with the final
 * assignment, exactly as the Java test does.
 *
 * Rack awareness is not modelled: tests parameterized by RackConfig run once (Kafka expects the
 * same outcome for every RackConfig), and the two rack-aware tests are transcribed only for the
 * cases where Kafka disables rack-aware assignment (missing racks, or every partition on every rack).
 * The "large" tests exist in Kafka to catch slow algorithms; they are scaled down here (noted per test).
 */
import { describe, expect, it } from 'vitest';
import { tp, isFullyBalanced, parsePartitions, toSortedString, tpString } from './assignor-test-helpers.ts';
import {
  consumerName,
  generationId,
  seededRandom,
  StickyHarness,
  subscription,
  subscriptionV2,
  topicName,
  type PlainAssignment,
  type StickyStrategy,
} from './sticky-test-harness.ts';

const consumerId = 'consumer';
const consumer1 = 'consumer1';
const consumer2 = 'consumer2';
const consumer3 = 'consumer3';
const consumer4 = 'consumer4';
const topic = 'topic';
const topic1 = 'topic1';
const topic2 = 'topic2';
const topic3 = 'topic3';
const DEFAULT_GENERATION = -1;

const countOf = (partitions: { topic: string }[], t: string) => partitions.filter((p) => p.topic === t).length;
const containsAll = (outer: { topic: string; partition: number }[], inner: { topic: string; partition: number }[]) => {
  const set = new Set(outer.map(tpString));
  return inner.every((p) => set.has(tpString(p)));
};
const asSet = (l: { topic: string; partition: number }[]) => new Set(l.map(tpString));

describe.each<StickyStrategy>(['sticky', 'cooperative-sticky'])('%s assignor (AbstractStickyAssignorTest)', (strategy) => {
  const cooperative = strategy === 'cooperative-sticky';
  const harness = () => new StickyHarness(strategy);

  it('testOneConsumerNoTopic', () => {
    const h = harness();
    h.put(subscription(consumerId, []));
    const a = h.assign({});
    expect(Object.keys(a)).toEqual([consumerId]);
    expect(a[consumerId]).toEqual([]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance({}, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testOneConsumerNonexistentTopic', () => {
    const h = harness();
    h.put(subscription(consumerId, [topic]));
    const topics = { [topic]: 0 };
    const a = h.assign(topics);
    expect(Object.keys(a)).toEqual([consumerId]);
    expect(a[consumerId]).toEqual([]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testOneConsumerOneTopic', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    h.put(subscription(consumerId, [topic]));
    const a = h.assign(topics);
    expect(a[consumerId]).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    const h = harness();
    const topics = { [topic]: 2 };
    h.put(subscriptionV2(consumerId, [topic], [tp(topic, 0), tp(topic, 1), tp('other', 0), tp('other', 1)], generationId));
    const a = h.assign(topics);
    expect(a[consumerId]).toEqual([tp(topic, 0), tp(topic, 1)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testOneConsumerMultipleTopics', () => {
    const h = harness();
    const topics = { [topic1]: 1, [topic2]: 2 };
    h.put(subscription(consumerId, [topic1, topic2]));
    const a = h.assign(topics);
    expect(a[consumerId]).toEqual([tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const h = harness();
    const topics = { [topic]: 1 };
    h.put(subscription(consumer1, [topic]));
    h.put(subscription(consumer2, [topic]));
    const a = h.assign(topics);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const h = harness();
    const topics = { [topic]: 2 };
    h.put(subscription(consumer1, [topic]));
    h.put(subscription(consumer2, [topic]));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 0)]);
    expect(a[consumer2]).toEqual([tp(topic, 1)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testMultipleConsumersMixedTopicSubscriptions', () => {
    const h = harness();
    const topics = { [topic1]: 3, [topic2]: 2 };
    h.put(subscription(consumer1, [topic1]));
    h.put(subscription(consumer2, [topic1, topic2]));
    h.put(subscription(consumer3, [topic1]));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic1, 2)]);
    expect(a[consumer2]).toEqual([tp(topic2, 0), tp(topic2, 1)]);
    expect(a[consumer3]).toEqual([tp(topic1, 1)]);
    expect(h.partitionsTransferringOwnership()).toBeNull();
    h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testTwoConsumersTwoTopicsSixPartitions', () => {
    const h = harness();
    const topics = { [topic1]: 3, [topic2]: 3 };
    h.put(subscription(consumer1, [topic1, topic2]));
    h.put(subscription(consumer2, [topic1, topic2]));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testConsumerOwningMinQuotaExpectedMaxQuota', () => {
    const h = harness();
    const topics = { [topic1]: 2, [topic2]: 3 };
    const subscribed = [topic1, topic2];
    h.put(subscriptionV2(consumer1, subscribed, [tp(topic1, 0), tp(topic2, 1)], generationId));
    h.put(subscriptionV2(consumer2, subscribed, [tp(topic1, 1), tp(topic2, 2)], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic2, 1), tp(topic2, 0)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1), tp(topic2, 2)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers', () => {
    const h = harness();
    const topics = { [topic1]: 2, [topic2]: 2 };
    const subscribed = [topic1, topic2];
    h.put(subscriptionV2(consumer1, subscribed, [tp(topic1, 0), tp(topic2, 0)], generationId));
    h.put(subscriptionV2(consumer2, subscribed, [tp(topic1, 1), tp(topic2, 1)], generationId));
    h.put(subscriptionV2(consumer3, subscribed, [], generationId));
    let a = h.assign(topics);
    expect(h.partitionsTransferringOwnership()).toEqual({ 'topic2-0': consumer3 });
    a = h.verifyValidityAndBalance(topics, a);
    expect(a[consumer1]).toEqual([tp(topic1, 0)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1), tp(topic2, 1)]);
    expect(a[consumer3]).toEqual([tp(topic2, 0)]);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testAllConsumersAreUnderMinQuota', () => {
    const h = harness();
    const topics = { [topic1]: 2, [topic2]: 3 };
    const subscribed = [topic1, topic2];
    h.put(subscriptionV2(consumer1, subscribed, [tp(topic1, 0)], generationId));
    h.put(subscriptionV2(consumer2, subscribed, [tp(topic1, 1)], generationId));
    h.put(subscriptionV2(consumer3, subscribed, [], generationId));
    let a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic2, 1)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1), tp(topic2, 2)]);
    expect(a[consumer3]).toEqual([tp(topic2, 0)]);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testAddRemoveConsumerOneTopic', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    h.put(subscription(consumer1, [topic]));
    let a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
    a = h.verifyValidityAndBalance(topics, a);

    h.put(subscriptionV2(consumer1, [topic], a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, [topic], [], generationId));
    a = h.assign(topics);
    expect(h.partitionsTransferringOwnership()).toEqual({ 'topic-2': consumer2 });
    a = h.verifyValidityAndBalance(topics, a);
    expect(a[consumer1]).toEqual([tp(topic, 0), tp(topic, 1)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(isFullyBalanced(a)).toBe(true);

    h.remove(consumer1);
    h.put(subscriptionV2(consumer2, [topic], a[consumer2]!, generationId));
    a = h.assign(topics);
    expect(asSet(a[consumer2]!)).toEqual(asSet([tp(topic, 2), tp(topic, 1), tp(topic, 0)]));
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testTopicBalanceAfterReassignment: each topic stays balanced across members', () => {
    const h = harness();
    const allTopics = [topic1, topic2];
    const topics = { [topic1]: 12, [topic2]: 12 };
    const perTopic = (a: PlainAssignment, n: number) => {
      for (const l of Object.values(a)) {
        expect(countOf(l, topic1)).toBe(n);
        expect(countOf(l, topic2)).toBe(n);
      }
    };
    h.put(subscription(consumer1, allTopics));
    let a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    perTopic(a, 12);
    h.expectNoTransfers();

    // Add another consumer
    h.put(subscriptionV2(consumer1, allTopics, a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, allTopics, [], generationId));
    a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    perTopic(a, 6);
    expect(isFullyBalanced(a)).toBe(true);

    // Add two more consumers
    h.put(subscriptionV2(consumer1, allTopics, a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, allTopics, a[consumer2]!, generationId));
    h.put(subscriptionV2(consumer3, allTopics, [], generationId));
    h.put(subscriptionV2(consumer4, allTopics, [], generationId));
    a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    perTopic(a, 3);

    // remove 2 consumers
    h.remove(consumer1);
    h.remove(consumer2);
    h.put(subscriptionV2(consumer3, allTopics, a[consumer3]!, generationId));
    h.put(subscriptionV2(consumer4, allTopics, a[consumer4]!, generationId));
    a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    perTopic(a, 6);
    h.expectNoTransfers();
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testAddRemoveTwoConsumersTwoTopics', () => {
    const h = harness();
    const allTopics = [topic1, topic2];
    const topics = { [topic1]: 3, [topic2]: 4 };
    h.put(subscription(consumer1, allTopics));
    h.put(subscription(consumer2, allTopics));
    let a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1), tp(topic2, 3)]);
    expect(a[consumer2]).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);

    // add 2 consumers
    h.put(subscriptionV2(consumer1, allTopics, a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, allTopics, a[consumer2]!, generationId));
    h.put(subscriptionV2(consumer3, allTopics, [], generationId));
    h.put(subscriptionV2(consumer4, allTopics, [], generationId));
    a = h.assign(topics);
    expect(h.partitionsTransferringOwnership()).toEqual({ 'topic1-2': consumer3, 'topic2-3': consumer3, 'topic2-2': consumer4 });
    a = h.verifyValidityAndBalance(topics, a);
    expect(a[consumer1]).toEqual([tp(topic1, 0), tp(topic2, 1)]);
    expect(a[consumer2]).toEqual([tp(topic2, 0), tp(topic1, 1)]);
    expect(a[consumer3]).toEqual([tp(topic1, 2), tp(topic2, 3)]);
    expect(a[consumer4]).toEqual([tp(topic2, 2)]);
    expect(isFullyBalanced(a)).toBe(true);

    // remove 2 consumers
    h.remove(consumer1);
    h.remove(consumer2);
    h.put(subscriptionV2(consumer3, allTopics, a[consumer3]!, generationId));
    h.put(subscriptionV2(consumer4, allTopics, a[consumer4]!, generationId));
    a = h.assign(topics);
    expect(a[consumer3]).toEqual([tp(topic1, 2), tp(topic2, 3), tp(topic1, 0), tp(topic2, 1)]);
    expect(a[consumer4]).toEqual([tp(topic2, 2), tp(topic1, 1), tp(topic2, 0)]);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testPoorRoundRobinAssignmentScenario', () => {
    const h = harness();
    const topics: Record<string, number> = {};
    for (let i = 1; i <= 5; i++) topics[`topic${i}`] = (i % 2) + 1;
    h.put(subscription('consumer1', ['topic1', 'topic2', 'topic3', 'topic4', 'topic5']));
    h.put(subscription('consumer2', ['topic1', 'topic3', 'topic5']));
    h.put(subscription('consumer3', ['topic1', 'topic3', 'topic5']));
    h.put(subscription('consumer4', ['topic1', 'topic2', 'topic3', 'topic4', 'topic5']));
    h.verifyValidityAndBalance(topics, h.assign(topics));
  });

  it('testAddRemoveTopicTwoConsumers', () => {
    const h = harness();
    const topics: Record<string, number> = { [topic]: 3 };
    h.put(subscription(consumer1, [topic]));
    h.put(subscription(consumer2, [topic]));
    let a = h.assign(topics);
    h.expectNoTransfers();
    expect(isFullyBalanced(a)).toBe(true);
    a = h.verifyValidityAndBalance(topics, a);
    const c1a1 = a[consumer1]!;
    const c2a1 = a[consumer2]!;
    expect((c1a1.length === 1 && c2a1.length === 2) || (c1a1.length === 2 && c2a1.length === 1)).toBe(true);

    topics[topic2] = 3;
    h.put(subscriptionV2(consumer1, [topic, topic2], a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, [topic, topic2], a[consumer2]!, generationId));
    a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
    const c1a = a[consumer1]!;
    const c2a = a[consumer2]!;
    expect(c1a.length === 3 && c2a.length === 3).toBe(true);
    expect(containsAll(c1a, c1a1)).toBe(true);
    expect(containsAll(c2a, c2a1)).toBe(true);

    delete topics[topic];
    h.put(subscriptionV2(consumer1, [topic2], a[consumer1]!, generationId));
    h.put(subscriptionV2(consumer2, [topic2], a[consumer2]!, generationId));
    a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    expect(isFullyBalanced(a)).toBe(true);
    const c1a3 = a[consumer1]!;
    const c2a3 = a[consumer2]!;
    expect((c1a3.length === 1 && c2a3.length === 2) || (c1a3.length === 2 && c2a3.length === 1)).toBe(true);
    expect(containsAll(c1a, c1a3)).toBe(true);
    expect(containsAll(c2a, c2a3)).toBe(true);
  });

  it('testReassignmentAfterOneConsumerLeaves', () => {
    const h = harness();
    const topics: Record<string, number> = {};
    for (let i = 1; i < 20; i++) topics[topicName(i, 20)] = i;
    for (let i = 1; i < 20; i++) {
      const subscribed: string[] = [];
      for (let j = 1; j <= i; j++) subscribed.push(topicName(j, 20));
      h.put(subscription(consumerName(i, 20), subscribed));
    }
    let a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    for (let i = 1; i < 20; i++) {
      const c = consumerName(i, 20);
      h.put(subscriptionV2(c, h.get(c).topics, a[c]!, generationId));
    }
    h.remove('c10');
    a = h.assign(topics);
    h.verifyValidityAndBalance(topics, a);
    expect(h.isSticky()).toBe(true);
  });

  it('testReassignmentAfterOneConsumerAdded', () => {
    const h = harness();
    const topics = { topic: 20 };
    for (let i = 1; i < 10; i++) h.put(subscription(consumerName(i, 10), ['topic']));
    let a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    // add a new consumer
    h.put(subscription(consumerName(10, 10), ['topic']));
    a = h.assign(topics);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testSameSubscriptions', () => {
    const h = harness();
    const topics: Record<string, number> = {};
    for (let i = 1; i < 15; i++) topics[topicName(i, 15)] = i;
    const all = Object.keys(topics);
    for (let i = 1; i < 9; i++) h.put(subscription(consumerName(i, 9), all));
    let a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    for (let i = 1; i < 9; i++) {
      const c = consumerName(i, 9);
      h.put(subscriptionV2(c, h.get(c).topics, a[c]!, generationId));
    }
    h.remove(consumerName(5, 9));
    a = h.assign(topics);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testLargeAssignmentAndGroupWithUniformSubscription (scaled down from 500 topics x 2000 partitions x 2000 consumers to 50 x 200 x 200)', () => {
    const h = harness();
    const topicCount = 50;
    const partitionCount = 200;
    const consumerCount = 200;
    const topics: Record<string, number> = {};
    const names: string[] = [];
    for (let i = 0; i < topicCount; i++) {
      names.push(topicName(i, topicCount));
      topics[topicName(i, topicCount)] = partitionCount;
    }
    for (let i = 0; i < consumerCount; i++) h.put(subscription(consumerName(i, consumerCount), names));
    const a = h.assign(topics);
    expect(isFullyBalanced(a)).toBe(true);
    for (let i = 1; i < consumerCount; i++) {
      const c = consumerName(i, consumerCount);
      h.put(subscriptionV2(c, names, a[c]!, generationId));
    }
    const b = h.assign(topics);
    h.verifyValidityAndBalance(topics, b);
  });

  it('testLargeAssignmentAndGroupWithNonEqualSubscription (scaled down to 20 topics x 50 partitions x 100 consumers)', () => {
    const h = harness();
    const topicCount = 20;
    const partitionCount = 50;
    const consumerCount = 100;
    const topics: Record<string, number> = {};
    const names: string[] = [];
    for (let i = 0; i < topicCount; i++) {
      names.push(topicName(i, topicCount));
      topics[topicName(i, topicCount)] = partitionCount;
    }
    for (let i = 0; i < consumerCount; i++) {
      h.put(subscription(consumerName(i, consumerCount), i === consumerCount - 1 ? names.slice(0, 1) : names));
    }
    const a = h.assign(topics);
    for (let i = 1; i < consumerCount; i++) {
      const c = consumerName(i, consumerCount);
      h.put(subscriptionV2(c, i === consumerCount - 1 ? names.slice(0, 1) : names, a[c]!, generationId));
    }
    const b = h.assign(topics);
    h.verifyValidityAndBalance(topics, b);
  });

  it('testAssignmentAndGroupWithNonEqualSubscriptionNotTimeout (scaled down to 20 topics x 40 partitions x 100 consumers)', () => {
    const h = harness();
    const topicCount = 20;
    const partitionCount = 40;
    const consumerCount = 100;
    const topics: Record<string, number> = {};
    const names: string[] = [];
    for (let i = 0; i < topicCount; i++) {
      names.push(topicName(i, topicCount));
      topics[topicName(i, topicCount)] = partitionCount;
    }
    const subsFor = (i: number) => (i % 4 === 0 ? names.slice(0, topicCount / 2) : names.slice(topicCount / 2));
    for (let i = 0; i < consumerCount; i++) h.put(subscription(consumerName(i, consumerCount), subsFor(i)));
    const a = h.assign(topics);
    for (let i = 1; i < consumerCount; i++) {
      const c = consumerName(i, consumerCount);
      h.put(subscriptionV2(c, subsFor(i), a[c]!, generationId));
    }
    const b = h.assign(topics);
    h.verifyValidityAndBalance(topics, b);
  });

  it('testSubscriptionNotEqualAndAssignSamePartitionWith3Generation', () => {
    const topics = { [topic]: 6, [topic1]: 1 };
    const sequences = [
      [1, 2, 3],
      [1, 3, 2],
      [2, 1, 3],
      [2, 3, 1],
      [3, 1, 2],
      [3, 2, 1],
    ];
    const h = harness(); // Kafka reuses one assignor across the six sequences
    for (const ints of sequences) {
      h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 2)], ints[0]!));
      h.put(subscriptionV2(consumer2, [topic], [tp(topic, 1), tp(topic, 2), tp(topic, 3)], ints[1]!));
      h.put(subscriptionV2(consumer3, [topic], [tp(topic, 2), tp(topic, 4), tp(topic, 5)], ints[2]!));
      h.put(subscriptionV2(consumer4, [topic1], [tp(topic1, 0)], 2));
      const a = h.assign(topics);
      const all = Object.values(a).flat();
      expect(new Set(all.map(tpString)).size, `generations ${ints}`).toBe(all.length);
      for (const l of Object.values(a)) {
        expect(l.length >= 1 && l.length <= 2, `generations ${ints}: ${JSON.stringify(a)}`).toBe(true);
      }
    }
  });

  it('testLargeAssignmentWithMultipleConsumersLeavingAndRandomSubscription (seeded instead of new Random())', () => {
    const seed = 20240611;
    const rand = seededRandom(seed);
    const h = harness();
    const topicCount = 40;
    const consumerCount = 200;
    const topics: Record<string, number> = {};
    for (let i = 0; i < topicCount; i++) topics[topicName(i, topicCount)] = rand.nextInt(10) + 1;
    for (let i = 0; i < consumerCount; i++) {
      const subscribed: string[] = [];
      // Java re-evaluates rand.nextInt(20) on every loop test; so do we.
      for (let j = 0; j < rand.nextInt(20); j++) subscribed.push(topicName(rand.nextInt(topicCount), topicCount));
      h.put(subscription(consumerName(i, consumerCount), subscribed));
    }
    let a = h.assign(topics);
    a = h.verifyValidityAndBalance(topics, a);
    for (let i = 1; i < consumerCount; i++) {
      const c = consumerName(i, consumerCount);
      h.put(subscriptionV2(c, h.get(c).topics, a[c]!, generationId));
    }
    for (let i = 0; i < 50; i++) h.remove(consumerName(rand.nextInt(consumerCount), consumerCount));
    a = h.assign(topics);
    h.verifyValidityAndBalance(topics, a);
    expect(h.isSticky(), `seed ${seed}`).toBe(true);
  });

  it('testNewSubscription', () => {
    const h = harness();
    const topics: Record<string, number> = {};
    for (let i = 1; i < 5; i++) topics[topicName(i, 5)] = 1;
    for (let i = 0; i < 3; i++) {
      const subscribed: string[] = [];
      for (let j = i; j <= 3 * i - 2; j++) subscribed.push(topicName(j, 5));
      h.put(subscription(consumerName(i, 3), subscribed));
    }
    let a = h.assign(topics);
    h.verifyValidityAndBalance(topics, a);
    // Kafka mutates consumer 0's topic list in place: it now subscribes to t1 as well.
    const c0 = h.get(consumerName(0, 3));
    h.put({ ...c0, topics: [...c0.topics, topicName(1, 5)] });
    a = h.assign(topics);
    h.verifyValidityAndBalance(topics, a);
    expect(h.isSticky()).toBe(true);
  });

  it('testMoveExistingAssignments', () => {
    const h = harness();
    const topics: Record<string, number> = {};
    for (let i = 1; i <= 6; i++) topics[`topic${i}`] = 1;
    h.put(subscriptionV2(consumer1, [topic1, topic2], [tp(topic1, 0)], generationId));
    h.put(subscriptionV2(consumer2, [topic1, topic2, topic3, 'topic4'], [tp(topic2, 0), tp(topic3, 0)], generationId));
    h.put(
      subscriptionV2(consumer3, [topic2, topic3, 'topic4', 'topic5', 'topic6'], [tp('topic4', 0), tp('topic5', 0), tp('topic6', 0)], generationId),
    );
    const a = h.assign(topics);
    expect(h.partitionsTransferringOwnership()).toBeNull();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testStickiness', () => {
    const h = harness();
    const topics = { [topic1]: 3 };
    for (const c of [consumer1, consumer2, consumer3, consumer4]) h.put(subscription(c, [topic1]));
    let a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    const partitionsAssigned = new Map<string, string>();
    for (const [consumer, partitions] of Object.entries(a)) {
      expect(partitions.length, `consumer ${consumer} is assigned more topic partitions than expected`).toBeLessThanOrEqual(1);
      if (partitions.length === 1) partitionsAssigned.set(consumer, tpString(partitions[0]!));
    }
    // removing the potential group leader
    h.remove(consumer1);
    h.put(subscriptionV2(consumer2, [topic1], a[consumer2]!, generationId));
    h.put(subscriptionV2(consumer3, [topic1], a[consumer3]!, generationId));
    h.put(subscriptionV2(consumer4, [topic1], a[consumer4]!, generationId));
    a = h.assign(topics);
    h.expectNoTransfers();
    a = h.verifyValidityAndBalance(topics, a);
    for (const [consumer, partitions] of Object.entries(a)) {
      expect(partitions.length, `consumer ${consumer} is assigned more topic partitions than expected`).toBe(1);
      const before = partitionsAssigned.get(consumer);
      expect(before === undefined || partitions.map(tpString).includes(before), `stickiness was not honored for ${consumer}`).toBe(true);
    }
  });

  it('testAssignmentUpdatedForDeletedTopic', () => {
    const h = harness();
    const topics = { [topic1]: 1, [topic3]: 100 };
    h.put(subscription(consumerId, [topic1, topic2, topic3]));
    const a = h.assign(topics);
    h.expectNoTransfers();
    expect(Object.values(a).reduce((n, l) => n + l.length, 0)).toBe(1 + 100);
    expect(Object.keys(a)).toEqual([consumerId]);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testNoExceptionThrownWhenOnlySubscribedTopicDeleted', () => {
    const h = harness();
    h.put(subscription(consumerId, [topic]));
    let a = h.assign({ [topic]: 3 });
    h.expectNoTransfers();
    h.put(subscriptionV2(consumerId, [topic], a[consumerId]!, generationId));
    a = h.assign({});
    h.expectNoTransfers();
    expect(Object.keys(a).length).toBe(1);
    expect(a[consumerId]).toEqual([]);
  });

  it('testReassignmentWithRandomSubscriptionsAndChanges (seeded; 30 rounds instead of 100)', () => {
    const seed = 424242;
    const rand = seededRandom(seed);
    const randomSublist = (list: string[]) => {
      const selected = [...list];
      const howManyToRemove = rand.nextInt(list.length);
      for (let i = 1; i <= howManyToRemove; i++) selected.splice(rand.nextInt(selected.length), 1);
      return selected.sort();
    };
    for (let round = 1; round <= 30; round++) {
      const numTopics = 10 + rand.nextInt(10);
      const names: string[] = [];
      const topics: Record<string, number> = {};
      for (let i = 0; i < numTopics; i++) {
        names.push(topicName(i, 20));
        topics[topicName(i, 20)] = i + 1;
      }
      const numConsumers = 20 + rand.nextInt(20);
      const h = harness(); // Kafka creates a new assignor each round
      for (let i = 0; i < numConsumers; i++) h.put(subscription(consumerName(i, 40), randomSublist(names)));
      let a = h.assign(topics);
      a = h.verifyValidityAndBalance(topics, a);
      const previous = a;
      for (let i = 0; i < numConsumers; i++) {
        const c = consumerName(i, 40);
        h.put(subscriptionV2(c, randomSublist(names), previous[c]!, generationId));
      }
      a = h.assign(topics);
      h.verifyValidityAndBalance(topics, a);
      expect(h.isSticky(), `seed ${seed}, round ${round}`).toBe(true);
    }
  });

  it('testAllConsumersReachExpectedQuotaAndAreConsideredFilled', () => {
    const h = harness();
    const topics = { [topic]: 4 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    const a = h.assign(topics);
    expect(a[consumer1]).toEqual([tp(topic, 0), tp(topic, 1)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(a[consumer3]).toEqual([tp(topic, 3)]);
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration', () => {
    const h = harness();
    const topics = { [topic]: 3, [topic2]: 3 };
    const currentGeneration = 10;
    const owned = [tp(topic, 0), tp(topic, 2), tp(topic2, 1)];
    h.put(subscriptionV2(consumer1, [topic, topic2], owned, currentGeneration));
    h.put(subscriptionV2(consumer2, [topic, topic2], owned, currentGeneration - 1));
    const a = h.assign(topics);
    expect(asSet(a[consumer1]!)).toEqual(asSet(owned));
    expect(asSet(a[consumer2]!)).toEqual(asSet([tp(topic, 1), tp(topic2, 0), tp(topic2, 2)]));
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testOwnedPartitionsAreInvalidatedForConsumerWithNoGeneration', () => {
    const h = harness();
    const topics = { [topic]: 3, [topic2]: 3 };
    const owned = [tp(topic, 0), tp(topic, 2), tp(topic2, 1)];
    h.put(subscriptionV2(consumer1, [topic, topic2], owned, 10));
    h.put(subscriptionV2(consumer2, [topic, topic2], owned, DEFAULT_GENERATION));
    const a = h.assign(topics);
    expect(asSet(a[consumer1]!)).toEqual(asSet(owned));
    expect(asSet(a[consumer2]!)).toEqual(asSet([tp(topic, 1), tp(topic2, 0), tp(topic2, 2)]));
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testPartitionsTransferringOwnershipIncludeThePartitionClaimedByMultipleConsumersInSameGeneration', () => {
    const h = harness();
    const topics = { [topic]: 3 };
    h.put(subscriptionV2(consumer1, [topic], [tp(topic, 0), tp(topic, 1)], generationId));
    h.put(subscriptionV2(consumer2, [topic], [tp(topic, 0), tp(topic, 2)], generationId));
    h.put(subscriptionV2(consumer3, [topic], [], generationId));
    let a = h.assign(topics);
    // we should include the partitions claimed by multiple consumers in partitionsTransferringOwnership
    expect(h.partitionsTransferringOwnership()).toEqual({ 'topic-0': consumer3 });
    a = h.verifyValidityAndBalance(topics, a);
    expect(a[consumer1]).toEqual([tp(topic, 1)]);
    expect(a[consumer2]).toEqual([tp(topic, 2)]);
    expect(a[consumer3]).toEqual([tp(topic, 0)]);
    expect(isFullyBalanced(a)).toBe(true);
  });

  it('testEnsurePartitionsAssignedToHighestGeneration', () => {
    const h = harness();
    const topics = { [topic]: 3, [topic2]: 3, [topic3]: 3 };
    const all = [topic, topic2, topic3];
    const g = 10;
    h.put(subscriptionV2(consumer1, all, [tp(topic, 0), tp(topic2, 0), tp(topic3, 0)], g));
    h.put(subscriptionV2(consumer2, all, [tp(topic, 1), tp(topic2, 1), tp(topic3, 1)], g - 1));
    h.put(subscriptionV2(consumer3, all, [tp(topic2, 1), tp(topic3, 0), tp(topic3, 2)], g - 2));
    const a = h.assign(topics);
    expect(asSet(a[consumer1]!)).toEqual(asSet([tp(topic, 0), tp(topic2, 0), tp(topic3, 0)]));
    expect(asSet(a[consumer2]!)).toEqual(asSet([tp(topic, 1), tp(topic2, 1), tp(topic3, 1)]));
    expect(asSet(a[consumer3]!)).toEqual(asSet([tp(topic, 2), tp(topic2, 2), tp(topic3, 2)]));
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testNoReassignmentOnCurrentMembers', () => {
    const h = harness();
    const topics = { [topic]: 3, [topic1]: 3, [topic2]: 3, [topic3]: 3 };
    const all = [topic, topic2, topic3, topic1];
    const g = 10;
    h.put(subscriptionV2(consumer1, all, [], DEFAULT_GENERATION));
    h.put(subscriptionV2(consumer2, all, [tp(topic, 0), tp(topic2, 0), tp(topic1, 0)], g - 1));
    h.put(subscriptionV2(consumer3, all, [tp(topic3, 2), tp(topic2, 2), tp(topic1, 1)], g - 2));
    h.put(subscriptionV2(consumer4, all, [tp(topic3, 1), tp(topic, 1), tp(topic, 2)], g - 3));
    const a = h.assign(topics);
    // ensure assigned partitions don't get reassigned
    expect(asSet(a[consumer1]!)).toEqual(asSet([tp(topic1, 2), tp(topic2, 1), tp(topic3, 0)]));
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  it('testOwnedPartitionsAreInvalidatedForConsumerWithMultipleGeneration', () => {
    const h = harness();
    const topics = { [topic]: 3, [topic2]: 3 };
    const g = 10;
    h.put(subscriptionV2(consumer1, [topic, topic2], [tp(topic, 0), tp(topic2, 1), tp(topic, 1)], g));
    h.put(subscriptionV2(consumer2, [topic, topic2], [tp(topic, 0), tp(topic2, 1), tp(topic2, 2)], g - 2));
    const a = h.assign(topics);
    expect(asSet(a[consumer1]!)).toEqual(asSet([tp(topic, 0), tp(topic2, 1), tp(topic, 1)]));
    expect(asSet(a[consumer2]!)).toEqual(asSet([tp(topic, 2), tp(topic2, 2), tp(topic2, 0)]));
    h.expectNoTransfers();
    h.verifyValidityAndBalance(topics, a);
  });

  /**
   * AbstractPartitionAssignorTest.verifyRackAssignment without racks: consumers are consumer0..N,
   * owned partitions (if any) come with DEFAULT_GENERATION, and each result is compared as a
   * sorted string. Kafka's Subscription there carries no userData, so the eager StickyAssignor
   * never sees the owned partitions (it reads them from userData only); we model that by not
   * passing them to `sticky`.
   */
  const verifyNonRack = (topics: Record<string, number>, consumerTopics: string[][], owned: string[] | null, expected: string[]) => {
    const h = harness();
    consumerTopics.forEach((t, i) => {
      const ownedPartitions = owned === null || strategy === 'sticky' ? undefined : parsePartitions(owned[i]!);
      h.put({ memberId: `consumer${i}`, topics: t, ...(ownedPartitions ? { ownedPartitions } : {}) });
    });
    const a = h.assign(topics);
    expect(consumerTopics.map((_, i) => toSortedString(a[`consumer${i}`]!))).toEqual(expected);
  };

  it('testRackAwareAssignmentWithUniformSubscription (cases where rack-aware assignment is off)', () => {
    const all = ['t1', 't2', 't3'];
    const topics = { t1: 6, t2: 7, t3: 2 };
    const nonRackAware = ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'];
    // verifyUniformSubscription: once with nothing owned, once owning the expected assignment.
    verifyNonRack(topics, [all, all, all], null, nonRackAware);
    verifyNonRack(topics, [all, all, all], nonRackAware, nonRackAware);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription (cases where rack-aware assignment is off)', () => {
    const all = ['t1', 't2', 't3'];
    const topics = { t1: 6, t2: 7, t3: 2 };
    const consumerTopics = [all, all, ['t1', 't3']];
    const nonRackAware = ['t1-5, t2-0, t2-2, t2-4, t2-6', 't1-3, t2-1, t2-3, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-4, t3-1'];
    // verifyNonEqualSubscription: once with nothing owned, once owning the expected assignment.
    verifyNonRack(topics, consumerTopics, null, nonRackAware);
    verifyNonRack(topics, consumerTopics, nonRackAware, nonRackAware);
    // "Verify that result is same as non-rack-aware assignment if all racks match"
    // (replication factor 3 over 3 racks: every partition is on every rack, so racks play no role).
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    if (!cooperative) {
      verifyNonRack(topics, consumerTopics, owned, nonRackAware);
    } else {
      const intermediate = ['t1-2, t1-3, t1-4', 't2-0, t2-1, t2-2, t2-3', 't3-0, t3-1'];
      verifyNonRack(topics, consumerTopics, owned, intermediate);
      verifyNonRack(topics, consumerTopics, intermediate, [
        't1-2, t1-3, t1-4, t2-4, t2-5',
        't2-0, t2-1, t2-2, t2-3, t2-6',
        't1-0, t1-1, t1-5, t3-0, t3-1',
      ]);
    }
  });
});
