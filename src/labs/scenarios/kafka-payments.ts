import { Admin } from '../../sim/broker/kafka/admin';
import type { Consumer } from '../../sim/broker/kafka/consumer';
import { KafkaCluster, attachKafkaClient } from '../../sim/broker/kafka/kafka';
import { Producer, type ProducerConfigInput } from '../../sim/broker/kafka/producer';
import { applyFault, type Fault } from '../../sim/network/faults';
import type { SimNode } from '../../sim/node';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import { LearnerKinds } from '../sandbox/kinds';
import type { LearnerBehavior } from '../sandbox/learner-node';
import { createTopicWhenReady } from '../../sim/broker/kafka/topic-ready';

/**
 * The durability story: a checkout service records every payment in the Kafka topic `payments`
 * (one partition, so every record can be followed) before it tells the customer "paid". The
 * learner's code chooses the topic's replication settings (`topicConfig()`) and the producer's
 * (`producerConfig()`); the lab's nemesis then hurts the partition's leader and followers in turn.
 * After the run an auditor reads the partition from the beginning: a payment that was
 * acknowledged and is not in the log was lost.
 */

/** What the learner's `topicConfig()` returns. */
export interface TopicSettings {
  replicationFactor: number;
  config?: Record<string, string | number | boolean>;
}

export const paymentsTypes = `/** The \`payments\` topic, as your \`topicConfig()\` returns it. It has one partition. */
export interface TopicSettings {
  /** How many brokers hold a copy of the partition (the cluster has 3). */
  replicationFactor: number;
  /** Topic configs under Kafka's names, e.g. { 'min.insync.replicas': 1 }. Others keep Kafka's defaults. */
  config?: {
    'min.insync.replicas'?: number;
    'unclean.leader.election.enable'?: boolean;
    [name: string]: string | number | boolean | undefined;
  };
}

/** The checkout service's Kafka producer settings, as your \`producerConfig()\` returns them (Kafka's names). */
export interface ProducerSettings {
  /** 0: do not wait; 1: the leader has written it; 'all' (or -1): every in-sync replica has it. */
  acks?: 'all' | -1 | 0 | 1;
  'enable.idempotence'?: boolean;
  'request.timeout.ms'?: number;
  'delivery.timeout.ms'?: number;
  'retry.backoff.ms'?: number;
  [name: string]: string | number | boolean | undefined;
}`;

export const CHECKOUT_NODE = 'checkout';
export const PAYMENTS_TOPIC = 'payments';
const AUDITOR_NODE = 'auditor';
const AUDIT_POLL_US = 250_000;

/**
 * The lab's producer settings before the learner's: a request the broker does not answer within a
 * second is retried (on the new leader, once there is one), and a payment is given up after 5 s.
 */
const PRODUCER_DEFAULTS: ProducerConfigInput = { 'request.timeout.ms': 1000, 'delivery.timeout.ms': 5000, 'retry.backoff.ms': 100 };

export interface PaymentsOptions {
  /** The checkout records a payment every `paymentEveryMs` (on average) from `startMs` to `stopMs`. */
  startMs: number;
  stopMs: number;
  paymentEveryMs: number;
  /** The nemesis: when each step happens (ms). */
  nemesis: NemesisTimes;
  /** When the auditor reads the partition (ms; in the heal phase, once everything has recovered). */
  auditAtMs: number;
}

export interface NemesisTimes {
  /** The leader is cut off from its followers, then crashes, then restarts. */
  isolateLeaderMs: number;
  crashLeaderMs: number;
  restartLeaderMs: number;
  /** One follower of the new leader is cut off from the other two brokers (it still reaches the controller). */
  isolateFollowerMs: number;
  /** The other follower crashes: the leader is the only in-sync replica left. */
  crashFollowerMs: number;
  /** Then the leader crashes, the cut-off follower is reachable again, and the two crashed brokers restart. */
  crashLastLeaderMs: number;
  restartAllMs: number;
}

/**
 * The cluster runs with shorter timeouts than Kafka's defaults so that a run of a few seconds shows
 * what takes half a minute on a real cluster: a broker is fenced after 1 s without heartbeats
 * (default 9 s), a follower that has not caught up for 1 s leaves the ISR (default 30 s), and the
 * OS writes dirty pages back after 1 s (Linux: 30 s).
 */
