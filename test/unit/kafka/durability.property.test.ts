/**
 * Durability over many seeds and random single-broker crash schedules.
 *
 * The rule (https://kafka.apache.org/documentation/#design_ha, #producerconfigs_acks): with
 * acks=all, replication factor 3, min.insync.replicas=2 and no unclean leader election, a record
 * the producer saw acknowledged survives any single broker failure. With acks=1 the leader
 * acknowledges before its followers have the record, so a leader crash can lose acknowledged
 * records, and the simulation must be able to show it (the crashed machine's page cache dies
 * with it, and a follower that never fetched the record becomes leader).
 */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../../../src/sim/rng';
import { createTopic, every, ms, replicaLog, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

const CHAOS_MS = 14_000;
const HEAL_MS = 12_000;

/** Up to three broker crashes, one broker down at a time, with time to rejoin the ISR in between. */
function crashSchedule(rng: Rng, brokers: readonly string[]): { node: string; crashAtMs: number; restartAtMs: number }[] {
  const out: { node: string; crashAtMs: number; restartAtMs: number }[] = [];
  let t = 1000 + rng.int(0, 3000);
  while (t < CHAOS_MS - 2000 && out.length < 3) {
    const down = 300 + rng.int(0, 3000);
    // Sub-millisecond jitter: crashes land anywhere between the workload's millisecond ticks.
    const crashAtMs = t + rng.int(0, 999) / 1000;
    out.push({ node: rng.pick(brokers), crashAtMs, restartAtMs: Math.min(crashAtMs + down, CHAOS_MS) });
    t += down + 3000 + rng.int(0, 2000);
  }
  return out;
}

interface Outcome {
  acked: string[];
  lost: string[];
  schedule: { node: string; crashAtMs: number; restartAtMs: number }[];
}

function run(seed: number, acks: 'all' | 1): Outcome {
  const s: Scenario = startCluster(seed, {
    config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false, 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000, 'replica.socket.timeout.ms': 2000 },
  });
  createTopic(s, 't', 3, 3);
  const producer = s.cluster.client('p').producer({ acks, 'request.timeout.ms': 1000, 'retry.backoff.ms': 100 });
  settle(s.world, producer.connect());
  const start = s.world.nowUs / 1000;
  const acked: string[] = [];
  every(s.world, 'p', 1, start + CHAOS_MS, (i) => {
    const value = `v${i}`;
    producer.send({ topic: 't', messages: [{ key: `k${i % 50}`, value }] }).then(
      () => void acked.push(value),
      () => undefined,
    );
  });
  const schedule = crashSchedule(s.world.rng.fork('test:crashes'), s.cluster.brokerNames);
  for (const c of schedule) {
    s.world.kernel.at(ms(start + c.crashAtMs), () => s.world.crash(c.node));
    s.world.kernel.at(ms(start + c.restartAtMs), () => s.world.restart(c.node));
  }
  s.world.runFor(ms(CHAOS_MS + HEAL_MS));
  // What a consumer could ever read: each partition's current leader's log (every replica agrees after healing).
  const present = new Set<string>();
  for (const p of s.cluster.inspect().partitions.filter((x) => x.topic === 't')) {
    for (const r of replicaLog(s, p.leader!, 't', p.partition)) if (r.offset < p.highWatermark && r.value !== null) present.add(r.value);
  }
  return { acked, lost: acked.filter((v) => !present.has(v)), schedule };
}

describe('durability under single-broker crashes', () => {
  it('acks=all, RF 3, min.insync.replicas 2: no acknowledged record is ever lost, on every seed', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const o = run(seed, 'all');
      expect(o.acked.length, `seed ${seed}: the producer made progress`).toBeGreaterThan(1000);
      expect(o.lost, `seed ${seed}, crashes ${JSON.stringify(o.schedule)}: lost ${o.lost.length} acknowledged records`).toEqual([]);
    }
  });

  it('acks=1: some seed loses acknowledged records when a leader crashes before its followers fetched them', () => {
    const losses: number[] = [];
    for (let seed = 1; seed <= 16 && !losses.some((n) => n > 0); seed++) losses.push(run(seed, 1).lost.length);
    expect(losses.some((n) => n > 0), `losses per seed: ${losses.join(', ')}`).toBe(true);
  });
});
