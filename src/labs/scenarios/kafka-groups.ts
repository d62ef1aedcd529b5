import { Consumer, type ConsumerEvent } from '../../sim/broker/kafka/consumer';
import { CONSUMER_CONFIG, type ConfigInput } from '../../sim/broker/kafka/config';
import { KafkaCluster, attachKafkaClient } from '../../sim/broker/kafka/kafka';
import { Producer } from '../../sim/broker/kafka/producer';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import { ServiceClient } from '../lab/service-client';
import type { ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import { LearnerKinds } from '../sandbox/kinds';
import type { LabOp, LearnerBehavior } from '../sandbox/learner-node';
import { isWire, type Wire } from '../sandbox/wire';
import { billingApi, billingTypes, orderToLearner } from './kafka-billing';
import { createTopicWhenReady } from '../../sim/broker/kafka/topic-ready';

/**
 * The billing story of the delivery labs, grown into a consumer group: several billing nodes run
 * the learner's code, each inside one Kafka consumer of the group `billing`, and share the
 * `orders` partitions. A third billing node is deployed mid-run (a scale-out) and one node
 * crashes and restarts, so partitions move between nodes. The learner also chooses the group's
 * consumer settings (`consumerConfig()`), above all `partition.assignment.strategy`: eager
 * assignors stop every partition of every member at each rebalance; cooperative-sticky stops only
 * the partitions that move.
 */

export const groupsApi: { readonly [name: string]: ApiNamespace } = billingApi;

/** Consumer settings the learner may choose (the lab sets the rest: group.id, no auto-commit, earliest). */
export const LEARNER_CONSUMER_KEYS = ['partition.assignment.strategy', 'group.instance.id', 'session.timeout.ms', 'heartbeat.interval.ms', 'max.poll.records'] as const;

export const groupsTypes = `${billingTypes}

/** The consumer settings your \`consumerConfig(node)\` returns, under Kafka's names. */
export interface ConsumerSettings {
  /** Assignors in order of preference: 'range', 'roundrobin', 'sticky' (eager) or 'cooperative-sticky'. The group uses the first one every member lists. */
  'partition.assignment.strategy'?: ('range' | 'roundrobin' | 'sticky' | 'cooperative-sticky')[];
  /** Static membership: a stable id per node; a restart within session.timeout.ms keeps its partitions without a rebalance. */
  'group.instance.id'?: string;
  /** The coordinator removes a member not heard from for this long (this lab: 3000, at least 1000). */
  'session.timeout.ms'?: number;
  /** How often the consumer heartbeats (this lab: 500). */
  'heartbeat.interval.ms'?: number;
  /** Records handed to your handler per poll. */
  'max.poll.records'?: number;
}`;

export interface GroupsOptions {
  /** Orders the shop produces, one every `orderEveryMs` on average, from `startMs`. */
  orders: number;
  startMs: number;
  orderEveryMs: number;
  partitions: number;
  /** Billing nodes and when each one starts its consumer (ms): a later start is a scale-out. */
  billers: { name: string; startMs: number }[];
}

export const GROUP = 'billing';
export const ORDERS_TOPIC = 'orders';
/** What a billing node records when its consumer starts rejoining the group: `{ member, owned }`. */
export const REBALANCING_KIND = 'billing.rebalancing';

/** The lab's consumer settings; the learner's `consumerConfig()` may change LEARNER_CONSUMER_KEYS. */
const CONSUMER_BASE = {
  'group.id': GROUP,
  'enable.auto.commit': false,
  'auto.offset.reset': 'earliest',
  'session.timeout.ms': 3000,
  'heartbeat.interval.ms': 500,
} as const;

/** Building and signing a charge on the billing node, then the provider's answer after it charged. */
const PREPARE_US = { min: 15_000, max: 25_000 };
const PROVIDER_REPLY_US = { min: 10_000, max: 20_000 };

export function buildGroupsScenario(ctx: LabBuildContext, opts: GroupsOptions): LabInstance {
  const { world } = ctx;
  // Sessions of a few seconds (Kafka's minimum is 6 s) so a crashed member is noticed within the run.
  const cluster = KafkaCluster.create(world, { brokers: 3, config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 1000, 'auto.create.topics.enable': false } });
  const brokers = [...cluster.brokerNames];
  const ready = createTopicWhenReady(cluster.client('admin').admin(), world.node('admin'), { topic: ORDERS_TOPIC, numPartitions: opts.partitions, replicationFactor: 3 });

  // What the heal phase waits for: every acknowledged order charged (counted as either side happens).
  let settled = 0;
  const acked = new Set<string>();
  const charged = new Set<string>();
  let ackedCharged = 0;
  world.addNode('payments', (node) =>
    providerBehavior(node, (orderId) => {
      if (charged.has(orderId)) return;
      charged.add(orderId);
      if (acked.has(orderId)) ackedCharged++;
    }),
  );

  // The shop: one order every orderEveryMs on average, keyed by customer.
  const shop = world.addNode('shop', () => ({}));
  ready.onSettled(() => {
    const producer = new Producer(attachKafkaClient(shop, brokers), { acks: 'all' });
    let n = 0;
    const next = (): void => {
      if (n >= opts.orders) return;
      n++;
      const orderId = `o-${n}`;
      const customer = `c-${shop.rng.int(1, 30)}`;
      const order = { orderId, amountCents: 100 * shop.rng.int(5, 120) };
      shop.record(WL.produce, { id: orderId, key: customer });
      producer.send({ topic: ORDERS_TOPIC, messages: [{ key: customer, value: JSON.stringify(order) }] }).onSettled((p) => {
        settled++;
        if (p.state !== 'fulfilled') return;
        shop.record(WL.ack, { id: orderId });
        acked.add(orderId);
        if (charged.has(orderId)) ackedCharged++;
      });
      shop.setTimer(Math.round(opts.orderEveryMs * 1000 * (0.5 + shop.rng.next())), next);
    };
    producer.connect().onSettled(() => shop.setTimer(Math.max(0, opts.startMs * 1000 - shop.nowUs), next));
  });

  let topicReady = false;
  ready.onSettled(() => void (topicReady = true));
  for (const b of opts.billers) ctx.learnerNode(b.name, { ops: (node) => billerOps(node, brokers, b.startMs, () => topicReady) });

  // A monitor samples the group's lag from the cluster's own view, as an operator's dashboard would.
  world.addNode('monitor', (node) => {
    const sample = (): void => {
      const group = cluster.inspect().groups.find((g) => g.groupId === GROUP);
      if (group) node.record(WL.lag, { consumer: GROUP, lag: group.offsets.reduce((a, o) => a + Math.max(0, o.lag), 0) });
      node.setTimer(250_000, sample);
    };
    node.setTimer(250_000, sample);
    return {};
  });
  // The heal phase ends once the shop has heard back about every order and each acknowledged one was charged.
  return { converged: () => settled >= opts.orders && ackedCharged >= acked.size };
}