const CLUSTER_CONFIG = {
  'broker.heartbeat.interval.ms': 250,
  'broker.session.timeout.ms': 1000,
  'replica.lag.time.max.ms': 1000,
  'group.initial.rebalance.delay.ms': 0,
  'auto.create.topics.enable': false,
} as const;

export function buildPaymentsScenario(ctx: LabBuildContext, opts: PaymentsOptions): LabInstance {
  const { world } = ctx;
  const cluster = KafkaCluster.create(world, { brokers: 3, config: CLUSTER_CONFIG, pageCache: { writebackIntervalMs: 250, dirtyExpireMs: 1000 } });
  const brokers = [...cluster.brokerNames];
  const checkout = ctx.learnerNode(CHECKOUT_NODE);
  const auditor = cluster.client(AUDITOR_NODE);
  const auditorNode = world.node(AUDITOR_NODE);
  let audited = false;
  const payments = { pending: 0 };

  const problem = (handler: string, text: string): void => {
    checkout.record(LearnerKinds.error, { handler, kind: 'threw', name: 'KafkaConfigError', message: text, text });
  };

  /** Calls one of the learner's config functions; undefined (and an error in the history) if it fails. */
  const config = <T>(handler: string, done: (value: T | undefined) => void): void => {
    const sb = checkout.peek<LearnerBehavior>()?.sandbox;
    if (!sb) return done(undefined);
    sb.invoke(handler, null, (r) => {
      if (!r.ok) {
        if (!r.reported) problem(handler, r.problem.text);
        return done(undefined);
      }
      done(r.value as T);
    });
  };

  // At time zero, ask the learner's code for the topic's settings, create the topic, then the producer.
  checkout.setTimer(0, () =>
    config<TopicSettings>('topicConfig', (topic) => {
      if (topic === undefined) return;
      const admin = attachKafkaClient(checkout, brokers);
      let configEntries: { name: string; value: string }[];
      if (typeof topic !== 'object' || topic === null || !Number.isInteger(topic.replicationFactor) || topic.replicationFactor < 1 || topic.replicationFactor > brokers.length) {
        return problem('topicConfig', `topicConfig() must return { replicationFactor, config? } with a replicationFactor from 1 to ${brokers.length} (the cluster has ${brokers.length} brokers); it returned ${JSON.stringify(topic)}`);
      }
      try {
        configEntries = Object.entries(topic.config ?? {}).map(([name, value]) => ({ name, value: String(value) }));
      } catch {
        return problem('topicConfig', 'topicConfig(): config must be an object of Kafka topic configs, like { "min.insync.replicas": 2 }');
      }
      createTopicWhenReady(new Admin(admin), checkout, { topic: PAYMENTS_TOPIC, numPartitions: 1, replicationFactor: topic.replicationFactor, configEntries }).onSettled((created) => {
        if (created.state === 'rejected') return problem('topicConfig', `the payments topic could not be created: ${(created.reason as Error).message}`);
        config<ProducerConfigInput>('producerConfig', (settings) => {
          if (settings === undefined) return;
          let producer: Producer;
          try {
            producer = new Producer(attachKafkaClient(checkout, brokers), { ...PRODUCER_DEFAULTS, ...(settings as object) });
          } catch (e) {
            return problem('producerConfig', (e as Error).message);
          }
          producer.connect().onSettled((c) => {
            if (c.state === 'rejected') return problem('producerConfig', `the producer could not connect: ${(c.reason as Error).message}`);
            startPayments(checkout, producer, opts, payments);
          });
        });
      });
    }),
  );

  scheduleNemesis(world, cluster, opts.nemesis);

  // The auditor reads the whole partition once the cluster has healed and the checkout has heard
  // back about every payment (acknowledged or given up): what is in the log then survived.
  const audit = (): void => {
    if (payments.pending > 0) return void auditorNode.setTimer(AUDIT_POLL_US, audit);
    const end = cluster.inspect().partitions.find((p) => p.topic === PAYMENTS_TOPIC)?.highWatermark ?? 0;
    if (end <= 0) return void (audited = true);
    const consumer: Consumer = auditor.consumer({ 'group.id': 'audit', 'auto.offset.reset': 'earliest', 'enable.auto.commit': false });
    void consumer.connect();
    void consumer.subscribe({ topic: PAYMENTS_TOPIC, fromBeginning: true });
    const seen = new Set<string>();
    void consumer.run({
      eachMessage: ({ message }) => {
        const id = message.value ?? '';
        if (!seen.has(id)) {
          seen.add(id);
          auditorNode.record(WL.effect, { id, offset: Number(message.offset) });
        }
        if (Number(message.offset) >= end - 1) audited = true;
      },
    });
  };
  auditorNode.setTimer(opts.auditAtMs * 1000, audit);

  return { converged: () => audited };
}

