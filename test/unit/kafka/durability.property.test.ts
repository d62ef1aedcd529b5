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

const HEAL_MS = 8_000;

/** Up to three broker crashes, one broker down at a time, with time to rejoin the ISR in between. */
function crashSchedule(rng: Rng, brokers: readonly string[], chaosMs: number): { node: string; crashAtMs: number; restartAtMs: number }[] {
  const out: { node: string; crashAtMs: number; restartAtMs: number }[] = [];
  let t = 500 + rng.int(0, 1500);
  while (t < chaosMs - 1000 && out.length < 4) {
    const down = 300 + rng.int(0, 2000);
    // Sub-millisecond jitter: crashes land anywhere between the workload's millisecond ticks.
    const crashAtMs = t + rng.int(0, 999) / 1000;
    out.push({ node: rng.pick(brokers), crashAtMs, restartAtMs: Math.min(crashAtMs + down, chaosMs) });
    // Time for the restarted broker to catch up and rejoin the ISR before the next crash.
    t += down + 2000 + rng.int(0, 1000);
  }
  return out;
}

interface Outcome {
  acked: string[];
  lost: string[];
  schedule: { node: string; crashAtMs: number; restartAtMs: number }[];
}

function run(seed: number, acks: 'all' | 1, chaosMs: number): Outcome {
  const s: Scenario = startCluster(seed, {
    config: { 'min.insync.replicas': 2, 'unclean.leader.election.enable': false, 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000, 'replica.socket.timeout.ms': 2000 },
  });
  createTopic(s, 't', 3, 3);
  const producer = s.cluster.client('p').producer({ acks, 'request.timeout.ms': 1000, 'retry.backoff.ms': 100 });
  settle(s.world, producer.connect());
  const start = s.world.nowUs / 1000;
  const acked: string[] = [];
  // Every millisecond, one record for each partition (about): 3000 records/s. Records appended
  // while the followers' next fetch is still on its way are the ones acks=1 can lose.
  every(s.world, 'p', 1, start + chaosMs, (i) => {
    const values = [0, 1, 2].map((j) => `v${i}-${j}`);
    producer.send({ topic: 't', messages: values.map((value, j) => ({ key: `k${(i * 3 + j) % 50}`, value })) }).then(
      () => void acked.push(...values),
      () => undefined,
    );
  });
  const schedule = crashSchedule(s.world.rng.fork('test:crashes'), s.cluster.brokerNames, chaosMs);
  for (const c of schedule) {
    s.world.kernel.at(ms(start + c.crashAtMs), () => s.world.crash(c.node));
    s.world.kernel.at(ms(start + c.restartAtMs), () => s.world.restart(c.node));
  }
  s.world.runFor(ms(chaosMs + HEAL_MS));
  // What a consumer could ever read: each partition's current leader's log (every replica agrees after healing).
  const present = new Set<string>();
  for (const p of s.cluster.inspect().partitions.filter((x) => x.topic === 't')) {
    for (const r of replicaLog(s, p.leader!, 't', p.partition)) if (r.offset < p.highWatermark && r.value !== null) present.add(r.value);
  }
  return { acked, lost: acked.filter((v) => !present.has(v)), schedule };
}

describe('durability under single-broker crashes', () => {
  it('acks=all, RF 3, min.insync.replicas 2: no acknowledged record is ever lost, on every seed', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const o = run(seed, 'all', 10_000);
      expect(o.acked.length, `seed ${seed}: the producer made progress`).toBeGreaterThan(1000);
      expect(o.lost, `seed ${seed}, crashes ${JSON.stringify(o.schedule)}: lost ${o.lost.length} acknowledged records`).toEqual([]);
    }
  }, 300_000);

  it('acks=1: some seed loses acknowledged records when a leader crashes before its followers fetched them', () => {
    const losses: number[] = [];
    for (let seed = 1; seed <= 24 && !losses.some((n) => n > 0); seed++) losses.push(run(seed, 1, 6_000).lost.length);
    expect(losses.some((n) => n > 0), `losses per seed: ${losses.join(', ')}`).toBe(true);
  }, 300_000);
});
