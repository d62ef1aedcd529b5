import type { ITopicConfig } from '../../broker/kafka/admin';
import type { BROKER_CONFIG, ConfigInput } from '../../broker/kafka/config';
import { createTopicWhenReady } from '../../broker/kafka/topic-ready';
import type { KafkaCluster } from '../../broker/kafka/kafka';
import type { Producer, ProducerConfigInput } from '../../broker/kafka/producer';
import type { SimNode } from '../../node';
import { Kinds } from '../../history';
import type { World } from '../../world';
import { DemoKinds, entriesOf, idOf, type DemoFigure } from './demo';

/**
 * Kafka's timeouts are tuned for production (a broker is fenced after 9 s, a follower leaves the
 * ISR after 30 s). A demo shows the same mechanisms within seconds, so the cluster runs with
 * shorter ones: a broker not heard from for 1 s is fenced, a follower that has not caught up for
 * 1 s leaves the ISR, and an empty group rebalances at once. Each is a real Kafka setting.
 */
export const DEMO_CLUSTER_CONFIG: ConfigInput<typeof BROKER_CONFIG> = {
  'broker.heartbeat.interval.ms': 250,
  'broker.session.timeout.ms': 1000,
  'replica.lag.time.max.ms': 1000,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
  'auto.create.topics.enable': false,
};

/** How many sends are still waiting for an answer (acknowledged or failed for good). */
export interface SendTally {
  pending: number;
  sent: number;
}

/**
 * A producer's workload: one record every `everyUs` until `count` have been sent, each recorded
 * as `wl.produce` when handed to the producer and `wl.ack` when Kafka acknowledged it. The value
 * is the record's id, so an auditor can tell records apart.
 */
export function produceEvery(
  node: SimNode,
  producer: Producer,
  opts: { topic: string; everyUs: number; count: number; idPrefix: string; key?: (i: number) => string | null },
  tally: SendTally = { pending: 0, sent: 0 },
): SendTally {
  const next = (): void => {
    if (tally.sent >= opts.count) return;
    const i = ++tally.sent;
    const id = `${opts.idPrefix}-${i}`;
    const key = opts.key?.(i) ?? null;
    node.record(DemoKinds.produce, key === null ? { id } : { id, key });
    tally.pending++;
    producer.send({ topic: opts.topic, messages: [{ key, value: id }] }).onSettled((r) => {
      tally.pending--;
      if (r.state === 'fulfilled') node.record(DemoKinds.ack, { id });
    });
    node.setTimer(opts.everyUs, next);
  };
  next();
  return tally;
}

/**
 * An auditor that reads a topic from the beginning once `ready()` holds, up to each partition's
 * high watermark at that moment, and records every record it reads as `demo.audit` (id,
 * partition, offset): what the log holds after the run healed. `done()` turns true when it has
 * read everything.
 */
export function auditTopic(cluster: KafkaCluster, nodeName: string, topic: string, ready: () => boolean, pollUs = 250_000): { done: () => boolean } {
  const kafka = cluster.client(nodeName);
  const node = cluster.world.node(nodeName);
  let done = false;
  const start = (): void => {
    if (!ready()) return void node.setTimer(pollUs, start);
    const ends = new Map<number, number>();
    for (const p of cluster.inspect().partitions) if (p.topic === topic) ends.set(p.partition, p.highWatermark);
    const remaining = new Set([...ends].filter(([, hw]) => hw > 0).map(([p]) => p));
    if (remaining.size === 0) return void (done = true);
    const consumer = kafka.consumer({ 'group.id': 'auditor', 'auto.offset.reset': 'earliest', 'enable.auto.commit': false });
    void consumer.connect();
    void consumer.subscribe({ topic, fromBeginning: true });
    void consumer.run({
      eachMessage: ({ partition, message }) => {
        const offset = Number(message.offset);
        const end = ends.get(partition) ?? 0;
        if (offset >= end) return;
        node.record(DemoKinds.audit, { id: message.value ?? '', partition, offset });
        if (offset >= end - 1) remaining.delete(partition);
        if (remaining.size === 0) done = true;
      },
    });
  };
  node.setTimer(pollUs, start);
  return { done: () => done };
}

/**
 * The demos' writer: node `nodeName` creates `topic` once the cluster can hold it, then produces
 * with `producer` settings as `produceEvery` does. The tally it returns fills in as it goes.
 */
export function producerWorkload(
  cluster: KafkaCluster,
  nodeName: string,
  topic: ITopicConfig,
  producer: ProducerConfigInput,
  workload: { everyUs: number; count: number; idPrefix: string },
): SendTally {
  const kafka = cluster.client(nodeName);
  const node = cluster.world.node(nodeName);
  const tally: SendTally = { pending: 0, sent: 0 };
  createTopicWhenReady(kafka.admin(), node, topic).onSettled((created) => {
    if (created.state === 'rejected') return node.log(`the ${topic.topic} topic could not be created: ${(created.reason as Error).message}`, 'error');
    const p = kafka.producer(producer);
    p.connect().onSettled(() => void produceEvery(node, p, { topic: topic.topic, ...workload }, tally));
  });
  return tally;
}

/** The leader of a one-partition topic and its followers right now; undefined while it has none. */
export function partitionRoles(cluster: KafkaCluster, topic: string): { leader: string; followers: string[] } | undefined {
  const p = cluster.inspect().partitions.find((x) => x.topic === topic);
  if (!p?.leader) return undefined;
  return { leader: p.leader, followers: p.replicas.map((r) => r.broker).filter((b) => b !== p.leader) };
}

/** What the auditor found of the acknowledged writes: the loss demos' figures. */
export function acknowledgedLoss(world: World) {
  const produced = entriesOf(world, DemoKinds.produce).length;
  const acks = entriesOf(world, DemoKinds.ack);
  const inLog = new Set(entriesOf(world, DemoKinds.audit).map(idOf));
  const lostAcks = acks.filter((e) => !inLog.has(idOf(e)));
  const figures: DemoFigure[] = [
    { label: 'produced', value: produced },
    { label: 'acknowledged', value: acks.length },
    { label: 'in the log', value: inLog.size },
    { label: 'acknowledged, lost', value: lostAcks.length, anomaly: true },
  ];
  return { produced, acked: acks.length, inLog: inLog.size, lostAcks, figures, faults: entriesOf(world, Kinds.fault) };
}
