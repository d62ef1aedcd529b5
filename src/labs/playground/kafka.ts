import { Consumer, type EachMessagePayload } from '../../sim/broker/kafka/consumer';
import { KafkaCluster, attachKafkaClient } from '../../sim/broker/kafka/kafka';
import { Producer, type Message as KafkaProducerMessage, type RecordMetadata } from '../../sim/broker/kafka/producer';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabCheck, LabInstance, LabSpec } from '../lab/spec';
import { createTopicWhenReady } from '../../sim/broker/kafka/topic-ready';
import type { ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import type { LabOp, LearnerBehavior } from '../sandbox/learner-node';
import { everyAckedHandled, handledOnce } from './checks';
import { ADMIN_NODE, KAFKA_CONTROLLER, kafkaBrokerNames, kafkaConsumerNodes, producerNodes, type KafkaGroupConfig, type KafkaPlaygroundConfig, type KafkaProducerConfig } from './config';
import { PLAYGROUND_CHAOS_MS, PLAYGROUND_HEAL_MS, Progress, startProducer, type ProducerStartBase } from './common';

/**
 * The Kafka playground: a cluster of the learner's size, their topics, producers and consumer
 * groups, with their code on every producer and consumer node. Producers get `ctx.producer`, a
 * KafkaJS-shaped producer configured from the topology (acks, enable.idempotence), and the
 * playground calls their `produce(start, ctx)` once the topics exist; each consumer node runs a
 * KafkaJS-style consumer of its group whose eachMessage is the learner's `handleMessage`.
 */

/** The header the playground adds to every record so its checks can follow each message. */
export const ID_HEADER = 'brokerlab.id';
/** Messages one `send` may carry. */
const SEND_MESSAGES_MAX = 500;

/**
 * Shorter timeouts than Kafka's defaults, so a run of seconds shows what takes a minute on a real
 * cluster (as the durability lab does): a broker is fenced after 1 s without heartbeats, a
 * follower out of sync for 1 s leaves the ISR, and topics are never created by accident.
 */
const CLUSTER_CONFIG = {
  'broker.heartbeat.interval.ms': 250,
  'broker.session.timeout.ms': 1000,
  'replica.lag.time.max.ms': 1000,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 1000,
  'auto.create.topics.enable': false,
} as const;

/** The producer settings under the learner's acks and idempotence: retries give up after 5 s. */
const PRODUCER_BASE = { 'request.timeout.ms': 1000, 'delivery.timeout.ms': 5000, 'retry.backoff.ms': 100 } as const;

/**
 * The consumer settings besides group.id and enable.auto.commit, on the same compressed scale:
 * sessions of seconds (not 45 s), and a fetch to a broker that crashed is given up after 2 s
 * (not 30 s) so the consumer finds the partition's new leader within the run.
 */
const CONSUMER_BASE = { 'auto.offset.reset': 'earliest', 'session.timeout.ms': 3000, 'heartbeat.interval.ms': 500, 'auto.commit.interval.ms': 1000, 'request.timeout.ms': 2000 } as const;

export const kafkaPlaygroundApi: { readonly [name: string]: ApiNamespace } = {
  producer: {
    kind: 'namespace',
    typeName: 'Producer',
    doc: "This node's Kafka producer, shaped like KafkaJS's. Only producer nodes have one. Its `acks` and `enable.idempotence` come from the topology form.",
    members: {
      send: {
        kind: 'function',
        bridge: 'async',
        params: [{ name: 'record', ts: 'ProducerRecord', check: 'json', doc: '`{ topic, messages: [{ key, value, headers? }] }`: the topic must be one of the topology\'s.' }],
        returns: 'Promise<RecordMetadata[]>',
        doc: 'Sends messages (KafkaJS `producer.send`). Resolves when the broker acknowledged them as `acks` asks (acks=0: at once); rejects when they could not be delivered within delivery.timeout.ms (5 s here).',
      },
    },
  },
};

export const kafkaPlaygroundTypes = `/** A message to send, as KafkaJS takes it (strings here where KafkaJS also takes Buffers). */
export interface ProducerMessage {
  /** Records with the same key go to the same partition (murmur2, as Kafka). null: spread by the sticky partitioner. */
  key?: string | null;
  value: string | null;
  headers?: Record<string, string>;
  /** Send to this partition instead of the one the key chooses. */
  partition?: number;
}

export interface ProducerRecord {
  topic: string;
  messages: ProducerMessage[];
}

/** One entry per partition written, as KafkaJS's send resolves. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  /** Offset of the first message in the partition ('-1' with acks=0). */
  baseOffset: string;
  logAppendTime: string;
  logStartOffset: string;
}

/** What \`produce\` receives on a producer node, from the topology form. */
export interface ProducerStart {
  /** This node (producer-1, producer-2, …). */
  node: string;
  /** 1-based number of this producer node. */
  index: number;
  /** The topic this producer is configured for. */
  topic: string;
  /** How many messages the topology asks this producer to send. */
  messages: number;
  /** Whether the topology asks for keyed records. */
  keyed: boolean;
  acks: 'all' | '1' | '0';
  'enable.idempotence': boolean;
  /** 0 on the first start, then 1, 2, … after each crash and restart of this node. */
  restarts: number;
}

/** A consumed record, as KafkaJS's eachMessage gets it: your handleMessage receives it in \`msg.payload\`. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  /** The consumer group this node belongs to. */
  groupId: string;
  message: {
    key: string | null;
    value: string | null;
    /** Your headers, plus \`brokerlab.id\`: the id the playground gives each message so its checks can follow it. */
    headers: Record<string, string>;
    /** The record's offset in its partition (a string, as KafkaJS gives it). */
    offset: string;
    /** Milliseconds, as a string (CreateTime: the producer's clock). */
    timestamp: string;
  };
}

/** Export \`produce\` to send: the playground calls it once on each producer node when it starts (again after a restart). */
export type ProduceHandler = (start: ProducerStart, ctx: Ctx) => Promise<void>;`;

/** The Kafka playground as a lab the runner can run. */
export function kafkaPlaygroundSpec(config: KafkaPlaygroundConfig): LabSpec {
  const checks: LabCheck[] = [];
  for (const g of config.groups) {
    const who = `group ${g['group.id']}`;
    checks.push({ id: `${g['group.id']}-handled-every-acked`, title: `Group ${g['group.id']} handled every acknowledged message of ${g.topic}`, points: 1, checker: everyAckedHandled({ topic: g.topic, scope: g['group.id'], who }), teaches: 'At-least-once: a message the broker acknowledged is handled by every group that reads its topic.' });
    checks.push({ id: `${g['group.id']}-handled-once`, title: `Group ${g['group.id']} handled each message once`, points: 1, checker: handledOnce({ scope: g['group.id'], who }), teaches: 'A record handled but not committed before a crash or a rebalance is handled again.' });
  }
  return {
    id: 'playground-kafka',
    title: 'Kafka playground',
    topic: 'playground',
    broker: 'kafka',
    objectives: [],
    summary: 'Your topology and your code on a simulated Kafka cluster.',
    seeds: [1],
    chaosMs: PLAYGROUND_CHAOS_MS,
    healMs: PLAYGROUND_HEAL_MS,
    api: kafkaPlaygroundApi,
    apiTypes: kafkaPlaygroundTypes,
    checks,
    hints: [],
    build: (ctx) => buildKafkaPlayground(ctx, config),
  };
}

function buildKafkaPlayground(ctx: LabBuildContext, config: KafkaPlaygroundConfig): LabInstance {
  const { world } = ctx;
  const cluster = KafkaCluster.create(world, { brokers: kafkaBrokerNames(config.brokers), controller: KAFKA_CONTROLLER, config: CLUSTER_CONFIG });
  const brokers = [...cluster.brokerNames];
  const adminNode = world.addNode(ADMIN_NODE, () => ({}));
  const admin = cluster.client(ADMIN_NODE).admin();

  // Every topic is created once the brokers have registered; clients start only then.
  const ready = new SimPromise<void>();
  let created = 0;
  for (const t of config.topics) {
    const configEntries = [{ name: 'min.insync.replicas', value: String(t['min.insync.replicas']) }];
    createTopicWhenReady(admin, adminNode, { topic: t.name, numPartitions: t.partitions, replicationFactor: t.replicationFactor, configEntries }).onSettled((r) => {
      if (r.state === 'rejected') return adminNode.log(`topic ${t.name} could not be created: ${(r.reason as Error).message}`, 'error');
      adminNode.log(`created topic ${t.name}: ${t.partitions} partition${t.partitions === 1 ? '' : 's'}, replication factor ${t.replicationFactor}, min.insync.replicas ${t['min.insync.replicas']}`, 'info');
      if (++created === config.topics.length) ready.resolve();
    });
  }

  const producers = producerNodes(config.producers);
  const consumers = kafkaConsumerNodes(config.groups);
  const progress = new Progress(
    producers.length,
    config.groups.map((g) => ({ scope: g['group.id'], topic: g.topic })),
  );
  const partitionsOf = new Map(config.topics.map((t) => [t.name, t.partitions]));

  for (const p of producers) {
    ctx.learnerNode(p.name, { ops: (node) => producerOps(node, brokers, p.entry, { node: p.name, index: p.index }, ready, partitionsOf, progress) });
  }
  for (const c of consumers) {
    ctx.learnerNode(c.name, { ops: (node) => consumerOps(node, brokers, c.entry, ready, progress) });
  }
  return { converged: () => progress.converged() };
}

/** One incarnation of a producer node: its KafkaJS-style producer and `ctx.producer.send`. */
function producerOps(node: SimNode, brokers: string[], entry: KafkaProducerConfig, who: { node: string; index: number }, ready: SimPromise<void>, partitionsOf: Map<string, number>, progress: Progress): Record<string, LabOp> {
  const kafka = attachKafkaClient(node, brokers);
  let producer: Producer | undefined;
  try {
    producer = new Producer(kafka, { ...PRODUCER_BASE, acks: entry.acks === 'all' ? 'all' : Number(entry.acks) as 0 | 1, 'enable.idempotence': entry['enable.idempotence'] });
  } catch (e) {
    node.log(`the producer could not be made: ${(e as Error).message}`, 'error');
  }
  const connected = producer ? producer.connect() : SimPromise.rejected<void>(new Error('no producer'));
  const start: ProducerStartBase & Record<string, Json> = {
    node: who.node,
    index: who.index,
    topic: entry.topic,
    messages: entry.messages,
    keyed: entry.keyed,
    acks: entry.acks,
    'enable.idempotence': entry['enable.idempotence'],
  };
  startProducer(node, start, progress, (go) => ready.onSettled(() => connected.onSettled((c) => (c.state === 'fulfilled' ? go() : node.log(`the producer could not connect: ${(c.reason as Error).message}`, 'error')))));
  return {
    'producer.send': ([record]) => {
      if (!producer) throw new ApiError('ctx.producer.send: this node has no producer (see the error in the console)');
      const { topic, messages } = checkRecord(record, partitionsOf);
      const ids = messages.map(() => progress.nextId(node.name));
      const withIds: KafkaProducerMessage[] = messages.map((m, i) => ({ ...m, headers: { ...m.headers, [ID_HEADER]: ids[i]! } }));
      messages.forEach((m, i) => node.record(WL.produce, { id: ids[i], topic, key: m.key ?? null }));
      const out = new SimPromise<Json>();
      producer.send({ topic, messages: withIds }).onSettled((r) => {
        if (r.state === 'rejected') return out.reject(new ApiError(`ctx.producer.send: ${(r.reason as Error).message}`));
        for (const id of ids) {
          node.record(WL.ack, { id, topic });
          progress.acked(topic, id);
        }
        out.resolve((r.value as RecordMetadata[]).map((m) => ({ ...m })) as unknown as Json);
      });
      return out;
    },
  };
}

/** Checks a learner's ProducerRecord where it arrives: the host never trusts the sandbox. */
function checkRecord(record: unknown, partitionsOf: Map<string, number>): { topic: string; messages: KafkaProducerMessage[] } {
  const bad = (why: string): never => {
    throw new ApiError(`ctx.producer.send(record): ${why}`, 'TypeError');
  };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) bad('pass { topic, messages: [{ key, value }] }');
  const r = record as { topic?: unknown; messages?: unknown; acks?: unknown };
  if (typeof r.topic !== 'string') bad(`topic must be a string, got ${JSON.stringify(r.topic)}`);
  const topic = r.topic as string;
  const partitions = partitionsOf.get(topic);
  if (partitions === undefined) {
    throw new ApiError(`ctx.producer.send: unknown topic ${JSON.stringify(topic)}; the topology has ${[...partitionsOf.keys()].map((t) => JSON.stringify(t)).join(', ')} (add a topic in the form to use another)`);
  }
  if (r.acks !== undefined) bad('acks comes from the topology form (the producer\'s acks setting), not from each send');
  if (!Array.isArray(r.messages) || r.messages.length === 0) bad('messages must be a non-empty list like [{ key: "c-1", value: "…" }]');
  const list = r.messages as unknown[];
  if (list.length > SEND_MESSAGES_MAX) bad(`at most ${SEND_MESSAGES_MAX} messages per send, got ${list.length}`);
  const messages = list.map((m, i): KafkaProducerMessage => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) bad(`messages[${i}] must be an object like { key: "c-1", value: "…" }`);
    const o = m as { key?: unknown; value?: unknown; headers?: unknown; partition?: unknown };
    if (o.value !== null && typeof o.value !== 'string') bad(`messages[${i}].value must be a string or null (JSON.stringify objects), got ${JSON.stringify(o.value) ?? typeof o.value}`);
    if (o.key !== undefined && o.key !== null && typeof o.key !== 'string') bad(`messages[${i}].key must be a string or null, got ${JSON.stringify(o.key)}`);
    let headers: Record<string, string> | undefined;
    if (o.headers !== undefined) {
      if (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers) || !Object.values(o.headers).every((v) => typeof v === 'string')) bad(`messages[${i}].headers must be an object of strings`);
      headers = { ...(o.headers as Record<string, string>) };
    }
    if (o.partition !== undefined && (!Number.isInteger(o.partition) || (o.partition as number) < 0 || (o.partition as number) >= partitions)) {
      bad(`messages[${i}].partition must be a partition of ${topic}, 0 to ${partitions - 1}, got ${JSON.stringify(o.partition)}`);
    }
    return { key: (o.key as string | null | undefined) ?? null, value: o.value as string | null, ...(headers ? { headers } : {}), ...(o.partition !== undefined ? { partition: o.partition as number } : {}) };
  });
  return { topic, messages };
}

