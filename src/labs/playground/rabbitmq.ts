import { RabbitCluster, type Channel, type ConfirmChannel, type Message as AmqpMessage } from '../../sim/broker/amqp';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabCheck, LabInstance, LabSpec } from '../lab/spec';
import { AmqpApp, amqpTypes, channelNamespace, hostChannel, messageJson } from '../scenarios/amqp-app';
import type { ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import type { LabOp } from '../sandbox/learner-node';
import { everyAckedHandled, handledOnce } from './checks';
import { PLAYGROUND_CHAOS_MS, PLAYGROUND_HEAL_MS, Progress, startProducer } from './common';
import { ADMIN_NODE, producerNodes, rabbitConsumerNodes, rabbitNodeNames, routingKeyList, type RabbitConsumerConfig, type RabbitPlaygroundConfig, type RabbitProducerConfig } from './config';

/**
 * The RabbitMQ playground: nodes of the learner's cluster, their exchanges, queues and bindings
 * (declared by an `admin` client before anything else starts), and their code on every producer
 * and consumer node through `ctx.channel`, a channel shaped like amqplib's. Producers' channels
 * are in confirm mode, so a publish counts as acknowledged once the broker confirms it; each
 * consumer node consumes its queue with the topology's prefetch and ack mode and hands every
 * delivery to the learner's `handleMessage`.
 */

/** The header the playground adds to every published message so its checks can follow it. */
export const ID_HEADER = 'brokerlab.id';
/** How long a host channel the broker closed waits before it is reopened. */
const REOPEN_US = 200_000;

const channelDoc =
  "Your channel to RabbitMQ, shaped like amqplib's Channel. On producer nodes it is a confirm channel (amqplib `createConfirmChannel`): `waitForConfirms()` waits for the broker to confirm what you published. On consumer nodes the consumer that feeds handleMessage runs on it with the topology's prefetch, so acks, nacks and rejects go here (`ctx.commit(msg)` acks too, and does nothing when the ack mode is auto). Declaring and binding take simulated time (await them); publish, ack, nack and reject are sent at once.";

const baseChannel = channelNamespace(['assertExchange', 'assertQueue', 'bindQueue', 'publish', 'sendToQueue', 'ack', 'nack', 'reject'], channelDoc);

export const rabbitPlaygroundApi: { readonly [name: string]: ApiNamespace } = {
  channel: {
    ...baseChannel,
    members: {
      ...baseChannel.members,
      waitForConfirms: {
        kind: 'function',
        bridge: 'async',
        params: [],
        returns: 'Promise<void>',
        doc: 'Waits until the broker has confirmed every message this channel published so far (amqplib `ConfirmChannel.waitForConfirms`); rejects if it refused (nacked) any. Producer nodes only.',
      },
    },
  },
};

export const rabbitPlaygroundTypes = `${amqpTypes}

/** What \`produce\` receives on a producer node, from the topology form. */
export interface ProducerStart {
  /** This node (producer-1, producer-2, …). */
  node: string;
  /** 1-based number of this producer node. */
  index: number;
  /** The exchange this producer is configured for ('' is the default exchange). */
  exchange: string;
  /** The routing keys the topology lists for it (at least one; '' when none was given). */
  routingKeys: string[];
  /** How many messages the topology asks this producer to send. */
  messages: number;
  /** 0 on the first start, then 1, 2, … after each crash and restart of this node. */
  restarts: number;
}

/** Export \`produce\` to publish: the playground calls it once on each producer node when it starts (again after a restart). */
export type ProduceHandler = (start: ProducerStart, ctx: Ctx) => Promise<void>;`;

/** The RabbitMQ playground as a lab the runner can run. */
export function rabbitPlaygroundSpec(config: RabbitPlaygroundConfig): LabSpec {
  const checks: LabCheck[] = [
    { id: 'handled-every-confirmed', title: 'Every confirmed message was handled', points: 1, checker: everyAckedHandled({ who: 'the consumers' }), teaches: 'A confirmed message is safe with the broker; it still needs a binding that routes it to a queue someone consumes.' },
  ];
  const consumed = [...new Set(config.consumers.map((c) => c.queue))];
  for (const q of consumed) {
    checks.push({ id: `${q}-handled-once`, title: `Consumers of ${q} handled each message once`, points: 1, checker: handledOnce({ scope: q, who: `the consumers of ${q}` }), teaches: 'A delivery that was handled but not acknowledged before a crash or a closed channel is delivered again.' });
  }
  return {
    id: 'playground-rabbitmq',
    title: 'RabbitMQ playground',
    topic: 'playground',
    broker: 'rabbitmq',
    objectives: [],
    summary: 'Your topology and your code on a simulated RabbitMQ cluster.',
    seeds: [1],
    chaosMs: PLAYGROUND_CHAOS_MS,
    healMs: PLAYGROUND_HEAL_MS,
    api: rabbitPlaygroundApi,
    apiTypes: rabbitPlaygroundTypes,
    checks,
    hints: [],
    build: (ctx) => buildRabbitPlayground(ctx, config),
  };
}

function buildRabbitPlayground(ctx: LabBuildContext, config: RabbitPlaygroundConfig): LabInstance {
  const { world } = ctx;
  const names = rabbitNodeNames(config.nodes);
  RabbitCluster.create(world, { names });
  const ready = new SimPromise<void>();
  world.addNode(ADMIN_NODE, (node) => {
    if (!ready.settled) hostChannel(node, names[0]!, REOPEN_US, (ch) => declareTopology(node, ch, config, ready));
    return {};
  });

  const producers = producerNodes(config.producers);
  const consumers = rabbitConsumerNodes(config.consumers);
  const progress = new Progress(producers.length, [], consumers.length > 0);
  // Clients spread over the cluster's nodes, as a load balancer in front of it would.
  const brokerFor = (i: number): string => names[i % names.length]!;
  producers.forEach((p, i) => ctx.learnerNode(p.name, { ops: (node) => producerOps(node, brokerFor(i), p.entry, p.index, ready, progress) }));
  consumers.forEach((c, i) => ctx.learnerNode(c.name, { ops: (node) => consumerOps(node, brokerFor(producers.length + i), c.entry, ready, progress) }));
  return { converged: () => progress.converged() };
}

/** Declares the exchanges, queues and bindings in order, then resolves `ready`; a failure is logged and stops there. */
function declareTopology(node: SimNode, ch: Channel, config: RabbitPlaygroundConfig, ready: SimPromise<void>): void {
  const steps: { what: string; run: () => SimPromise<unknown> }[] = [];
  const loose = <T>(p: SimPromise<T>): SimPromise<unknown> => p as unknown as SimPromise<unknown>;
  for (const x of config.exchanges) steps.push({ what: `exchange ${x.name} (${x.type})`, run: () => loose(ch.assertExchange(x.name, x.type, { durable: true })) });
  for (const q of config.queues) {
    const args: Record<string, unknown> = { 'x-queue-type': q['x-queue-type'] };
    if (q['x-dead-letter-exchange'] !== '') args['x-dead-letter-exchange'] = q['x-dead-letter-exchange'];
    steps.push({ what: `queue ${q.name} (${q['x-queue-type']})`, run: () => loose(ch.assertQueue(q.name, { durable: true, arguments: args })) });
  }
  for (const q of config.queues) for (const b of q.bindings) steps.push({ what: `binding ${b.exchange} → ${q.name} (${JSON.stringify(b.bindingKey)})`, run: () => loose(ch.bindQueue(q.name, b.exchange, b.bindingKey)) });
  const next = (i: number): void => {
    if (ready.settled) return;
    if (i >= steps.length) {
      node.log(`declared ${config.exchanges.length} exchange${config.exchanges.length === 1 ? '' : 's'}, ${config.queues.length} queue${config.queues.length === 1 ? '' : 's'} and their bindings`, 'info');
      return ready.resolve();
    }
    steps[i]!.run().onSettled((r) => {
      if (r.state === 'rejected') return node.log(`declaring ${steps[i]!.what} failed: ${(r.reason as Error).message}`, 'error');
      next(i + 1);
    });
  };
  next(0);
}

/** One incarnation of a producer node: a confirm channel whose publishes carry the playground's ids. */
function producerOps(node: SimNode, broker: string, entry: RabbitProducerConfig, index: number, ready: SimPromise<void>, progress: Progress): Record<string, LabOp> {
  const setUp = new SimPromise<void>();
  const app = new AmqpApp(node, broker, { confirm: true, setupOptional: true, afterSetup: () => setUp.resolve() });
  const start: Record<string, Json> = { node: node.name, index, exchange: entry.exchange, routingKeys: routingKeyList(entry.routingKeys), messages: entry.messages };
  startProducer(node, start, progress, (go) => ready.onSettled(() => setUp.onSettled(go)));

  const publish = (what: string, exchange: string, routingKey: string, content: string, options: unknown): boolean => {
    const ch = app.ch as ConfirmChannel | undefined;
    if (!ch || ch.state !== 'open') throw new ApiError(`ctx.channel.${what}: the channel is closed (the broker closed it after an error; a new one is opening)`);
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      throw new ApiError(`ctx.channel.${what}: options must be an object like { persistent: true }, got ${JSON.stringify(options)}`, 'TypeError');
    }
    const o = (options ?? {}) as Record<string, unknown>;
    if (o.headers !== undefined && (typeof o.headers !== 'object' || o.headers === null || Array.isArray(o.headers))) throw new ApiError(`ctx.channel.${what}: options.headers must be an object`, 'TypeError');
    const id = progress.nextId(node.name);
    let flowing: boolean;
    try {
      flowing = ch.publish(exchange, routingKey, content, { ...o, headers: { ...(o.headers as Record<string, unknown> | undefined), [ID_HEADER]: id } }, (err) => {
        if (err !== null) return;
        node.record(WL.ack, { id });
        progress.acked(undefined, id);
      });
    } catch (e) {
      throw new ApiError(`ctx.channel.${what}: ${(e as Error).message}`, e instanceof TypeError ? 'TypeError' : 'Error');
    }
    // Recorded once it was sent: a publish the channel refused never existed.
    node.record(WL.produce, { id, exchange, routingKey });
    return flowing;
  };
  return {
    ...app.ops(),
    'channel.publish': ([exchange, key, content, options]) => publish('publish', exchange as string, key as string, content as string, options),
    'channel.sendToQueue': ([queue, content, options]) => publish('sendToQueue', '', queue as string, content as string, options),
    'channel.waitForConfirms': () => {
      const ch = app.ch as ConfirmChannel | undefined;
      if (!ch || ch.state !== 'open') return SimPromise.rejected(new ApiError('ctx.channel.waitForConfirms: the channel is closed; messages it had not confirmed may or may not have reached the broker'));
      const out = new SimPromise<void>();
      ch.waitForConfirms().onSettled((r) => (r.state === 'fulfilled' ? out.resolve() : out.reject(new ApiError(`ctx.channel.waitForConfirms: ${(r.reason as Error).message}`))));
      return out;
    },
  };
}