/** The payment provider: it charges a card once per idempotency key, as Stripe does. */
function providerBehavior(node: SimNode, onCharged: (orderId: string) => void) {
  const charged = new Map<string, string>();
  let chargeSeq = 0;
  return {
    onMessage(payload: unknown, env: { from: string }) {
      if (!isWire(payload) || payload.wire !== 'request') return;
      const body = payload.body as { orderId: string; amountCents: number; idempotencyKey?: string };
      const key = body.idempotencyKey;
      const previous = key === undefined ? undefined : charged.get(key);
      let reply: Json;
      if (previous !== undefined) reply = { chargeId: previous, replayed: true };
      else {
        const chargeId = `ch_${++chargeSeq}`;
        if (key !== undefined) charged.set(key, chargeId);
        node.record(WL.effect, { id: body.orderId, key: body.orderId, amountCents: body.amountCents, chargeId });
        onCharged(body.orderId);
        reply = { chargeId, replayed: false };
      }
      // The card is charged now; the provider's answer takes a while to come back.
      node.setTimer(node.rng.int(PROVIDER_REPLY_US.min, PROVIDER_REPLY_US.max), () => node.send(env.from, { wire: 'response', id: payload.id, ok: true, body: reply } satisfies Wire));
    },
  };
}

/**
 * One incarnation of a billing node: once its start time has come, it asks the learner's code for
 * its consumer settings, then runs a Kafka consumer whose eachMessage is the learner's handleMessage.
 */