/** One incarnation of a consumer node: a member of its group whose eachMessage is the learner's handleMessage. */
function consumerOps(node: SimNode, brokers: string[], group: KafkaGroupConfig, ready: SimPromise<void>, progress: Progress): Record<string, LabOp> {
  const kafka = attachKafkaClient(node, brokers);
  const groupId = group['group.id'];
  const incarnation = node.incarnation;
  const start = (): void => {
    if (node.incarnation !== incarnation || node.state === 'crashed') return;
    const consumer = new Consumer(kafka, { ...CONSUMER_BASE, 'group.id': groupId, 'enable.auto.commit': group['enable.auto.commit'] });
    void consumer.connect();
    void consumer.subscribe({ topic: group.topic, fromBeginning: true });
    void consumer.run({ eachMessage: (payload) => handToLearner(node, consumer, groupId, payload, progress) });
  };
  // The sandbox of this incarnation exists once the boot that built these ops has finished.
  node.setTimer(0, () => ready.onSettled(start));
  return {};
}

/**
 * KafkaJS's eachMessage on a learner node: the record goes to handleMessage, `ctx.commit(msg)`
 * commits the offset after it, and the returned promise settles when the handler has finished —
 * rejected when it threw, so the consumer retries the record after retry.backoff.ms, as KafkaJS does.
 */
function handToLearner(node: SimNode, consumer: Consumer, groupId: string, { topic, partition, message }: EachMessagePayload, progress: Progress): SimPromise<void> {
  const done = new SimPromise<void>();
  const learner = node.peek<LearnerBehavior>();
  if (!learner) return done;
  const id = message.headers[ID_HEADER] ?? `${topic}/${partition}@${message.offset}`;
  node.record(WL.deliver, { id, scope: groupId, topic, partition, offset: Number(message.offset) });
  const payload = { topic, partition, groupId, message: { key: message.key, value: message.value, headers: { ...message.headers }, offset: message.offset, timestamp: message.timestamp } };
  learner.deliverLocal(
    [
      {
        payload: payload as unknown as Json,
        from: `${topic}/${partition}`,
        sentAtMs: Number(message.timestamp),
        commit: () => consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]),
      },
    ],
    (failed) => {
      if (failed > 0) return done.reject(new Error(`handleMessage failed on ${topic}/${partition} offset ${message.offset}`));
      node.record(WL.effect, { id, scope: groupId });
      progress.handled(groupId, id);
      done.resolve();
    },
  );
  return done;
}
