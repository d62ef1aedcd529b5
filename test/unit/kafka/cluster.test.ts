/**
 * The cluster as a whole: determinism, the inspection API, the admin client, coordinator failover,
 * eachBatch, and the reference page listing every config key with its default.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROKER_CONFIG, BROKER_TOPIC_DEFAULT_NAMES, CONSUMER_CONFIG, formatDefault, PRODUCER_CONFIG, TOPIC_CONFIG, type ConfigSpec } from '../../../src/sim/broker/kafka/config.ts';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { createTopic, entries, every, ms, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

const GROUP = { 'group.initial.rebalance.delay.ms': 0, 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000 } as const;

function busyRun(seed: number): Scenario {
  const s = startCluster(seed, { config: GROUP });
  createTopic(s, 't', 3, 3);
  const p = s.cluster.client('p').producer({ 'linger.ms': 5 });
  settle(s.world, p.connect());
  const c = s.cluster.client('c').consumer({ 'group.id': 'g' });
  c.subscribe({ topics: ['t'], fromBeginning: true });
  c.run({ eachMessage: () => undefined });
  every(s.world, 'p', 3, s.world.nowUs / 1000 + 2000, (i) => void p.send({ topic: 't', messages: [{ key: `k${i}`, value: `v${i}` }] }));
  s.world.kernel.at(s.world.nowUs + ms(700), () => s.world.crash('b2'));
  s.world.kernel.at(s.world.nowUs + ms(1500), () => s.world.restart('b2'));
  s.world.runFor(sec(6));
  return s;
}

describe('determinism (DESIGN §2)', () => {
  it('the same seed gives the same history, byte for byte; another seed another one', () => {
    const a = busyRun(3).world.history.historyHash();
    expect(busyRun(3).world.history.historyHash()).toBe(a);
    expect(busyRun(4).world.history.historyHash()).not.toBe(a);
  });
});

describe('inspection', () => {
  it('reports partitions with replicas, offsets and ISR, and groups with members, committed offsets and lag, as plain data', () => {
    const s = busyRun(5);
    const view = s.cluster.inspect();
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(view.brokers.map((b) => b.name)).toEqual(['b1', 'b2', 'b3']);
    const t0 = view.partitions.find((p) => p.topic === 't' && p.partition === 0)!;
    expect(t0.replicas).toHaveLength(3);
    expect(t0.highWatermark).toBeGreaterThan(0);
    for (const r of t0.replicas) expect(r.logEndOffset).toBe(t0.logEndOffset);
    const g = view.groups.find((x) => x.groupId === 'g')!;
    expect(g.members).toHaveLength(1);
    expect(g.members[0]!.assignment).toHaveLength(3);
    expect(g.offsets.every((o) => o.lag === o.highWatermark - o.committed)).toBe(true);
  });
});

describe('the admin client (KafkaJS admin API)', () => {
  it('lists topics, describes metadata and offsets, fetches and sets group offsets, deletes records', () => {
    const s = startCluster(6, { config: GROUP });
    const admin = s.cluster.client('admin').admin();
    expect(settle(s.world, admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2, replicationFactor: 2 }] }))).toBe(true);
    // Creating it again is not an error in KafkaJS: it answers false.
    expect(settle(s.world, admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2, replicationFactor: 2 }] }))).toBe(false);
    expect(settle(s.world, admin.listTopics())).toEqual(['a']);
    const meta = settle(s.world, admin.fetchTopicMetadata({ topics: ['a'] }));
    expect(meta.topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([2, 2]);
    const p = s.cluster.client('p').producer();
    settle(s.world, p.connect());
    settle(s.world, p.send({ topic: 'a', messages: [0, 1, 2].map((i) => ({ value: `v${i}`, partition: 0 })) }));
    expect(settle(s.world, admin.fetchTopicOffsets('a'))).toEqual([
      { partition: 0, offset: '3', high: '3', low: '0' },
      { partition: 1, offset: '0', high: '0', low: '0' },
    ]);
    settle(s.world, admin.setOffsets({ groupId: 'g', topic: 'a', partitions: [{ partition: 0, offset: '2' }] }));
    expect(settle(s.world, admin.fetchOffsets({ groupId: 'g', topics: ['a'] }))).toEqual([
      {
        topic: 'a',
        partitions: [
          { partition: 0, offset: '2', metadata: null },
          { partition: 1, offset: '-1', metadata: null },
        ],
      },
    ]);
    settle(s.world, admin.deleteTopicRecords({ topic: 'a', partitions: [{ partition: 0, offset: '2' }] }));
    expect(settle(s.world, admin.fetchTopicOffsets('a'))[0]).toMatchObject({ low: '2', high: '3' });
    expect(() => settle(s.world, admin.createTopics({ topics: [{ topic: 'b', numPartitions: 1, replicationFactor: 4 }] }))).toThrow(/INVALID_REPLICATION_FACTOR.*only 3 broker\(s\) are registered/);
    expect(() => settle(s.world, admin.createTopics({ topics: [{ topic: 'c', configEntries: [{ name: 'retention.minutes', value: '1' }] }] }))).toThrow(/unknown topic "c" config key "retention.minutes"/);
  });

  it('describeGroups reports the members and their assignment', () => {
    const s = startCluster(7, { config: GROUP });
    createTopic(s, 't', 2, 1);
    const c = s.cluster.client('c').consumer({ 'group.id': 'g' });
    c.subscribe({ topics: ['t'] });
    c.run({ eachMessage: () => undefined });
    s.world.runFor(sec(2));
    const { groups } = settle(s.world, s.cluster.client('admin').admin().describeGroups(['g']));
    expect(groups[0]).toMatchObject({ groupId: 'g', state: 'Stable', protocol: 'range', members: [{ clientId: 'c', assignment: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] }] });
  });
});

describe('coordinator failover', () => {
  it('when the group coordinator crashes, the new leader of its offsets partition loads the group and its offsets from the log', () => {
    const s = startCluster(8, { config: GROUP });
    createTopic(s, 't', 2, 3);
    const p = s.cluster.client('p').producer();
    settle(s.world, p.connect());
    settle(s.world, p.send({ topic: 't', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) }));
    const seen: string[] = [];
    const c = s.cluster.client('c').consumer({ 'group.id': 'g', 'auto.commit.interval.ms': 200, 'request.timeout.ms': 2000, 'session.timeout.ms': 10_000 });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    c.run({ eachMessage: ({ message }) => void seen.push(message.value!) });
    s.world.runFor(sec(2));
    const before = s.cluster.inspect().groups.find((g) => g.groupId === 'g')!;
    expect(before.totalLag).toBe(0);
    s.world.crash(before.coordinator);
    s.world.runFor(sec(6));
    const after = s.cluster.inspect().groups.find((g) => g.groupId === 'g')!;
    expect(after.coordinator).not.toBe(before.coordinator);
    expect(after.offsets.map((o) => o.committed).sort()).toEqual(before.offsets.map((o) => o.committed).sort());
    expect(after.generation).toBe(before.generation);
    settle(s.world, p.send({ topic: 't', messages: [{ key: 'k0', value: 'after-failover' }] }));
    s.world.runFor(sec(3));
    expect(seen.filter((v) => v === 'after-failover')).toHaveLength(1);
    expect(seen).toHaveLength(11);
  });
});

describe('eachBatch (KafkaJS)', () => {
  it("hands a partition's fetched records as one batch; resolved offsets are committed", () => {
    const s = startCluster(9, { config: GROUP });
    createTopic(s, 't', 1, 1);
    const p = s.cluster.client('p').producer();
    settle(s.world, p.connect());
    settle(s.world, p.send({ topic: 't', messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) }));
    const batches: { size: number; first: string | null; last: string; hw: string }[] = [];
    const c = s.cluster.client('c').consumer({ 'group.id': 'g', 'auto.commit.interval.ms': 100 });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    c.run({ eachBatch: ({ batch }) => void batches.push({ size: batch.messages.length, first: batch.firstOffset(), last: batch.lastOffset(), hw: batch.highWatermark }) });
    s.world.runFor(sec(3));
    expect(batches[0]).toEqual({ size: 5, first: '0', last: '4', hw: '5' });
    expect(s.cluster.inspect().groups[0]!.offsets[0]!.committed).toBe(5);
    expect(entries(s.world, KafkaKinds.consume)[0]!.data).toMatchObject({ firstOffset: 0, lastOffset: 4, count: 5 });
  });
});

describe('docs/brokers/kafka.md', () => {
  const doc = readFileSync(resolve(__dirname, '../../../docs/brokers/kafka.md'), 'utf8');
  const schemas: [string, Record<string, ConfigSpec>][] = [
    ['topic', TOPIC_CONFIG],
    ['broker', Object.fromEntries(Object.entries(BROKER_CONFIG).filter(([k]) => !(k in BROKER_TOPIC_DEFAULT_NAMES)))],
    ['producer', PRODUCER_CONFIG],
    ['consumer', CONSUMER_CONFIG],
  ];
  for (const [what, schema] of schemas) {
    it(`lists every ${what} config key the model honours, with its default`, () => {
      for (const [key, spec] of Object.entries(schema)) expect(doc, `${what} key ${key}`).toContain(`| \`${key}\` | \`${formatDefault(spec)}\` |`);
    });
  }
  it('names the broker spelling of every topic default', () => {
    for (const brokerKey of Object.keys(BROKER_TOPIC_DEFAULT_NAMES)) expect(doc).toContain(`\`${brokerKey}\``);
  });
});
