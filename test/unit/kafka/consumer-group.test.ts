/**
 * Stories about consumers and consumer groups: assignment, rebalances (eager and cooperative),
 * session timeouts, static membership, offsets and commits, resets, seek and pause.
 * Each test names the Kafka rule it checks.
 */
import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../../src/sim/broker/kafka/consumer.ts';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { SimPromise } from '../../../src/sim/sim-promise';
import { createTopic, entries, ms, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

/** Produces `n` keyed records `v0..v{n-1}` to `topic` and waits for the acknowledgements. */
function produce(s: Scenario, topic: string, n: number, from = 0): void {
  const producer = s.cluster.client('producer').producer();
  settle(s.world, producer.connect());
  const messages = Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % 17}`, value: `v${from + i}` }));
  settle(s.world, producer.send({ topic, messages }));
}

interface Seen {
  node: string;
  topic: string;
  partition: number;
  offset: number;
  value: string | null;
}

function startConsumer(s: Scenario, node: string, config: Record<string, unknown>, seen: Seen[], topics = ['t'], fromBeginning = true): Consumer {
  const c = s.cluster.client(node).consumer({ 'group.id': 'g', ...config });
  c.subscribe({ topics, fromBeginning });
  c.run({ eachMessage: ({ topic, partition, message }) => void seen.push({ node, topic, partition, offset: Number(message.offset), value: message.value }) });
  return c;
}

const GROUP = { 'group.initial.rebalance.delay.ms': 0 } as const;

describe('consumer groups (https://kafka.apache.org/documentation/#intro_consumers)', () => {
  it('splits partitions among the members with the range assignor and hands each record to one member, in offset order per partition', () => {
    const s = startCluster(21, { config: GROUP });
    createTopic(s, 't', 6, 3);
    produce(s, 't', 300);
    const seen: Seen[] = [];
    const consumers = ['c1', 'c2', 'c3'].map((n) => startConsumer(s, n, { 'partition.assignment.strategy': 'range' }, seen));
    s.world.runFor(sec(8));
    expect(consumers.map((c) => c.assignment().length)).toEqual([2, 2, 2]);
    expect(seen.map((x) => x.value).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `v${i}`).sort());
    for (let p = 0; p < 6; p++) {
      const offsets = seen.filter((x) => x.partition === p).map((x) => x.offset);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(seen.filter((x) => x.partition === p).map((x) => x.node)).size).toBe(1);
    }
    const group = s.cluster.inspect().groups.find((g) => g.groupId === 'g')!;
    expect(group.state).toBe('Stable');
    expect(group.protocol).toBe('range');
    expect(group.members).toHaveLength(3);
  });

  it('waits group.initial.rebalance.delay.ms before the first rebalance of an empty group, so members arriving together share one generation', () => {
    const s = startCluster(22);
    createTopic(s, 't', 4, 1);
    const seen: Seen[] = [];
    const t0 = s.world.nowUs;
    startConsumer(s, 'c1', {}, seen);
    s.world.runFor(ms(500));
    startConsumer(s, 'c2', {}, seen);
    s.world.runFor(sec(6));
    const rebalances = entries(s.world, KafkaKinds.rebalance).filter((e) => e.data.group === 'g');
    expect(rebalances).toHaveLength(1);
    expect(rebalances[0]!.data).toMatchObject({ generation: 1, members: 2 });
    expect(rebalances[0]!.timeUs - t0).toBeGreaterThanOrEqual(ms(3000));
  });

  it('a member that leaves triggers a rebalance; the others take over its partitions from the committed offsets', () => {
    const s = startCluster(23, { config: GROUP });
    createTopic(s, 't', 4, 1);
    produce(s, 't', 100);
    const seen: Seen[] = [];
    const c1 = startConsumer(s, 'c1', { 'auto.commit.interval.ms': 100 }, seen);
    const c2 = startConsumer(s, 'c2', { 'auto.commit.interval.ms': 100 }, seen);
    s.world.runFor(sec(5));
    expect(c1.assignment()).toHaveLength(2);
    settle(s.world, c1.disconnect());
    produce(s, 't', 100, 100);
    s.world.runFor(sec(5));
    expect(c2.assignment()).toHaveLength(4);
    const values = seen.map((x) => x.value);
    expect(new Set(values).size).toBe(200);
    // Committed before leaving: nothing is read twice.
    expect(values).toHaveLength(200);
    expect(entries(s.world, KafkaKinds.member).some((e) => e.data.event === 'leave' && e.data.reason === 'the consumer is closing')).toBe(true);
  });

  it('a crashed member is removed after session.timeout.ms without heartbeats (https://kafka.apache.org/documentation/#consumerconfigs_session.timeout.ms)', () => {
    const s = startCluster(24, { config: GROUP });
    createTopic(s, 't', 2, 1);
    const seen: Seen[] = [];
    startConsumer(s, 'c1', { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000 }, seen);
    const c2 = startConsumer(s, 'c2', { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 1000 }, seen);
    s.world.runFor(sec(3));
    const t0 = s.world.nowUs;
    s.world.crash('c1');
    s.world.runFor(sec(10));
    const expired = entries(s.world, KafkaKinds.member).find((e) => e.data.event === 'leave' && e.data.reason === 'session timeout')!;
    expect(expired.timeUs - t0).toBeGreaterThan(ms(5000));
    expect(expired.timeUs - t0).toBeLessThanOrEqual(ms(7000));
    expect(c2.assignment()).toHaveLength(2);
  });

  it('a static member (group.instance.id) that restarts within the session timeout gets its partitions back without a rebalance (KIP-345)', () => {
    const s = startCluster(25, { config: GROUP });
    createTopic(s, 't', 4, 1);
    const seen: Seen[] = [];
    const cfg = { 'session.timeout.ms': 10_000, 'heartbeat.interval.ms': 1000 };
    const a = startConsumer(s, 'c1', { ...cfg, 'group.instance.id': 'a' }, seen);
    startConsumer(s, 'c2', { ...cfg, 'group.instance.id': 'b' }, seen);
    s.world.runFor(sec(3));
    const before = a.assignment();
    const generation = s.cluster.inspect().groups[0]!.generation;
    s.world.crash('c1');
    s.world.runFor(sec(2));
    s.world.restart('c1');
    const again = startConsumer(s, 'c1', { ...cfg, 'group.instance.id': 'a' }, seen);
    s.world.runFor(sec(3));
    expect(again.assignment()).toEqual(before);
    expect(s.cluster.inspect().groups[0]!.generation).toBe(generation);
    expect(entries(s.world, KafkaKinds.member).some((e) => e.data.event === 'static-rejoin')).toBe(true);
  });

  it('eager assignors revoke every partition in a rebalance; cooperative-sticky revokes only the ones that move, over two rounds (KIP-429)', () => {
    const revokedCounts = (strategy: string): { revoked: number[]; rounds: number } => {
      const s = startCluster(26, { config: GROUP });
      createTopic(s, 't', 6, 1);
      const seen: Seen[] = [];
      startConsumer(s, 'c1', { 'partition.assignment.strategy': strategy }, seen);
      s.world.runFor(sec(3));
      const from = s.world.history.length;
      startConsumer(s, 'c2', { 'partition.assignment.strategy': strategy }, seen);
      s.world.runFor(sec(5));
      const assigns = [...s.world.history.entries(from)].filter((e) => e.kind === KafkaKinds.assign && e.node === 'c1').map((e) => e.data as { revoked: unknown[] });
      const rebalances = [...s.world.history.entries(from)].filter((e) => e.kind === KafkaKinds.rebalance).length;
      return { revoked: assigns.map((a) => a.revoked.length), rounds: rebalances };
    };
    const eager = revokedCounts('range');
    const cooperative = revokedCounts('cooperative-sticky');
    // Eager: c1 gives up all 6 partitions, then gets 3 back, in one rebalance.
    expect(eager).toEqual({ revoked: [6], rounds: 1 });
    // Cooperative: c1 keeps consuming 3, gives up the 3 that move; a second round hands them to c2.
    expect(cooperative).toEqual({ revoked: [3, 0], rounds: 2 });
  });
});

describe('offsets (https://kafka.apache.org/documentation/#consumerconfigs_enable.auto.commit)', () => {
  it('auto-commits processed offsets every auto.commit.interval.ms to __consumer_offsets; a new member resumes from them', () => {
    const s = startCluster(31, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 50);
    const seen: Seen[] = [];
    const c = startConsumer(s, 'c1', { 'auto.commit.interval.ms': 1000 }, seen);
    s.world.runFor(sec(3));
    expect(seen).toHaveLength(50);
    const committed = s.cluster.inspect().groups[0]!.offsets[0]!;
    expect(committed).toMatchObject({ topic: 't', partition: 0, committed: 50, lag: 0 });
    const commits = entries(s.world, KafkaKinds.commit);
    expect(commits.length).toBeGreaterThan(0);
    // The commit is a record in the __consumer_offsets log.
    const offsetsTopic = s.cluster.inspect().partitions.filter((p) => p.topic === '__consumer_offsets');
    expect(offsetsTopic.reduce((n, p) => n + p.logEndOffset, 0)).toBeGreaterThan(0);
    settle(s.world, c.disconnect());
    produce(s, 't', 10, 50);
    const later: Seen[] = [];
    startConsumer(s, 'c2', {}, later);
    s.world.runFor(sec(3));
    expect(later.map((x) => x.value)).toEqual(Array.from({ length: 10 }, (_, i) => `v${50 + i}`));
  });

  it('with enable.auto.commit=false only commitOffsets commits; uncommitted records are read again by the next member', () => {
    const s = startCluster(32, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 20);
    const seen: Seen[] = [];
    const c = startConsumer(s, 'c1', { 'enable.auto.commit': false }, seen);
    s.world.runFor(sec(3));
    expect(seen).toHaveLength(20);
    settle(s.world, c.commitOffsets([{ topic: 't', partition: 0, offset: '10' }]));
    s.world.crash('c1');
    s.world.runFor(sec(50));
    const again: Seen[] = [];
    startConsumer(s, 'c2', { 'enable.auto.commit': false }, again);
    s.world.runFor(sec(5));
    expect(again.map((x) => x.offset)).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
  });

  it('auto.offset.reset decides where a group without committed offsets starts: latest by default, earliest with fromBeginning', () => {
    const s = startCluster(33, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 5);
    const latest: Seen[] = [];
    const earliest: Seen[] = [];
    const a = s.cluster.client('c1').consumer({ 'group.id': 'latest' });
    a.subscribe({ topics: ['t'] });
    a.run({ eachMessage: ({ message }) => void latest.push({ node: 'c1', topic: 't', partition: 0, offset: Number(message.offset), value: message.value }) });
    const b = s.cluster.client('c2').consumer({ 'group.id': 'earliest', 'auto.offset.reset': 'earliest' });
    b.subscribe({ topics: ['t'] });
    b.run({ eachMessage: ({ message }) => void earliest.push({ node: 'c2', topic: 't', partition: 0, offset: Number(message.offset), value: message.value }) });
    s.world.runFor(sec(3));
    produce(s, 't', 1, 5);
    s.world.runFor(sec(2));
    expect(latest.map((x) => x.value)).toEqual(['v5']);
    expect(earliest.map((x) => x.value)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5']);
    expect(entries(s.world, KafkaKinds.offsetReset).map((e) => e.data.policy).sort()).toEqual(['earliest', 'latest']);
  });

  it('seek moves the position; pause stops a partition and resume restarts it', () => {
    const s = startCluster(34, { config: GROUP });
    createTopic(s, 't', 2, 1);
    const producer = s.cluster.client('p').producer();
    settle(s.world, producer.connect());
    settle(s.world, producer.send({ topic: 't', messages: Array.from({ length: 10 }, (_, i) => ({ value: `a${i}`, partition: 0 })) }));
    settle(s.world, producer.send({ topic: 't', messages: Array.from({ length: 10 }, (_, i) => ({ value: `b${i}`, partition: 1 })) }));
    const seen: Seen[] = [];
    const c = s.cluster.client('c1').consumer({ 'group.id': 'g' });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    c.pause([{ topic: 't', partitions: [1] }]);
    c.run({ eachMessage: ({ partition, message }) => void seen.push({ node: 'c1', topic: 't', partition, offset: Number(message.offset), value: message.value }) });
    s.world.runFor(sec(2));
    expect(seen.map((x) => x.value)).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    expect(c.paused()).toEqual([{ topic: 't', partitions: [1] }]);
    c.seek({ topic: 't', partition: 0, offset: '7' });
    c.resume([{ topic: 't', partitions: [1] }]);
    s.world.runFor(sec(2));
    expect(seen.slice(10).filter((x) => x.partition === 0).map((x) => x.value)).toEqual(['a7', 'a8', 'a9']);
    expect(seen.filter((x) => x.partition === 1)).toHaveLength(10);
  });
});

describe('handlers in simulated time', () => {
  it('waits for a SimPromise returned by eachMessage before the next record of the partition', () => {
    const s = startCluster(41, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 3);
    const starts: number[] = [];
    const c = s.cluster.client('c1').consumer({ 'group.id': 'g' });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    const node = s.world.node('c1');
    c.run({
      eachMessage: () => {
        starts.push(s.world.nowUs);
        const done = new SimPromise<void>();
        node.setTimer(ms(100), () => done.resolve());
        return done;
      },
    });
    s.world.runFor(sec(4));
    expect(starts).toHaveLength(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(ms(100));
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(ms(100));
  });

  it('refuses a native Promise from a handler with a message that says why', () => {
    const s = startCluster(42, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 1);
    const c = s.cluster.client('c1').consumer({ 'group.id': 'g' });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    c.run({ eachMessage: async () => undefined });
    expect(() => s.world.runFor(sec(4))).toThrow(/returned a native Promise\. The simulation cannot time it/);
  });

  it('a handler slower than max.poll.interval.ms makes the member leave the group; it rejoins when the handler returns (KIP-62)', () => {
    const s = startCluster(43, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 2);
    const c = s.cluster.client('c1').consumer({ 'group.id': 'g', 'max.poll.interval.ms': 2000, 'session.timeout.ms': 10_000 });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    const node = s.world.node('c1');
    let calls = 0;
    c.run({
      eachMessage: () => {
        calls++;
        const done = new SimPromise<void>();
        node.setTimer(ms(calls === 1 ? 5000 : 1), () => done.resolve());
        return done;
      },
    });
    s.world.runFor(sec(15));
    expect(entries(s.world, KafkaKinds.member).some((e) => e.data.event === 'poll-timeout')).toBe(true);
    expect(entries(s.world, KafkaKinds.rebalance).length).toBeGreaterThanOrEqual(2);
    expect(c.state).toBe('stable');
  });

  it('retries a record whose handler threw, after retry.backoff.ms, without skipping it', () => {
    const s = startCluster(44, { config: GROUP });
    createTopic(s, 't', 1, 1);
    produce(s, 't', 3);
    const c = s.cluster.client('c1').consumer({ 'group.id': 'g' });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    const seen: string[] = [];
    let failures = 0;
    c.run({
      eachMessage: ({ message }) => {
        if (message.value === 'v1' && failures < 2) {
          failures++;
          throw new Error('database unavailable');
        }
        seen.push(message.value!);
      },
    });
    s.world.runFor(sec(5));
    expect(seen).toEqual(['v0', 'v1', 'v2']);
    expect(entries(s.world, KafkaKinds.clientError).filter((e) => e.data.message === 'database unavailable')).toHaveLength(2);
  });
});
