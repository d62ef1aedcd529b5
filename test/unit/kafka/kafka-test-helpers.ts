/**
 * Small story-telling helpers for Kafka model tests: a world with a cluster, a way to wait for a
 * SimPromise in simulated time, and readers of the replicas' logs.
 */
import type { KafkaClusterOptions } from '../../../src/sim/broker/kafka/kafka.ts';
import { KafkaCluster } from '../../../src/sim/broker/kafka/kafka.ts';
import type { LogRecord } from '../../../src/sim/broker/kafka/log-record.ts';
import type { SimPromise } from '../../../src/sim/sim-promise';
import { ms, sec } from '../../../src/sim/time';
import { World } from '../../../src/sim/world';

export interface Scenario {
  world: World;
  cluster: KafkaCluster;
}

/** A world with a started cluster (brokers registered and unfenced). */
export function startCluster(seed: number | string, opts: KafkaClusterOptions = {}): Scenario {
  const world = new World({ seed });
  const cluster = KafkaCluster.create(world, opts);
  world.runFor(ms(50));
  return { world, cluster };
}

/** Runs the world until `p` settles (at most `maxMs` of simulated time) and returns its value, or throws its reason. */
export function settle<T>(world: World, p: SimPromise<T>, maxMs = 60_000): T {
  world.runUntilSettled(p, ms(maxMs));
  if (p.state === 'pending') throw new Error(`still pending after ${maxMs} ms of simulated time (now ${world.nowUs / 1000} ms)`);
  if (p.state === 'rejected') throw p.reason;
  return p.value as T;
}

/** Creates a topic through an admin client on node 'admin' and waits for its leaders. */
export function createTopic(s: Scenario, topic: string, numPartitions: number, replicationFactor: number, configEntries: { name: string; value: string }[] = []): void {
  const admin = s.cluster.client('admin').admin();
  settle(s.world, admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor, configEntries }] }));
}

/** The records of one replica's log (all of them, including any above the high watermark). */
export function replicaLog(s: Scenario, broker: string, topic: string, partition: number): LogRecord[] {
  const stored = s.cluster.ctx.storages.get(broker)?.get(topic, partition);
  if (stored === undefined) return [];
  const r = stored.log.read(stored.log.logStartOffset, Number.MAX_SAFE_INTEGER);
  return r.kind === 'records' ? r.records : [];
}

/** The current leader's log of a partition, up to its high watermark (what consumers can see). */
export function committedLog(s: Scenario, topic: string, partition: number): LogRecord[] {
  const view = s.cluster.inspect().partitions.find((p) => p.topic === topic && p.partition === partition);
  if (view === undefined || view.leader === null) return [];
  return replicaLog(s, view.leader, topic, partition).filter((r) => r.offset < view.highWatermark);
}

/** The leader of a partition according to the controller. */
export function leaderOf(s: Scenario, topic: string, partition: number): string | null {
  return s.cluster.inspect().partitions.find((p) => p.topic === topic && p.partition === partition)?.leader ?? null;
}

/** Calls `fn` every `everyMs` of simulated time on node `node` until `untilMs` (absolute). */
export function every(world: World, node: string, everyMs: number, untilMs: number, fn: (i: number) => void): void {
  const n = world.node(node);
  let i = 0;
  const tick = (): void => {
    if (world.nowUs >= ms(untilMs)) return;
    fn(i++);
    n.setTimer(ms(everyMs), tick);
  };
  n.setTimer(0, tick);
}

/** History entries of a kind, with their data. */
export function entries(world: World, kind: string): { timeUs: number; node: string; data: Record<string, unknown> }[] {
  return [...world.history.ofKind(kind)].map((e) => ({ timeUs: e.timeUs, node: e.node, data: e.data as Record<string, unknown> }));
}

export { ms, sec };
