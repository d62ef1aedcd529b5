/**
 * A stand-in for the assignor object and the `subscriptions` map of Kafka's
 * AbstractStickyAssignorTest, so its tests can be transcribed step by step.
 *
 * Kafka's tests keep one assignor instance per test, and the instance remembers `maxGeneration`
 * and the last `partitionsTransferringOwnership`; this harness does the same. Members are kept in
 * insertion order, like the keys the Java test puts into its HashMap (our assignor then applies
 * Java's HashMap order itself).
 */
import { expect } from 'vitest';
import { toGroupSubscription, type GroupMember } from '../../../src/sim/broker/kafka/group-subscription.ts';
import { stickyAssign, type StickyAssignResult } from '../../../src/sim/broker/kafka/sticky-assignor.ts';
import type { TopicPartition } from '../../../src/sim/broker/kafka/topic-partition.ts';
import { tpString, verifyValidityAndBalance as verifyBase } from './assignor-test-helpers.ts';

export type StickyStrategy = 'sticky' | 'cooperative-sticky';
export type PlainAssignment = Record<string, TopicPartition[]>;

/** The test classes' `generationId` field. */
export const generationId = 1;

/** `subscription(topics, i)`: a member that owned nothing and reports no generation. */
export const subscription = (memberId: string, topics: string[]): GroupMember => ({ memberId, topics: [...topics] });

/** `buildSubscriptionV2Above(topics, partitions, generation, i)`. */
export const subscriptionV2 = (memberId: string, topics: readonly string[], owned: readonly TopicPartition[], generation: number): GroupMember => ({
  memberId,
  topics: [...topics],
  ownedPartitions: owned.map((p) => ({ ...p })),
  generation,
});

export class StickyHarness {
  readonly members: GroupMember[] = [];
  private maxGeneration = -1;
  private last: StickyAssignResult | null = null;

  constructor(readonly strategy: StickyStrategy) {}

  /** `subscriptions.put`: replaces a member in place or appends a new one. */
  put(m: GroupMember): void {
    const i = this.members.findIndex((x) => x.memberId === m.memberId);
    if (i >= 0) this.members[i] = m;
    else this.members.push(m);
  }

  /** `subscriptions.remove`. */
  remove(memberId: string): void {
    const i = this.members.findIndex((x) => x.memberId === memberId);
    if (i >= 0) this.members.splice(i, 1);
  }

  get(memberId: string): GroupMember {
    return this.members.find((m) => m.memberId === memberId)!;
  }

  /** `assignor.assignPartitions(partitionsPerTopic, subscriptions)`. */
  assign(topics: Record<string, number>): PlainAssignment {
    const result = stickyAssign(this.strategy, toGroupSubscription(topics, this.members), this.maxGeneration);
    this.maxGeneration = result.maxGeneration;
    this.last = result;
    return Object.fromEntries(this.members.map((m) => [m.memberId, [...(result.assignment.get(m.memberId) ?? [])]]));
  }

  /** `assignor.partitionsTransferringOwnership` as { "topic-p": consumer }, or null as in Kafka's general path. */
  partitionsTransferringOwnership(): Record<string, string> | null {
    const pto = this.last!.partitionsTransferringOwnership;
    if (pto === null) return null;
    return Object.fromEntries([...pto.entries()].map(([p, c]) => [tpString(p), c]));
  }

  /** `assertTrue(assignor.partitionsTransferringOwnership.isEmpty())` (Java would throw on null). */
  expectNoTransfers(): void {
    expect(this.partitionsTransferringOwnership()).toEqual({});
  }

  /** `assignor.isSticky()` after a general-path assignment. */
  isSticky(): boolean {
    const movements = this.last!.movements;
    if (movements === null) throw new Error('isSticky() needs a general-path assignment');
    return movements.isSticky();
  }

  /**
   * `verifyValidityAndBalance`. For the cooperative assignor this is the override in
   * CooperativeStickyAssignorTest: first check that no partition is revoked and assigned in the
   * same round; while partitions are being revoked, run the follow-up rebalance(s) (at most 4),
   * then check the final assignment. Returns the final assignment (Kafka mutates its map).
   */
  verifyValidityAndBalance(topics: Record<string, number>, assignment: PlainAssignment): PlainAssignment {
    let current = assignment;
    if (this.strategy === 'cooperative-sticky') {
      let rebalances = 0;
      while (this.verifyCooperativeValidity(current)) {
        for (const [consumer, partitions] of Object.entries(current)) {
          const old = this.get(consumer);
          this.put(subscriptionV2(consumer, old.topics, partitions, generationId));
        }
        current = this.assign(topics);
        rebalances++;
        expect(rebalances).toBeLessThanOrEqual(4);
      }
    }
    verifyBase(this.members, current);
    return current;
  }

  /** Returns true if partitions are being revoked, meaning a follow-up rebalance will happen. */
  private verifyCooperativeValidity(assignment: PlainAssignment): boolean {
    const added = new Set<string>();
    const revoked = new Set<string>();
    for (const [consumer, assigned] of Object.entries(assignment)) {
      const owned = (this.get(consumer).ownedPartitions ?? []).map(tpString);
      const assignedSet = new Set(assigned.map(tpString));
      const ownedSet = new Set(owned);
      for (const p of owned) if (!assignedSet.has(p)) revoked.add(p);
      for (const p of assignedSet) if (!ownedSet.has(p)) added.add(p);
    }
    const both = [...added].filter((p) => revoked.has(p));
    expect(both, 'some partitions were assigned to a new consumer during the same rebalance they are being revoked').toEqual([]);
    return revoked.size > 0;
  }
}

/** A small seeded PRNG (mulberry32) standing in for java.util.Random in the randomized tests. */
export function seededRandom(seed: number): { nextInt(bound: number): number } {
  let a = seed >>> 0;
  return {
    nextInt(bound: number): number {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      const r = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      return Math.floor(r * bound);
    },
  };
}

/** getCanonicalName from AbstractStickyAssignorTest: prefix plus zero-padded index. */
export function canonicalName(prefix: string, i: number, maxNum: number): string {
  return prefix + String(i).padStart(String(maxNum).length, '0');
}
export const topicName = (i: number, maxNum: number) => canonicalName('t', i, maxNum);
export const consumerName = (i: number, maxNum: number) => canonicalName('c', i, maxNum);
