/**
 * Property tests over random groups for all four assignors. fast-check prints the seed and the
 * counterexample path of a failing run; set FC_SEED=<seed> to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignPartitions } from '../../../src/sim/broker/kafka/assign-partitions.ts';
import type { AssignorStrategy, GroupMember } from '../../../src/sim/broker/kafka/group-subscription.ts';
import type { TopicPartition } from '../../../src/sim/broker/kafka/topic-partition.ts';
import { tpString } from './assignor-test-helpers.ts';

const seedFromEnv = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };
const runs = { numRuns: 300, ...seedFromEnv };
const strategies: AssignorStrategy[] = ['range', 'roundrobin', 'sticky', 'cooperative-sticky'];

const topicNames = ['orders', 'payments', 'audit', 'clicks', 'zz-topic'];

/** A random cluster (topic → partitions) and a random group subscribing to some of its topics. */
const groupArb = (options: { equalSubscriptions: boolean }) =>
  fc
    .record({
      partitionCounts: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: topicNames.length, maxLength: topicNames.length }),
      memberCount: fc.integer({ min: 1, max: 7 }),
      memberIds: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), { minLength: 7, maxLength: 7 }),
      subscriptionMasks: fc.array(fc.integer({ min: 1, max: 2 ** (topicNames.length + 1) - 1 }), { minLength: 7, maxLength: 7 }),
      staticMask: fc.integer({ min: 0, max: 127 }),
    })
    .map(({ partitionCounts, memberCount, memberIds, subscriptionMasks, staticMask }) => {
      const topics: Record<string, number> = {};
      topicNames.forEach((t, i) => (topics[t] = partitionCounts[i]!));
      // Bit 5 subscribes to a topic that does not exist in the cluster.
      const subscribed = (mask: number) => [...topicNames, 'missing'].filter((_, i) => (mask >> i) & 1);
      const members: GroupMember[] = memberIds.slice(0, memberCount).map((memberId, i) => ({
        memberId,
        topics: subscribed(options.equalSubscriptions ? subscriptionMasks[0]! : subscriptionMasks[i]!),
        ...((staticMask >> i) & 1 ? { groupInstanceId: `instance-${memberIds[6 - i]}` } : {}),
      }));
      return { topics, members };
    });

function allSubscribedPartitions(topics: Record<string, number>, members: GroupMember[]): string[] {
  const subscribed = new Set(members.flatMap((m) => m.topics));
  const out: string[] = [];
  for (const [topic, n] of Object.entries(topics)) {
    if (!subscribed.has(topic)) continue;
    for (let p = 0; p < n; p++) out.push(tpString({ topic, partition: p }));
  }
  return out.sort();
}

function assertValid(topics: Record<string, number>, members: GroupMember[], assignment: Record<string, TopicPartition[]>) {
  expect(Object.keys(assignment).sort()).toEqual(members.map((m) => m.memberId).sort());
  const owners = new Map<string, string>();
  for (const m of members) {
    for (const p of assignment[m.memberId]!) {
      expect(m.topics, `${m.memberId} got ${tpString(p)} without subscribing to ${p.topic}`).toContain(p.topic);
      expect(p.partition).toBeGreaterThanOrEqual(0);
      expect(p.partition).toBeLessThan(topics[p.topic]!);
      expect(owners.has(tpString(p)), `${tpString(p)} assigned twice`).toBe(false);
      owners.set(tpString(p), m.memberId);
    }
  }
  return owners;
}

const spread = (assignment: Record<string, TopicPartition[]>) => {
  const sizes = Object.values(assignment).map((l) => l.length);
  return Math.max(...sizes) - Math.min(...sizes);
};

