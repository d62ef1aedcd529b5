/**
 * Transcribed from apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/RangeAssignorTest.java.
 * Kafka runs most of these once per RackConfig; rack awareness is not modelled here, and Kafka
 * expects the same result for every RackConfig in these tests, so each runs once without racks.
 * The rack-aware tests are transcribed only for their non-rack-aware expectations
 * (verifyNonRackAwareAssignment and the nullRacks cases).
 */
import { describe, expect, it } from 'vitest';
import { assignPartitions } from '../../../src/sim/broker/kafka/assign-partitions.ts';
import type { GroupMember } from '../../../src/sim/broker/kafka/group-subscription.ts';
import { assertSameSet, member, toSortedString, tp } from './assignor-test-helpers.ts';

const range = (topics: Record<string, number>, members: GroupMember[]) => assignPartitions('range', topics, members);
const topic1 = 'topic1';
const topic2 = 'topic2';

describe('RangeAssignor (RangeAssignorTest)', () => {
  it('testOneConsumerNoTopic', () => {
    const a = range({}, [member('consumer1', [])]);
    expect(Object.keys(a)).toEqual(['consumer1']);
    expect(a.consumer1).toEqual([]);
  });

  it('testOneConsumerNonexistentTopic', () => {
    const a = range({}, [member('consumer1', [topic1])]);
    expect(Object.keys(a)).toEqual(['consumer1']);
    expect(a.consumer1).toEqual([]);
  });

  it('testOneConsumerOneTopic', () => {
    const a = range({ [topic1]: 3 }, [member('consumer1', [topic1])]);
    expect(Object.keys(a)).toEqual(['consumer1']);
    assertSameSet(a.consumer1, [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    const a = range({ [topic1]: 3, other: 3 }, [member('consumer1', [topic1])]);
    assertSameSet(a.consumer1, [tp(topic1, 0), tp(topic1, 1), tp(topic1, 2)]);
  });

  it('testOneConsumerMultipleTopics', () => {
    const a = range({ [topic1]: 1, [topic2]: 2 }, [member('consumer1', [topic1, topic2])]);
    assertSameSet(a.consumer1, [tp(topic1, 0), tp(topic2, 0), tp(topic2, 1)]);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const a = range({ [topic1]: 1 }, [member('consumer1', [topic1]), member('consumer2', [topic1])]);
    assertSameSet(a.consumer1, [tp(topic1, 0)]);
    assertSameSet(a.consumer2, []);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const a = range({ [topic1]: 2 }, [member('consumer1', [topic1]), member('consumer2', [topic1])]);
    assertSameSet(a.consumer1, [tp(topic1, 0)]);
    assertSameSet(a.consumer2, [tp(topic1, 1)]);
  });

  it('testMultipleConsumersMixedTopics', () => {
    const a = range({ [topic1]: 3, [topic2]: 2 }, [
      member('consumer1', [topic1]),
      member('consumer2', [topic1, topic2]),
      member('consumer3', [topic1]),
    ]);
    assertSameSet(a.consumer1, [tp(topic1, 0)]);
    assertSameSet(a.consumer2, [tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    assertSameSet(a.consumer3, [tp(topic1, 2)]);
  });

  it('testTwoConsumersTwoTopicsSixPartitions', () => {
    const a = range({ [topic1]: 3, [topic2]: 3 }, [member('consumer1', [topic1, topic2]), member('consumer2', [topic1, topic2])]);
    assertSameSet(a.consumer1, [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    assertSameSet(a.consumer2, [tp(topic1, 2), tp(topic2, 2)]);
  });

  it('testTwoStaticConsumersTwoTopicsSixPartitions: static members are ordered by group.instance.id, not member.id', () => {
    const consumerIdLow = 'consumer-b';
    const consumerIdHigh = 'consumer-a';
    const a = range({ [topic1]: 3, [topic2]: 3 }, [
      member(consumerIdLow, [topic1, topic2], { groupInstanceId: 'instance1' }),
      member(consumerIdHigh, [topic1, topic2], { groupInstanceId: 'instance2' }),
    ]);
    assertSameSet(a[consumerIdLow], [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    assertSameSet(a[consumerIdHigh], [tp(topic1, 2), tp(topic2, 2)]);
  });

  it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: static members sort before dynamic ones', () => {
    const consumerIdLow = 'consumer-b';
    const consumerIdHigh = 'consumer-a';
    const a = range({ [topic1]: 3, [topic2]: 3 }, [
      member(consumerIdLow, [topic1, topic2], { groupInstanceId: 'instance1' }),
      member(consumerIdHigh, [topic1, topic2]),
    ]);
    assertSameSet(a[consumerIdLow], [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    assertSameSet(a[consumerIdHigh], [tp(topic1, 2), tp(topic2, 2)]);
  });

  const staticMembers = () => [
    member('consumer1', [topic1, topic2], { groupInstanceId: 'instance1' }),
    member('consumer2', [topic1, topic2], { groupInstanceId: 'instance2' }),
    member('consumer3', [topic1, topic2], { groupInstanceId: 'instance3' }),
  ];

  it('testStaticMemberRangeAssignmentPersistent (exact lists, in Kafka order)', () => {
    const topics = { [topic1]: 5, [topic2]: 4 };
    const members = [...staticMembers(), member('consumer4', [topic1, topic2])];
    const expected: Record<string, unknown> = {
      consumer1: [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0)],
      consumer2: [tp(topic1, 2), tp(topic2, 1)],
      consumer3: [tp(topic1, 3), tp(topic2, 2)],
      consumer4: [tp(topic1, 4), tp(topic2, 3)],
    };
    expect(range(topics, members)).toEqual(expected);

    // Replace dynamic member 4 with a new dynamic member 5.
    const members2 = [...staticMembers(), member('consumer5', [topic1, topic2])];
    delete expected.consumer4;
    expected.consumer5 = [tp(topic1, 4), tp(topic2, 3)];
    expect(range(topics, members2)).toEqual(expected);
  });

  /** RangeAssignorTest.checkStaticAssignment: the assignment keyed by group.instance.id. */
  const byInstance = (members: GroupMember[], topics: Record<string, number>) => {
    const a = range(topics, members);
    return Object.fromEntries(members.filter((m) => m.groupInstanceId).map((m) => [m.groupInstanceId!, a[m.memberId]]));
  };

  it('testStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
    const topics = { [topic1]: 5, [topic2]: 5 };
    const members = staticMembers();
    const staticAssignment = byInstance(members, topics);
    expect(staticAssignment).toEqual({
      instance1: [tp(topic1, 0), tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)],
      instance2: [tp(topic1, 2), tp(topic1, 3), tp(topic2, 2), tp(topic2, 3)],
      instance3: [tp(topic1, 4), tp(topic2, 4)],
    });
    // Now switch the member.id fields for each member info, the assignment should stay the same.
    const renamed = [
      members[0]!,
      { ...members[2]!, memberId: 'consumer4' },
      { ...members[1]!, memberId: 'consumer5' },
    ];
    expect(byInstance(renamed, topics)).toEqual(staticAssignment);
  });

  /**
   * AbstractPartitionAssignorTest.verifyRackAssignment names consumers consumer0..N and compares
   * each member's partitions as a sorted string.
   */
  const verifyNonRackAware = (topics: Record<string, number>, consumerTopics: string[][], expected: string[]) => {
    const members = consumerTopics.map((t, i) => member(`consumer${i}`, t));
    const a = range(topics, members);
    expect(members.map((m) => toSortedString(a[m.memberId]!))).toEqual(expected);
  };

  it('testRackAwareAssignmentWithUniformSubscription (non-rack-aware expectation)', () => {
    const all = ['t1', 't2', 't3'];
    verifyNonRackAware({ t1: 6, t2: 7, t3: 2 }, [all, all, all], [
      't1-0, t1-1, t2-0, t2-1, t2-2, t3-0',
      't1-2, t1-3, t2-3, t2-4, t3-1',
      't1-4, t1-5, t2-5, t2-6',
    ]);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription (non-rack-aware expectation)', () => {
    const all = ['t1', 't2', 't3'];
    verifyNonRackAware({ t1: 6, t2: 7, t3: 2 }, [all, all, ['t1', 't3']], [
      't1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0',
      't1-2, t1-3, t2-4, t2-5, t2-6, t3-1',
      't1-4, t1-5',
    ]);
  });

  it('testRackAwareAssignmentWithUniformPartitions (non-rack-aware expectation)', () => {
    const all = ['t1', 't2', 't3'];
    verifyNonRackAware({ t1: 5, t2: 5, t3: 5 }, [all, all, all], [
      't1-0, t1-1, t2-0, t2-1, t3-0, t3-1',
      't1-2, t1-3, t2-2, t2-3, t3-2, t3-3',
      't1-4, t2-4, t3-4',
    ]);
  });

  it('testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription (non-rack-aware expectation)', () => {
    const all = ['t1', 't2', 't3'];
    verifyNonRackAware({ t1: 5, t2: 5, t3: 5 }, [all, all, ['t1', 't3']], [
      't1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1',
      't1-2, t1-3, t2-3, t2-4, t3-2, t3-3',
      't1-4, t3-4',
    ]);
  });

  it('testRackAwareAssignmentWithCoPartitioning (non-rack-aware expectations)', () => {
    const topics = { t1: 6, t2: 6, t3: 2, t4: 2 };
    verifyNonRackAware(topics, [['t1', 't2'], ['t1', 't2'], ['t3', 't4'], ['t3', 't4']], [
      't1-0, t1-1, t1-2, t2-0, t2-1, t2-2',
      't1-3, t1-4, t1-5, t2-3, t2-4, t2-5',
      't3-0, t4-0',
      't3-1, t4-1',
    ]);
    const all = ['t1', 't2', 't3', 't4'];
    verifyNonRackAware(topics, [all, all, all, all], [
      't1-0, t1-1, t2-0, t2-1, t3-0, t4-0',
      't1-2, t1-3, t2-2, t2-3, t3-1, t4-1',
      't1-4, t2-4',
      't1-5, t2-5',
    ]);
  });

  it('testCoPartitionedAssignmentWithSameSubscription (non-rack-aware expectation): partition N of co-partitioned topics stays together', () => {
    const list = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];
    verifyNonRackAware({ t1: 6, t2: 6, t3: 2, t4: 2, t5: 4, t6: 4 }, [list, list, list], [
      't1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1',
      't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2',
      't1-4, t1-5, t2-4, t2-5, t5-3, t6-3',
    ]);
  });
});

describe('RangeAssignor ordering (AbstractPartitionAssignorTest MemberInfo sorting)', () => {
  // Source: AbstractPartitionAssignorTest.testMemberInfoSorting*: static members first by
  // group.instance.id, then dynamic members by member.id. We observe the order through which
  // member receives the first range of a 3-partition topic.
  const firstRangeOwner = (members: GroupMember[]) => {
    const a = range({ t: 3 }, members);
    return members.map((m) => m.memberId).sort((x, y) => a[x]![0]!.partition - a[y]![0]!.partition);
  };
  it('testMemberInfoSortingWithoutGroupInstanceId', () => {
    expect(firstRangeOwner([member('a', ['t']), member('b', ['t']), member('c', ['t'])])).toEqual(['a', 'b', 'c']);
  });
  it('testMemberInfoSortingWithAllGroupInstanceId', () => {
    expect(
      firstRangeOwner([
        member('a', ['t'], { groupInstanceId: 'y' }),
        member('b', ['t'], { groupInstanceId: 'z' }),
        member('c', ['t'], { groupInstanceId: 'x' }),
      ]),
    ).toEqual(['c', 'a', 'b']);
  });
  it('testMemberInfoSortingSomeGroupInstanceId', () => {
    expect(
      firstRangeOwner([
        member('a', ['t']),
        member('b', ['t'], { groupInstanceId: 'y' }),
        member('c', ['t'], { groupInstanceId: 'x' }),
      ]),
    ).toEqual(['c', 'b', 'a']);
  });
});