function billerOps(node: SimNode, brokers: string[], startMs: number, topicReady: () => boolean): Record<string, LabOp> {
  const kafka = attachKafkaClient(node, brokers);
  const rpc = new ServiceClient(node);
  node.addReceiver((payload, env) => rpc.receive(payload, env));
  const problem = (text: string): void => node.record(LearnerKinds.error, { handler: 'consumerConfig', kind: 'threw', name: 'KafkaConfigError', message: text, text });

  const start = (): void => {
    if (!topicReady()) return void node.setTimer(100_000, start);
    const sb = node.peek<LearnerBehavior>()?.sandbox;
    if (!sb) return;
    sb.invoke('consumerConfig', node.name, (r) => {
      if (!r.ok) return void (r.reported || problem(r.problem.text));
      const chosen = r.value;
      if (chosen !== undefined && chosen !== null && (typeof chosen !== 'object' || Array.isArray(chosen))) {
        return problem(`consumerConfig() must return an object of consumer settings like { 'partition.assignment.strategy': ['cooperative-sticky'] }; it returned ${JSON.stringify(chosen)}`);
      }
      const settings = (chosen ?? {}) as Record<string, unknown>;
      const other = Object.keys(settings).filter((k) => !(LEARNER_CONSUMER_KEYS as readonly string[]).includes(k));
      if (other.length > 0) return problem(`consumerConfig(): this lab sets ${other.map((k) => JSON.stringify(k)).join(', ')} itself; you may set ${LEARNER_CONSUMER_KEYS.join(', ')}`);
      let consumer: Consumer;
      try {
        consumer = new Consumer(kafka, { ...CONSUMER_BASE, ...(settings as ConfigInput<typeof CONSUMER_CONFIG>) });
      } catch (e) {
        return problem((e as Error).message);
      }
      runConsumer(node, consumer);
    });
  };
  node.setTimer(Math.max(0, startMs * 1000 - node.nowUs), start);

  return {
    'payments.charge': (args) => {
      const [orderId, amountCents, idempotencyKey] = args as [string, unknown, string | undefined];
      if (typeof amountCents !== 'number' || !Number.isInteger(amountCents) || amountCents <= 0) {
        throw new ApiError(`ctx.payments.charge(orderId, amountCents): amountCents must be a positive whole number of cents, got ${JSON.stringify(amountCents)}`, 'TypeError');
      }
      const result = new SimPromise<Json>();
      // Building and signing the request happens here, on the billing node: a crash now loses it.
      node.setTimer(node.rng.int(PREPARE_US.min, PREPARE_US.max), () => {
        rpc.call('payments', { orderId, amountCents, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }).onSettled((r) => {
          if (r.state === 'fulfilled') result.resolve(r.value as Json);
          else result.reject(new ApiError(`ctx.payments.charge: ${(r.reason as Error).message}`));
        });
      });
      return result;
    },
  };
}

/** Joins the group and hands each record to the learner's handleMessage, one at a time (KafkaJS's eachMessage). */
function runConsumer(node: SimNode, consumer: Consumer): void {
  // The moment a member starts rejoining, and what it owned: a checker compares it with what it gets back.
  const rebalancing: ConsumerEvent = 'consumer.rebalancing';
  consumer.on(rebalancing, () => node.record(REBALANCING_KIND, { member: consumer.member, owned: consumer.assignment().map((p) => [p.topic, p.partition]) }));
  void consumer.connect();
  void consumer.subscribe({ topic: ORDERS_TOPIC, fromBeginning: true });
  void consumer.run({
    eachMessage: orderToLearner(node, consumer),
  });
}