/** One incarnation of a consumer node: consumes its queue and hands every delivery to handleMessage. */
function consumerOps(node: SimNode, broker: string, entry: RabbitConsumerConfig, ready: SimPromise<void>, progress: Progress): Record<string, LabOp> {
  const auto = entry.ack === 'auto';
  const incarnation = node.incarnation;
  let setUp = false;
  let consuming = false;
  const consume = (app: AmqpApp, ch: Channel): void => {
    consuming = true;
    if (entry.prefetch > 0) void ch.prefetch(entry.prefetch);
    ch.consume(entry.queue, (m) => m !== null && deliver(app, ch, m), { noAck: auto }).onSettled((p) => {
      if (p.state === 'rejected') node.log(`could not consume ${entry.queue}: ${(p.reason as Error).message}`, 'error');
    });
  };
  const deliver = (app: AmqpApp, ch: Channel, m: AmqpMessage): void => {
    const learner = app.learner;
    if (!learner) return;
    const header = m.properties.headers?.[ID_HEADER];
    const id = typeof header === 'string' ? header : `${entry.queue}#${m.fields.deliveryTag}`;
    node.record(WL.deliver, { id, scope: entry.queue, redelivered: m.fields.redelivered });
    learner.deliverLocal(
      [
        {
          payload: auto ? messageJson(m) : app.remember(ch, m),
          from: entry.queue,
          sentAtMs: m.properties.timestamp ?? node.nowUs / 1000,
          commit: () => {
            // ctx.commit means "done with this message": under noAck the broker already counted it so.
            if (auto) return SimPromise.resolved<void>(undefined);
            try {
              app.ackDelivery(ch, m);
              return SimPromise.resolved<void>(undefined);
            } catch (e) {
              return SimPromise.rejected(e);
            }
          },
        },
      ],
      (failed) => {
        if (failed > 0) return;
        node.record(WL.effect, { id, scope: entry.queue });
        progress.handled(entry.queue, id);
      },
    );
  };
  const app = new AmqpApp(node, broker, {
    setupOptional: true,
    afterSetup: (a) => {
      setUp = true;
      ready.onSettled(() => {
        if (node.incarnation === incarnation && a.ch?.state === 'open' && !consuming) consume(a, a.ch);
      });
    },
    // A channel the broker closed (after a bad ack or declare) is replaced: consume again on it.
    onChannel: (a, ch) => {
      if (setUp && consuming) consume(a, ch);
    },
  });
  const ops: Record<string, LabOp> = { ...app.ops() };
  if (auto) {
    for (const what of ['ack', 'nack', 'reject'] as const) {
      ops[`channel.${what}`] = () => {
        throw new ApiError(noAckWhy(`ctx.channel.${what}(msg)`, node.name, entry.queue));
      };
    }
  }
  ops['channel.waitForConfirms'] = () => SimPromise.rejected(new ApiError('ctx.channel.waitForConfirms: only producer nodes have a confirm channel'));
  return ops;
}

function noAckWhy(call: string, node: string, queue: string): string {
  return `${call}: ${node} consumes ${queue} with noAck (ack mode auto), so the broker counted the message as acknowledged when it sent it — RabbitMQ would close the channel for this ack (406 PRECONDITION_FAILED - unknown delivery tag). Set the ack mode to manual to acknowledge yourself`;
}
