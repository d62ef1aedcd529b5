/**
 * Stories about the producer: partitioning, batching, retries, ordering and idempotence, and its
 * configuration. Each test names the Kafka rule it checks.
 */
import { describe, expect, it } from 'vitest';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { utf8Bytes } from '../../../src/sim/broker/kafka/murmur2.ts';
import { defaultPartition } from '../../../src/sim/broker/kafka/partitioner.ts';
import type { Partitioner } from '../../../src/sim/broker/kafka/producer.ts';
import { Kinds } from '../../../src/sim/history';
import { createTopic, entries, every, leaderOf, ms, replicaLog, sec, settle, startCluster } from './kafka-test-helpers.ts';

const sendsOf = (s: { world: { history: { ofKind(k: string): IterableIterator<{ node: string; data?: unknown }> } } }, node: string, type: string) =>
  [...s.world.history.ofKind(Kinds.send)].filter((e) => e.node === node && (e.data as { type?: string } | undefined)?.type === type);

describe('partitioning (https://kafka.apache.org/documentation/#producerconfigs_partitioner.class)', () => {
  it('sends a keyed record to toPositive(murmur2(key)) % partitions, like the Java client', () => {
    const s = startCluster(11);
    createTopic(s, 't', 6, 1);
    const producer = s.cluster.client('app').producer();
    settle(s.world, producer.connect());
    for (const key of ['alice', 'bob', 'carol', 'dave']) {
      const [md] = settle(s.world, producer.send({ topic: 't', messages: [{ key, value: 'x' }] }));
      expect(md!.partition).toBe(defaultPartition(utf8Bytes(key), 6));
    }
  });

  it('calls a KafkaJS-style custom partitioner with plain data and uses its answer (createPartitioner)', () => {
    const s = startCluster(12);
    createTopic(s, 't', 4, 1);
    const seen: unknown[] = [];
    const createPartitioner = (): Partitioner => (args) => {
      seen.push(JSON.parse(JSON.stringify(args)));
      return args.message.value === 'last' ? args.partitionMetadata.length - 1 : 0;
    };
    const producer = s.cluster.client('app').producer({ createPartitioner });
    settle(s.world, producer.connect());
    const out = settle(s.world, producer.send({ topic: 't', messages: [{ value: 'first' }, { value: 'last' }] }));
    expect(out.map((m) => m.partition).sort()).toEqual([0, 3]);
    expect(seen[0]).toMatchObject({ topic: 't', message: { value: 'first' }, partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }, { partitionId: 3 }] });
    // The partition function itself (it takes the arguments) is accepted too.
    const direct = s.cluster.client('app').producer({ createPartitioner: ({ partitionMetadata }: { partitionMetadata: unknown[] }) => partitionMetadata.length - 2 } as never);
    settle(s.world, direct.connect());
    expect(settle(s.world, direct.send({ topic: 't', messages: [{ value: 'x' }] }))[0]!.partition).toBe(2);
    const bad = s.cluster.client('app').producer({ createPartitioner: () => () => 7 });
    settle(s.world, bad.connect());
    expect(() => settle(s.world, bad.send({ topic: 't', messages: [{ value: 'x' }] }))).toThrow(/partition 7 chosen for topic "t" is not one of its partitions 0..3/);
  });
});

describe('batching (https://kafka.apache.org/documentation/#producerconfigs_linger.ms)', () => {
  it('with linger.ms, records sent within the linger time travel in one request; a full batch.size batch goes at once', () => {
    const s = startCluster(13);
    createTopic(s, 't', 1, 1);
    const producer = s.cluster.client('app').producer({ 'linger.ms': 50 });
    settle(s.world, producer.connect());
    const before = sendsOf(s, 'app', 'Produce').length;
    const sends = [];
    for (let i = 0; i < 5; i++) sends.push(producer.send({ topic: 't', messages: [{ value: `v${i}` }] }));
    const t0 = s.world.nowUs;
    settle(s.world, sends[4]!);
    expect(sendsOf(s, 'app', 'Produce').length - before).toBe(1);
    expect(s.world.nowUs - t0).toBeGreaterThanOrEqual(ms(50));
    // A full batch (batch.size reached) does not wait for linger.ms.
    const small = s.cluster.client('app2').producer({ 'linger.ms': 10_000, 'batch.size': 100 });
    settle(s.world, small.connect());
    const t1 = s.world.nowUs;
    settle(s.world, small.send({ topic: 't', messages: [{ value: 'x'.repeat(120) }, { value: 'y'.repeat(120) }] }));
    expect(s.world.nowUs - t1).toBeLessThan(ms(100));
    expect(sendsOf(s, 'app2', 'Produce').length).toBe(2);
  });

  it('compression (a size factor) lets more records fit a batch (https://kafka.apache.org/documentation/#producerconfigs_compression.type)', () => {
    const requests = (compression: 'none' | 'gzip'): number => {
      const s = startCluster(14);
      createTopic(s, 't', 1, 1);
      const producer = s.cluster.client('app').producer({ 'linger.ms': 10_000, 'batch.size': 1000, 'compression.type': compression });
      settle(s.world, producer.connect());
      const messages = Array.from({ length: 40 }, (_, i) => ({ value: `record-${i}-${'x'.repeat(50)}` }));
      settle(s.world, producer.send({ topic: 't', messages }), 30_000);
      return sendsOf(s, 'app', 'Produce').length;
    };
    expect(requests('gzip')).toBeLessThan(requests('none'));
  });
});