/** The checkout: one payment every `paymentEveryMs` on average, each acknowledged (or not) by Kafka. */
function startPayments(node: SimNode, producer: Producer, opts: PaymentsOptions, payments: { pending: number }): void {
  const rng = node.rng.fork('payments:workload');
  let n = 0;
  const next = (): void => {
    if (node.nowUs >= opts.stopMs * 1000) return;
    const id = `pay-${++n}`;
    node.record(WL.produce, { id });
    payments.pending++;
    producer.send({ topic: PAYMENTS_TOPIC, messages: [{ key: null, value: id }] }).onSettled((p) => {
      payments.pending--;
      if (p.state === 'fulfilled') node.record(WL.ack, { id });
    });
    node.setTimer(Math.round(opts.paymentEveryMs * 1000 * (0.5 + rng.next())), next);
  };
  node.setTimer(Math.max(0, opts.startMs * 1000 - node.nowUs), next);
}

/**
 * The nemesis hurts roles, not fixed brokers: which broker leads the partition depends on the
 * seed (replica placement starts at a random broker, as in Kafka). Each step looks at the cluster
 * at its time and applies ordinary faults, recorded in the history like any other.
 */
function scheduleNemesis(world: LabBuildContext['world'], cluster: KafkaCluster, t: NemesisTimes): void {
  const at = (ms: number, fn: () => void): void => void world.kernel.at(ms * 1000, fn);
  const apply = (f: Record<string, unknown>): void => applyFault(world, { atUs: world.nowUs, ...f } as Fault);
  const partition = (): { leader: string | null; followers: string[] } => {
    const p = cluster.inspect().partitions.find((x) => x.topic === PAYMENTS_TOPIC);
    if (!p) return { leader: null, followers: [] };
    return { leader: p.leader, followers: p.replicas.map((r) => r.broker).filter((b) => b !== p.leader) };
  };
  let first: { leader: string | null; followers: string[] } = { leader: null, followers: [] };
  let second: { leader: string | null; followers: string[] } = { leader: null, followers: [] };

  // 1. The leader is cut off from its followers while clients still reach it, then crashes.
  at(t.isolateLeaderMs, () => {
    first = partition();
    if (first.leader !== null && first.followers.length > 0) apply({ kind: 'partition', groups: [[first.leader], first.followers], oneWay: false });
  });
  at(t.crashLeaderMs, () => {
    if (first.leader === null) return;
    apply({ kind: 'crash', node: first.leader });
    apply({ kind: 'heal' });
  });
  at(t.restartLeaderMs, () => first.leader !== null && apply({ kind: 'restart', node: first.leader }));

  // 2. One follower of the new leader is cut off from the other brokers (it still reaches the controller).
  at(t.isolateFollowerMs, () => {
    second = partition();
    const [cutOff] = second.followers;
    if (second.leader !== null && cutOff !== undefined) apply({ kind: 'partition', groups: [[cutOff], [second.leader, ...second.followers.slice(1)]], oneWay: false });
  });
  // 3. The other follower crashes: the leader is the only in-sync replica left.
  at(t.crashFollowerMs, () => {
    const other = second.followers[1];
    if (other !== undefined) apply({ kind: 'crash', node: other });
  });
  // 4. The leader crashes; the cut-off follower can be reached again.
  at(t.crashLastLeaderMs, () => {
    if (second.leader !== null) apply({ kind: 'crash', node: second.leader });
    apply({ kind: 'heal' });
  });
  at(t.restartAllMs, () => {
    for (const b of [second.leader, second.followers[1]]) if (b && world.node(b).state === 'crashed') apply({ kind: 'restart', node: b });
  });
}
