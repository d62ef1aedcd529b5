/**
 * Transcribed from apache/kafka clients/src/test/java/org/apache/kafka/clients/consumer/RoundRobinAssignorTest.java.
 * Kafka compares the lists with assertEquals, so order matters here too.
 */
import { describe, expect, it } from 'vitest';
import { assignPartitions } from '../../../src/sim/broker/kafka/assign-partitions.ts';
import type { GroupMember } from '../../../src/sim/broker/kafka/group-subscription.ts';
import { member, tp } from './assignor-test-helpers.ts';

const rr = (topics: Record<string, number>, members: GroupMember[]) => assignPartitions('roundrobin', topics, members);
const topic = 'topic';
const consumerId = 'consumer';
const topic1 = 'topic1';
const topic2 = 'topic2';

describe('RoundRobinAssignor (RoundRobinAssignorTest)', () => {
  it('testOneConsumerNoTopic', () => {
    const a = rr({}, [member(consumerId, [])]);
    expect(Object.keys(a)).toEqual([consumerId]);
    expect(a[consumerId]).toEqual([]);
  });

  it('testOneConsumerNonexistentTopic', () => {
    const a = rr({}, [member(consumerId, [topic])]);
    expect(Object.keys(a)).toEqual([consumerId]);
    expect(a[consumerId]).toEqual([]);
  });

  it('testOneConsumerOneTopic', () => {
    expect(rr({ [topic]: 3 }, [member(consumerId, [topic])])[consumerId]).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
  });

  it('testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    expect(rr({ [topic]: 3, other: 3 }, [member(consumerId, [topic])])[consumerId]).toEqual([tp(topic, 0), tp(topic, 1), tp(topic, 2)]);
  });

  it('testOneConsumerMultipleTopics', () => {
    expect(rr({ [topic1]: 1, [topic2]: 2 }, [member(consumerId, [topic1, topic2])])[consumerId]).toEqual([
      tp(topic1, 0),
      tp(topic2, 0),
      tp(topic2, 1),
    ]);
  });

  it('testTwoConsumersOneTopicOnePartition', () => {
    const a = rr({ [topic]: 1 }, [member('consumer1', [topic]), member('consumer2', [topic])]);
    expect(a.consumer1).toEqual([tp(topic, 0)]);
    expect(a.consumer2).toEqual([]);
  });

  it('testTwoConsumersOneTopicTwoPartitions', () => {
    const a = rr({ [topic]: 2 }, [member('consumer1', [topic]), member('consumer2', [topic])]);
    expect(a.consumer1).toEqual([tp(topic, 0)]);
    expect(a.consumer2).toEqual([tp(topic, 1)]);
  });

  it('testMultipleConsumersMixedTopics: a member not subscribed to a topic is skipped', () => {
    const a = rr({ [topic1]: 3, [topic2]: 2 }, [
      member('consumer1', [topic1]),
      member('consumer2', [topic1, topic2]),
      member('consumer3', [topic1]),
    ]);
    expect(a.consumer1).toEqual([tp(topic1, 0)]);
    expect(a.consumer2).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 1)]);
    expect(a.consumer3).toEqual([tp(topic1, 2)]);
  });

  it('testTwoDynamicConsumersTwoTopicsSixPartitions', () => {
    const a = rr({ [topic1]: 3, [topic2]: 3 }, [member('consumer1', [topic1, topic2]), member('consumer2', [topic1, topic2])]);
    expect(a.consumer1).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a.consumer2).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  it('testTwoStaticConsumersTwoTopicsSixPartitions: the comparison happens on group.instance.id', () => {
    const a = rr({ [topic1]: 3, [topic2]: 3 }, [
      member('consumer-b', [topic1, topic2], { groupInstanceId: 'instance1' }),
      member('consumer-a', [topic1, topic2], { groupInstanceId: 'instance2' }),
    ]);
    expect(a['consumer-b']).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a['consumer-a']).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  it('testOneStaticConsumerAndOneDynamicConsumerTwoTopicsSixPartitions: a static member wins over a dynamic one', () => {
    const a = rr({ [topic1]: 3, [topic2]: 3 }, [
      member('consumer-b', [topic1, topic2], { groupInstanceId: 'instance1' }),
      member('consumer-a', [topic1, topic2]),
    ]);
    expect(a['consumer-b']).toEqual([tp(topic1, 0), tp(topic1, 2), tp(topic2, 1)]);
    expect(a['consumer-a']).toEqual([tp(topic1, 1), tp(topic2, 0), tp(topic2, 2)]);
  });

  const staticMembers = (topics: string[]) => [
    member('consumer1', topics, { groupInstanceId: 'instance1' }),
    member('consumer2', topics, { groupInstanceId: 'instance2' }),
    member('consumer3', topics, { groupInstanceId: 'instance3' }),
  ];

  it('testStaticMemberRoundRobinAssignmentPersistent', () => {
    const topics = { [topic1]: 3, [topic2]: 3 };
    const expected: Record<string, unknown> = {
      consumer1: [tp(topic1, 0), tp(topic2, 1)],
      consumer2: [tp(topic1, 1), tp(topic2, 2)],
      consumer3: [tp(topic1, 2)],
      consumer4: [tp(topic2, 0)],
    };
    expect(rr(topics, [...staticMembers([topic1, topic2]), member('consumer4', [topic1, topic2])])).toEqual(expected);
    // Replace dynamic member 4 with a new dynamic member 5.
    delete expected.consumer4;
    expected.consumer5 = [tp(topic2, 0)];
    expect(rr(topics, [...staticMembers([topic1, topic2]), member('consumer5', [topic1, topic2])])).toEqual(expected);
  });

  it('testStaticMemberRoundRobinAssignmentPersistentAfterMemberIdChanges', () => {
    const topics = { [topic1]: 5, [topic2]: 5 };
    const byInstance = (members: GroupMember[]) => {
      const a = rr(topics, members);
      return Object.fromEntries(members.map((m) => [m.groupInstanceId!, a[m.memberId]]));
    };
    const members = staticMembers([topic1, topic2]);
    const staticAssignment = byInstance(members);
    expect(staticAssignment).toEqual({
      instance1: [tp(topic1, 0), tp(topic1, 3), tp(topic2, 1), tp(topic2, 4)],
      instance2: [tp(topic1, 1), tp(topic1, 4), tp(topic2, 2)],
      instance3: [tp(topic1, 2), tp(topic2, 0), tp(topic2, 3)],
    });
    const renamed = [members[0]!, { ...members[2]!, memberId: 'consumer4' }, { ...members[1]!, memberId: 'consumer5' }];
    expect(byInstance(renamed)).toEqual(staticAssignment);
  });
});