describe('retries, ordering and idempotence (https://kafka.apache.org/documentation/#producerconfigs_enable.idempotence)', () => {
  /**
   * One producer sends 0..n-1 to one partition over a lossy network. Lost packets are retransmitted
   * (TCP), 200 ms later; with request.timeout.ms 150 the producer gives up first, closes the
   * connection (failing every request in flight on it) and resends.
   */
  function lossyRun(seed: number, producerConfig: Record<string, unknown>) {
    const s = startCluster(seed, { brokers: 1 });
    createTopic(s, 't', 1, 1);
    const producer = s.cluster.client('p').producer({ 'request.timeout.ms': 150, 'delivery.timeout.ms': 60_000, 'retry.backoff.ms': 10, 'max.in.flight.requests.per.connection': 5, ...producerConfig });
    settle(s.world, producer.connect());
    s.world.network.addRule((id) => ({ id, kind: 'loss', decide: (rng) => (rng.chance(0.1) ? 'drop' : 'pass'), from: undefined, to: undefined }));
    const start = s.world.nowUs / 1000;
    const acked: number[] = [];
    every(s.world, 'p', 1, start + 1500, (i) => {
      producer.send({ topic: 't', messages: [{ key: 'k', value: String(i) }] }).then(() => void acked.push(i));
    });
    s.world.runFor(sec(4));
    s.world.network.clearRules();
    s.world.runFor(sec(4));
    const values = replicaLog(s, 'b1', 't', 0).map((r) => Number(r.value));
    const duplicates = values.length - new Set(values).size;
    // Reordering: the first copies of the records are not in send order.
    const firsts = [...new Set(values)];
    let reordered = 0;
    for (let i = 1; i < firsts.length; i++) if (firsts[i]! < firsts[i - 1]!) reordered++;
    return { values, acked, duplicates, reordered, retries: entries(s.world, KafkaKinds.produceRetry).length };
  }

  it('an idempotent producer never writes a record twice nor out of order, however many retries (producer id + sequence numbers)', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = lossyRun(seed, { 'enable.idempotence': true });
      expect(r.retries, `seed ${seed}`).toBeGreaterThan(0);
      expect(r.duplicates, `seed ${seed}`).toBe(0);
      expect(r.reordered, `seed ${seed}`).toBe(0);
      expect(new Set(r.values)).toEqual(new Set(r.acked));
    }
  });

  it('without idempotence, retries duplicate records and, with more than one request in flight, reorder them on some seed', () => {
    let duplicates = 0;
    let reordered = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const r = lossyRun(seed, { 'enable.idempotence': false, acks: 'all' });
      duplicates += r.duplicates;
      reordered += r.reordered;
    }
    expect(duplicates).toBeGreaterThan(0);
    expect(reordered).toBeGreaterThan(0);
  });

  it('with max.in.flight.requests.per.connection=1 retries cannot reorder, even without idempotence', () => {
    for (let seed = 1; seed <= 4; seed++) expect(lossyRun(seed, { 'enable.idempotence': false, 'max.in.flight.requests.per.connection': 1 }).reordered).toBe(0);
  });

  it('fails a send after delivery.timeout.ms when the leader stays unreachable (https://kafka.apache.org/documentation/#producerconfigs_delivery.timeout.ms)', () => {
    const s = startCluster(15);
    createTopic(s, 't', 1, 1);
    const producer = s.cluster.client('app').producer({ 'request.timeout.ms': 500, 'delivery.timeout.ms': 3000 });
    settle(s.world, producer.connect());
    s.world.partition(['app'], [leaderOf(s, 't', 0)!]);
    const t0 = s.world.nowUs;
    const sent = producer.send({ topic: 't', messages: [{ value: 'x' }] });
    expect(() => settle(s.world, sent, 10_000)).toThrow(/REQUEST_TIMED_OUT|Expiring/);
    expect(s.world.nowUs - t0).toBeGreaterThanOrEqual(ms(3000));
    expect(s.world.nowUs - t0).toBeLessThan(ms(4000));
  });
});

describe('configuration is validated with Kafka names (https://kafka.apache.org/documentation/#producerconfigs)', () => {
  it('names an unknown key and suggests the Kafka spelling', () => {
    const s = startCluster(16);
    const kafka = s.cluster.client('app');
    expect(() => kafka.producer({ lingerMs: 5 } as never)).toThrow(/unknown producer config key "lingerMs"; did you mean "linger.ms"\?/);
  });

  it('says which values a key allows', () => {
    const s = startCluster(17);
    const kafka = s.cluster.client('app');
    expect(() => kafka.producer({ acks: 2 as never })).toThrow(/"acks" must be "all" \(or -1\), 1 or 0, got 2/);
    expect(() => kafka.producer({ 'compression.type': 'brotli' as never })).toThrow(/"compression.type" must be one of "none", "gzip", "snappy", "lz4", "zstd"/);
    expect(() => kafka.producer({ 'linger.ms': -1 })).toThrow(/"linger.ms" must be a number ≥ 0/);
  });

  it('refuses an explicitly idempotent producer with acks=1, and quietly turns idempotence off when only the default conflicts (Kafka 3.x rules)', () => {
    const s = startCluster(18);
    const kafka = s.cluster.client('app');
    expect(() => kafka.producer({ 'enable.idempotence': true, acks: 1 })).toThrow(/Must set acks to all in order to use the idempotent producer/);
    expect(kafka.producer({ acks: 1 }).isIdempotent).toBe(false);
    expect(kafka.producer({}).isIdempotent).toBe(true);
    expect(kafka.producer({}).config).toMatchObject({ acks: -1, 'linger.ms': 0, 'batch.size': 16384, retries: 2147483647, 'delivery.timeout.ms': 120000, 'request.timeout.ms': 30000, 'max.in.flight.requests.per.connection': 5 });
  });
});
