import { Consumer, type EachMessagePayload } from '../../sim/broker/kafka/consumer';
import { KafkaCluster, attachKafkaClient } from '../../sim/broker/kafka/kafka';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import { ServiceClient } from '../lab/service-client';
import { createTopicWhenReady } from '../../sim/broker/kafka/topic-ready';
import type { ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import type { LabOp, LearnerBehavior } from '../sandbox/learner-node';
import { isWire, type Wire } from '../sandbox/wire';

/**
 * The billing story shared by the delivery labs: a shop produces orders to a Kafka topic; the
 * learner's `billing` service consumes them (its code runs inside the Kafka consumer, as
 * eachMessage) and charges each order through a payment provider. Charging takes time on the
 * billing node first (building and signing the request), so a crash mid-order usually lands before
 * the provider hears of it.
 */
export const billingApi: { readonly [name: string]: ApiNamespace } = {
  payments: {
    kind: 'namespace',
    typeName: 'Payments',
    doc: 'The payment provider. Charging takes simulated time: about 20 ms on this node to build and sign the request, then the provider charges the card and its answer takes 10–20 ms to come back.',
    members: {
      charge: {
        kind: 'function',
        bridge: 'async',
        params: [
          { name: 'orderId', ts: 'string', check: 'string', doc: 'The order to charge.' },
          { name: 'amountCents', ts: 'number', check: 'json', doc: 'How much, in cents.' },
          {
            name: 'idempotencyKey',
            ts: 'string',
            check: 'string',
            optional: true,
            doc: 'A key the provider remembers: a second charge with the same key returns the first result instead of charging again.',
          },
        ],
        returns: 'Promise<{ chargeId: string; replayed: boolean }>',
        doc: 'Charges an order. Resolves when the provider has charged it; a crash before then may or may not have reached the provider.',
      },
    },
  },
};

/** What the learner's `handleMessage` receives as `msg.payload` for each Kafka record. */
export interface OrderRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  order: { orderId: string; amountCents: number };
}

export interface BillingOptions {
  /** Orders the shop produces, one every `orderEveryMs`. */
  orders: number;
  orderEveryMs: number;
  partitions: number;
  /** Billing nodes running the learner's code (one consumer each, one group). */
  billers: string[];
  /** Consumer configuration on top of the lab's defaults (Kafka's names). */
  consumerConfig?: Record<string, string | number | boolean>;
}

/** Building and signing a charge on the billing node, then the provider's answer after it charged. */
const PREPARE_US = { min: 15_000, max: 25_000 };
const PROVIDER_REPLY_US = { min: 10_000, max: 20_000 };

/** Builds the cluster, the shop, the payment provider, the billers and a lag monitor. */
export function buildBillingScenario(ctx: LabBuildContext, opts: BillingOptions): LabInstance {
  const { world } = ctx;
  // No initial rebalance delay (Kafka's default is 3 s, meant for many members starting at once):
  // the lab's one-member group should start consuming as soon as it joins.
  const cluster = KafkaCluster.create(world, { brokers: 3, config: { 'group.initial.rebalance.delay.ms': 0 } });
  const brokers = [...cluster.brokerNames];
  const admin = cluster.client('admin').admin();
  // Clients start only once the topic exists: asking earlier would auto-create it with defaults.
  const ready = createTopicWhenReady(admin, world.node('admin'), { topic: 'orders', numPartitions: opts.partitions, replicationFactor: 3 });

  // The payment provider remembers idempotency keys, as real providers do (Stripe keeps them 24 h).
  const charged = new Map<string, string>();
  let chargeSeq = 0;
  world.addNode('payments', (node) => ({
    onMessage(payload, env) {
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
        reply = { chargeId, replayed: false };
      }
      // The card is charged now; the provider's answer takes a while to come back.
      node.setTimer(node.rng.int(PROVIDER_REPLY_US.min, PROVIDER_REPLY_US.max), () => node.send(env.from, { wire: 'response', id: payload.id, ok: true, body: reply } satisfies Wire));
    },
  }));

  // The shop: one order every orderEveryMs once the topic exists, keyed by customer.
  const shop = cluster.client('shop');
  const shopNode = world.node('shop');
  ready.onSettled(() => {
    const producer = shop.producer({ acks: 'all', 'enable.idempotence': true });
    const connected = producer.connect();
    let n = 0;
    const next = (): void => {
      if (n >= opts.orders) return;
      n++;
      const orderId = `o-${n}`;
      const customer = `c-${shopNode.rng.int(1, 12)}`;
      const order = { orderId, amountCents: 100 * shopNode.rng.int(5, 120) };
      shopNode.record(WL.produce, { id: orderId, key: customer });
      producer.send({ topic: 'orders', messages: [{ key: customer, value: JSON.stringify(order) }] }).onSettled((p) => {
        if (p.state === 'fulfilled') shopNode.record(WL.ack, { id: orderId });
      });
      // Orders arrive irregularly (half to one and a half times the mean gap), as customers do.
      shopNode.setTimer(Math.round(opts.orderEveryMs * 1000 * (0.5 + shopNode.rng.next())), next);
    };
    connected.onSettled(() => shopNode.setTimer(200_000, next));
  });

  for (const name of opts.billers) ctx.learnerNode(name, { ops: (node) => billerOps(node, brokers, opts, ready) });

  // A monitor samples the group's lag from the cluster's own view, as an operator's dashboard would.
  world.addNode('monitor', (node) => {
    const sample = (): void => {
      const group = cluster.inspect().groups.find((g) => g.groupId === 'billing');
      if (group) node.record(WL.lag, { consumer: 'billing', lag: group.offsets.reduce((a, o) => a + Math.max(0, o.lag), 0) });
      node.setTimer(250_000, sample);
    };
    node.setTimer(250_000, sample);
    return {};
  });
  return {};
}