describe('assignor properties (fast-check)', () => {
  for (const strategy of strategies) {
    it(`${strategy}: every subscribed partition goes to exactly one subscribed member`, () => {
      fc.assert(
        fc.property(groupArb({ equalSubscriptions: false }), ({ topics, members }) => {
          const a = assignPartitions(strategy, topics, members);
          const owners = assertValid(topics, members, a);
          expect([...owners.keys()].sort()).toEqual(allSubscribedPartitions(topics, members));
        }),
        runs,
      );
    });

    it(`${strategy}: the same input always gives the same output`, () => {
      fc.assert(
        fc.property(groupArb({ equalSubscriptions: false }), ({ topics, members }) => {
          expect(assignPartitions(strategy, topics, members)).toEqual(assignPartitions(strategy, topics, structuredClone(members)));
        }),
        { ...runs, numRuns: 100 },
      );
    });
  }

  for (const strategy of ['roundrobin', 'sticky', 'cooperative-sticky'] as const) {
    it(`${strategy}: with equal subscriptions, member counts differ by at most one`, () => {
      fc.assert(
        fc.property(groupArb({ equalSubscriptions: true }), ({ topics, members }) => {
          expect(spread(assignPartitions(strategy, topics, members))).toBeLessThanOrEqual(1);
        }),
        runs,
      );
    });
  }

  it('range: with equal subscriptions, each topic is split within one partition between members', () => {
    fc.assert(
      fc.property(groupArb({ equalSubscriptions: true }), ({ topics, members }) => {
        const a = assignPartitions('range', topics, members);
        for (const topic of members[0]!.topics) {
          if (!(topic in topics)) continue;
          const counts = members.map((m) => a[m.memberId]!.filter((p) => p.topic === topic).length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
      runs,
    );
  });

  for (const strategy of ['sticky', 'cooperative-sticky'] as const) {
    it(`${strategy}: when a member leaves a group with equal subscriptions, the others keep everything they had`, () => {
      fc.assert(
        fc.property(groupArb({ equalSubscriptions: true }), fc.nat(), ({ topics, members }, leaverIndex) => {
          fc.pre(members.length >= 2);
          const first = assignPartitions(strategy, topics, members);
          const leaver = members[leaverIndex % members.length]!.memberId;
          const next = members
            .filter((m) => m.memberId !== leaver)
            .map((m) => ({ ...m, ownedPartitions: first[m.memberId], generation: 1 }));
          const second = assignPartitions(strategy, topics, next);
          assertValid(topics, next, second);
          for (const m of next) {
            const kept = new Set(second[m.memberId]!.map(tpString));
            for (const p of m.ownedPartitions!) expect(kept.has(tpString(p)), `${m.memberId} lost ${tpString(p)}`).toBe(true);
          }
        }),
        runs,
      );
    });
  }

  it('cooperative-sticky: never hands a partition to a new owner in the round its old owner gives it up, and converges', () => {
    fc.assert(
      fc.property(groupArb({ equalSubscriptions: false }), groupArb({ equalSubscriptions: false }), (g1, g2) => {
        // Round 1 with one group shape, then everyone re-subscribes as in g2 (same ids where they overlap).
        const first = assignPartitions('cooperative-sticky', g1.topics, g1.members);
        let members = g2.members.map((m, i) => {
          const previous = g1.members[i];
          return previous ? { ...m, memberId: previous.memberId, ownedPartitions: first[previous.memberId], generation: 1 } : m;
        });
        const ids = new Set<string>();
        members = members.filter((m) => (ids.has(m.memberId) ? false : (ids.add(m.memberId), true)));
        for (let round = 0; round < 5; round++) {
          const a = assignPartitions('cooperative-sticky', g1.topics, members);
          assertValid(g1.topics, members, a);
          const revoked = new Set<string>();
          const added = new Set<string>();
          for (const m of members) {
            const owned = new Set((m.ownedPartitions ?? []).map(tpString));
            const got = new Set(a[m.memberId]!.map(tpString));
            for (const p of owned) if (!got.has(p)) revoked.add(p);
            for (const p of got) if (!owned.has(p)) added.add(p);
          }
          expect([...added].filter((p) => revoked.has(p))).toEqual([]);
          if (revoked.size === 0) {
            // Nothing left to hand over: the assignment is complete.
            expect(new Set(Object.values(a).flat().map(tpString)).size).toBe(allSubscribedPartitions(g1.topics, members).length);
            return;
          }
          members = members.map((m) => ({ ...m, ownedPartitions: a[m.memberId], generation: round + 2 }));
        }
        throw new Error('cooperative rebalancing did not converge within 5 rounds');
      }),
      { ...runs, numRuns: 200 },
    );
  });
});
