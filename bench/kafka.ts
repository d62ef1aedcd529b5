import { KafkaCluster } from '../src/sim/broker/kafka/kafka';
import { ms, sec } from '../src/sim/time';
import { World } from '../src/sim/world';
import { round } from './kernel';
import { bestRun, type BenchResult } from './types';

/** The workload of `kafka-e2e`; every knob in one place so docs/performance.md can quote it. */
export const KAFKA_E2E = {
  brokers: 3,
  partitions: 6,
  replicationFactor: 3,
  producers: 3,
  /** Records per second per producer. */
  rate: 1000,
  /** Each producer calls send() this often, with rate * sendEveryMs / 1000 messages (KafkaJS apps send arrays). */
  sendEveryMs: 100,
  consumers: 3,
  simulatedSeconds: 60,
  /** acks=all (and idempotence, the default); linger.ms lets each send's six partitions share one request per broker. */
  producerConfig: { acks: 'all', 'linger.ms': 100 } as const,
  consumerConfig: { 'group.id': 'bench', 'auto.commit.interval.ms': 1000 } as const,
  brokerConfig: { 'min.insync.replicas': 2, 'group.initial.rebalance.delay.ms': 0 } as const,
};

export interface KafkaE2eRun {
  produced: number;
  acked: number;
  consumed: number;
  /** Records whose offsets the group committed by the end: each went produce → replicate → consume → commit. */
  committed: number;
  simulatedSeconds: number;
  wallMs: number;
  cpuMs: number;
  historyEntries: number;
  events: number;
  historyHash: string;
}

function cpuNowMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** One end-to-end run: setup (not timed), `seconds` of workload, then a short drain (timed). */
export function runKafkaE2e(seconds = KAFKA_E2E.simulatedSeconds, seed = 1): KafkaE2eRun {
  const w = KAFKA_E2E;
  const world = new World({ seed });
  const cluster = KafkaCluster.create(world, { brokers: w.brokers, config: w.brokerConfig });
  world.runFor(ms(50));
  const created = cluster.client('admin').admin().createTopics({ topics: [{ topic: 'events', numPartitions: w.partitions, replicationFactor: w.replicationFactor }] });
  world.runUntilSettled(created, sec(10));
  if (created.state !== 'fulfilled') throw new Error(`kafka-e2e: topic creation failed: ${String(created.reason)}`);
  let consumed = 0;
  for (let i = 1; i <= w.consumers; i++) {
    const c = cluster.client(`c${i}`).consumer(w.consumerConfig);
    c.subscribe({ topics: ['events'], fromBeginning: true });
    c.run({ eachMessage: () => void consumed++ });
  }
  const producers = Array.from({ length: w.producers }, (_, i) => {
    const p = cluster.client(`p${i + 1}`).producer(w.producerConfig);
    p.connect();
    return p;
  });
  world.runFor(sec(1));
  const perSend = (w.rate * w.sendEveryMs) / 1000;
  let produced = 0;
  let acked = 0;
  const startUs = world.nowUs;
  const endUs = startUs + sec(seconds);
  producers.forEach((p, i) => {
    const node = world.node(`p${i + 1}`);
    let n = 0;
    const onAck = (): void => void (acked += perSend);
    const tick = (): void => {
      if (world.nowUs >= endUs) return;
      const messages = [];
      for (let k = 0; k < perSend; k++, n++) messages.push({ key: `key-${n % 1000}`, value: `p${i}-${n}` });
      produced += perSend;
      p.send({ topic: 'events', messages }).then(onAck);
      node.setTimer(ms(w.sendEveryMs), tick);
    };
    node.setTimer(0, tick);
  });
  const events0 = world.kernel.eventsRun;
  // Hashing is part of the time: the hash is folded when read (see amqp.ts).
  world.history.historyHash();
  const t0 = performance.now();
  const c0 = cpuNowMs();
  // The workload, then two seconds for the last records to be consumed and committed.
  world.runFor(sec(seconds + 2));
  const historyHash = world.history.historyHash();
  const wallMs = performance.now() - t0;
  const cpuMs = cpuNowMs() - c0;
  const group = cluster.inspect().groups.find((g) => g.groupId === w.consumerConfig['group.id']);
  const committed = group?.offsets.reduce((n, o) => n + o.committed, 0) ?? 0;
  return { produced, acked, consumed, committed, simulatedSeconds: seconds + 2, wallMs, cpuMs, historyEntries: world.history.length, events: world.kernel.eventsRun - events0, historyHash };
}

/**
 * kafka-e2e: 3 brokers, a topic of 6 partitions with replication factor 3, acks=all, 3 producers
 * at 1,000 records/s each, one group of 3 consumers committing, 60 s of simulated time. Reports
 * records per CPU-second end to end (the machine is shared; wall time mostly measures the other
 * tenants) and, as kafka-speedup, simulated time over wall time.
 */
export function benchKafkaE2e(): BenchResult[] {
  runKafkaE2e(5); // warm the JIT
  const r = bestRun('kafka-e2e', [runKafkaE2e(), runKafkaE2e(), runKafkaE2e()]);
  const wallMs = r.wallMs;
  if (r.committed < r.produced * 0.99) throw new Error(`kafka-e2e: only ${r.committed} of ${r.produced} records were committed`);
  return [
    {
      name: 'kafka-e2e',
      value: Math.round(r.committed / (r.cpuMs / 1000)),
      unit: 'records/s',
      note: `${r.committed} records produced (acks=all), replicated ×3, consumed and committed in ${r.simulatedSeconds} s simulated; per CPU-second, best of 3 (${Math.round(r.committed / (wallMs / 1000))}/s per wall second)`,
    },
    {
      name: 'kafka-speedup',
      value: round(r.simulatedSeconds / (wallMs / 1000), 1),
      unit: 'x',
      note: `${r.simulatedSeconds} s simulated in ${Math.round(wallMs)} ms wall, best of 3 (${Math.round(r.cpuMs)} ms CPU: ${round(r.simulatedSeconds / (r.cpuMs / 1000), 1)}x per CPU-second); ${r.events} events, ${r.historyEntries} history entries`,
    },
  ];
}