/** One incarnation of a biller: a Kafka consumer on the node whose eachMessage is the learner's handleMessage. */
function billerOps(node: SimNode, brokers: string[], opts: BillingOptions, ready: SimPromise<void>): Record<string, LabOp> {
  // The Kafka client takes its own responses (it attaches a receiver); the payment client takes its own.
  const kafka = attachKafkaClient(node, brokers);
  const rpc = new ServiceClient(node);
  node.addReceiver((payload, env) => rpc.receive(payload, env));
  const consumer = new Consumer(kafka, {
    'group.id': 'billing',
    'group.instance.id': node.name,
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 1000,
    ...opts.consumerConfig,
  });
  // Start consuming once the topic exists and this incarnation's sandbox does (the behaviour is
  // built after the ops); a crash in between ends this incarnation, and its consumer with it.
  const incarnation = node.incarnation;
  const start = (): void => {
    if (node.incarnation !== incarnation || node.state === 'crashed') return;
    consumer.connect();
    consumer.subscribe({ topic: 'orders', fromBeginning: true });
    consumer.run({
      eachMessage: orderToLearner(node, consumer),
    });
  };
  node.setTimer(0, () => ready.onSettled(start));
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

/** The `.d.ts` text for the records the billing labs hand to `handleMessage`. */
export const billingTypes = `/** One Kafka record of the \`orders\` topic, as your handleMessage receives it in \`msg.payload\`. */
export interface OrderRecord {
  topic: string;
  partition: number;
  /** The record's offset in its partition (a string, as KafkaJS gives it). */
  offset: string;
  /** The customer id the shop used as the record's key. */
  key: string | null;
  order: { orderId: string; amountCents: number };
}`;

/** Five crashes of the billing node during the chaos phase, each followed by a restart 400 ms later. */
export const billingCrashes = [1_700, 3_600, 5_300, 7_100, 8_900].flatMap((at) => [
  { at, kind: 'crash', node: 'billing' },
  { at: at + 400, kind: 'restart', node: 'billing' },
]);

/**
 * KafkaJS's eachMessage for an `orders` consumer on a learner node: hands each record to the
 * learner's handleMessage as an OrderRecord, with a commit of the offset after it, and settles when
 * the handler has finished, so the consumer takes the next record only then.
 */
export function orderToLearner(node: SimNode, consumer: Consumer): (payload: EachMessagePayload) => SimPromise<void> {
  return ({ topic, partition, message }) => {
    const done = new SimPromise<void>();
    const learner = node.peek<LearnerBehavior>();
    if (!learner) return done;
    let order: OrderRecord['order'];
    try {
      order = JSON.parse(message.value ?? 'null');
    } catch {
      done.resolve();
      return done;
    }
    const payload: OrderRecord = { topic, partition, offset: message.offset, key: message.key, order };
    learner.deliverLocal(
      [
        {
          payload: payload as unknown as Json,
          from: `${topic}/${partition}`,
          sentAtMs: Number(message.timestamp),
          commit: () => consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]),
        },
      ],
      () => done.resolve(),
    );
    return done;
  };
}
