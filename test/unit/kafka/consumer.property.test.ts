/**
 * Properties over many seeds and random fault schedules (the nemesis crashes, pauses and
 * partitions brokers and consumers, and makes links lossy), in two phases: chaos, then heal.
 *
 * - Per-partition order reaches consumers: while a consumer owns a partition it sees strictly
 *   increasing offsets (https://kafka.apache.org/documentation/#intro_concepts_and_terms: "Kafka
 *   guarantees that any consumer of a given topic-partition will always read that partition's
 *   events in exactly the same order as they were written");
 * - every record in the log is consumed at least once, and after the heal phase the group's lag
 *   is back to 0: every partition's committed offset equals its high watermark.
 */
import { describe, expect, it } from 'vitest';
import type { Consumer } from '../../../src/sim/broker/kafka/consumer.ts';
import { nemesis } from '../../../src/sim/network/nemesis';
import { runTwoPhase } from '../../../src/sim/runner';
import { createTopic, every, ms, replicaLog, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

interface Delivery {
  session: string;
  partition: number;
  offset: number;
  value: string;
}

const CONSUMERS = ['c1', 'c2', 'c3'];

function startMember(s: Scenario, node: string, out: Delivery[]): Consumer {
  const c = s.cluster.client(node).consumer({
    'group.id': 'g',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 1000,
    'request.timeout.ms': 3000,
    'auto.commit.interval.ms': 500,
    'auto.offset.reset': 'earliest',
  });
  let session = 0;
  const incarnation = s.world.node(node).incarnation;
  c.on('consumer.group_join', () => void session++);
  c.subscribe({ topics: ['t'] });
  c.run({ eachMessage: ({ partition, message }) => void out.push({ session: `${node}/${incarnation}/${session}`, partition, offset: Number(message.offset), value: message.value! }) });
  return c;
}

function run(seed: number) {
  const s = startCluster(seed, {
    config: { 'min.insync.replicas': 2, 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000, 'replica.socket.timeout.ms': 2000, 'group.initial.rebalance.delay.ms': 0 },
  });
  createTopic(s, 't', 4, 3);
  const producer = s.cluster.client('p').producer({ 'request.timeout.ms': 1000, 'linger.ms': 5 });
  settle(s.world, producer.connect());
  const deliveries: Delivery[] = [];
  for (const n of CONSUMERS) {
    startMember(s, n, deliveries);
    // A crashed consumer process is started again when its machine comes back.
    s.world.node(n).listen({ onRestart: () => void startMember(s, n, deliveries) });
  }
  s.world.runFor(sec(2));
  const chaosMs = 15_000;
  const start = s.world.nowUs / 1000;
  every(s.world, 'p', 2, start + chaosMs, (i) => void producer.send({ topic: 't', messages: [{ key: `k${i % 40}`, value: `v${i}` }] }).catch(() => undefined));
  const faults = nemesis({ rng: s.world.rng.fork('test:nemesis'), intensity: 0.6, nodes: [...s.cluster.brokerNames, ...CONSUMERS], durationUs: ms(chaosMs), kinds: ['crash', 'pause', 'partition', 'loss'] }).map((f) => ({ ...f, atUs: f.atUs + s.world.nowUs }));
  runTwoPhase(s.world, { chaosUs: s.world.nowUs + ms(chaosMs), healUs: ms(45_000), faults });
  return { s, deliveries, faults };
}

describe('consumers under chaos', () => {
  it('see each partition in order, consume everything in the log, and end with zero lag, on every seed', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { s, deliveries, faults } = run(seed);
      const why = `seed ${seed}, faults ${JSON.stringify(faults.map((f) => [f.atUs, f.kind, 'node' in f ? f.node : '']))}`;
      // Order: strictly increasing offsets per partition within each ownership session.
      const last = new Map<string, number>();
      for (const d of deliveries) {
        const k = `${d.session}/${d.partition}`;
        expect(d.offset, `${why}: ${k} went from ${last.get(k)} to ${d.offset}`).toBeGreaterThan(last.get(k) ?? -1);
        last.set(k, d.offset);
      }
      // Everything the log holds was consumed.
      const consumed = new Set(deliveries.map((d) => d.value));
      const view = s.cluster.inspect();
      for (const p of view.partitions.filter((x) => x.topic === 't')) {
        for (const r of replicaLog(s, p.leader!, 't', p.partition)) if (r.offset < p.highWatermark) expect(consumed.has(r.value!), `${why}: ${r.value} at t-${p.partition}@${r.offset}`).toBe(true);
      }
      // Lag is back to 0.
      const group = view.groups.find((g) => g.groupId === 'g')!;
      expect(group.state, why).toBe('Stable');
      expect(group.offsets.filter((o) => o.topic === 't').map((o) => o.partition).sort(), why).toEqual([0, 1, 2, 3]);
      expect(group.totalLag, why).toBe(0);
    }
  }, 300_000);
});
