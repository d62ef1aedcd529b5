import { RabbitCluster, type Channel, type Message as AmqpMessage } from '../../sim/broker/amqp';
import type { SimNode } from '../../sim/node';
import type { Rng } from '../../sim/rng';
import { formatTime } from '../../sim/time';
import { fail, pass, type Checker, type CheckInput, type Evidence } from '../checkers';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import type { ApiNamespace } from '../sandbox/api';
import { AmqpApp, amqpTypes, channelNamespace, hostChannel } from './amqp-app';

/**
 * The routing story: a shop publishes domain events to a topic exchange `events` (routing keys
 * `<entity>.<region>.<action>`, some with a fourth word) and invoicing publishes documents to a
 * headers exchange `documents` (headers `format`, `priority`, sometimes `retention`). Six services
 * each consume their own queue. The learner's `setup`, on the node `topology`, declares the
 * exchanges, the queues and the bindings; the lab's consumers record what each service received,
 * and the checks compare that with what each service should get, computed from the events by the
 * rules below — never by the broker's own matcher.
 */

export const BROKER = 'rabbit1';
export const TOPOLOGY_NODE = 'topology';

/** An event or document as its publisher sends it. */
export interface RoutedEvent {
  id: string;
  exchange: 'events' | 'documents';
  /** The routing key (events) or '' (documents). */
  key: string;
  headers?: Record<string, string>;
}

export interface ServiceRule {
  name: string;
  /** What the service should get, in words, as the README and the evidence say it. */
  wants: string;
  stream: 'events' | 'documents';
  accepts(e: RoutedEvent): boolean;
}

const words = (e: RoutedEvent): string[] => e.key.split('.');

export const SERVICES: readonly ServiceRule[] = [
  { name: 'audit', stream: 'events', wants: 'every order event, whatever its shape', accepts: (e) => words(e)[0] === 'order' },
  {
    name: 'fulfilment',
    stream: 'events',
    wants: 'new orders only, from any region (order.<region>.created)',
    accepts: (e) => {
      const w = words(e);
      return w.length === 3 && w[0] === 'order' && w[2] === 'created';
    },
  },
  { name: 'eu-ops', stream: 'events', wants: 'every event from the EU region (its second word is eu)', accepts: (e) => words(e)[1] === 'eu' },
  { name: 'alerts', stream: 'events', wants: 'every failure, of anything, anywhere (its last word is failed)', accepts: (e) => words(e).at(-1) === 'failed' },
  { name: 'printing', stream: 'documents', wants: 'documents that are PDF and high priority', accepts: (e) => e.headers?.format === 'pdf' && e.headers?.priority === 'high' },
  { name: 'archive', stream: 'documents', wants: 'every CSV document, and every document on legal hold (retention: legal)', accepts: (e) => e.headers?.format === 'csv' || e.headers?.retention === 'legal' },
];

/** History kinds this scenario adds (besides the `wl.*` and `amqp.*` ones). */
export const RoutingKinds = {
  /** After setup: the exchanges and bindings the broker holds. `{ ok, exchanges, bindings }` */
  topology: 'routing.topology',
  /** A service's consumer could not consume its queue. `{ service, error }` */
  consumeFailed: 'routing.consume-failed',
  /** A publisher could not publish an event. `{ id, error }` */
  publishFailed: 'routing.publish-failed',
} as const;

export const routingApi: { readonly [name: string]: ApiNamespace } = {
  channel: channelNamespace(
    ['assertExchange', 'assertQueue', 'bindQueue', 'unbindQueue', 'bindExchange'],
    "Your channel to RabbitMQ (node rabbit1), shaped like amqplib's Channel. Each call is a request to the broker and takes simulated time: await it.",
  ),
};

export const routingTypes = amqpTypes;

const REGIONS = ['eu', 'us', 'apac'] as const;
const EVENT_SHAPES: readonly string[] = [
  'order.R.created',
  'order.R.cancelled',
  'order.R.paid',
  'order.R.item.added',
  'order.R.item.removed',
  'payment.R.authorised',
  'payment.R.failed',
  'payment.R.card.failed',
  'payment.R.refund.failed',
  'shipment.R.dispatched',
  'shipment.R.delivered',
  'shipment.R.failed',
  'customer.R.created',
];
/** Keys that tell `*` from `#` and a broad pattern from a narrow one: every run starts with them. */
const TOUR_KEYS = ['order.eu.created', 'order.us.item.added', 'customer.eu.created', 'payment.eu.card.failed', 'order.apac.created', 'shipment.us.failed', 'payment.us.failed', 'order.eu.item.removed'];
const TOUR_DOCS: Record<string, string>[] = [
  { format: 'pdf', priority: 'high' },
  { format: 'pdf', priority: 'normal' },
  { format: 'html', priority: 'high' },
  { format: 'csv', priority: 'normal' },
  { format: 'html', priority: 'normal', retention: 'legal' },
  { format: 'pdf', priority: 'high', retention: 'legal' },
];

export interface RoutingOptions {
  events: number;
  documents: number;
  /** Mean gap between two publishes of one publisher. */
  everyMs: number;
}

/** Publishing starts this long after the learner's setup finished, or at `START_LATEST_US` at the latest. */
const START_AFTER_SETUP_US = 100_000;
const START_LATEST_US = 1_500_000;
/** A host client's channel closed by the broker is replaced after this long. */
const REOPEN_US = 500_000;

export function buildRoutingScenario(ctx: LabBuildContext, opts: RoutingOptions): LabInstance {
  const { world } = ctx;
  const cluster = RabbitCluster.create(world, { names: [BROKER] });

  // Everyone waits for the learner's setup: services start consuming, publishers start publishing.
  const waiting: (() => void)[] = [];
  let started = false;
  const begin = (): void => {
    if (started) return;
    started = true;
    for (const w of waiting.splice(0)) w();
  };
  const whenStarted = (fn: () => void): void => void (started ? fn() : waiting.push(fn));

  ctx.learnerNode(TOPOLOGY_NODE, {
    ops: (node) =>
      new AmqpApp(node, BROKER, {
        afterSetup: (_app, ok) => {
          const t = cluster.topology();
          node.record(RoutingKinds.topology, {
            ok,
            exchanges: t.exchanges.filter((x) => x.name !== '' && !x.name.startsWith('amq.')).map((x) => ({ name: x.name, type: x.type })),
            bindings: t.bindings.filter((b) => b.source !== '').map((b) => ({ source: b.source, destination: b.destination, routingKey: b.routingKey, arguments: b.arguments })),
          });
          node.setTimer(START_AFTER_SETUP_US, begin);
        },
      }).ops(),
  });
  world.kernel.after(START_LATEST_US, begin);

  let publishing = 0;
  const publisher = (name: string, items: RoutedEvent[]): void => {
    publishing++;
    world.addNode(name, (node) => {
      // A publish to a missing exchange makes the broker close the channel: go on with the next one.
      const current: { ch: Channel | undefined } = { ch: undefined };
      hostChannel(node, BROKER, REOPEN_US, (ch) => {
        const first = current.ch === undefined;
        current.ch = ch;
        if (first) whenStarted(() => publishEach(node, current, items, opts.everyMs, () => publishing--));
      });
      return {};
    });
  };
  const { events, documents } = workload(world.rng.fork('routing-workload'), opts);
  publisher('shop', events);
  publisher('invoicing', documents);

  for (const s of SERVICES) {
    world.addNode(s.name, (node) => {
      whenStarted(() => consumeAs(node, s.name));
      return {};
    });
  }

  // Converged once both publishers are done and every service queue is drained.
  let checkedAtUs = -1;
  let settled = false;
  return {
    converged: () => {
      if (publishing > 0) return false;
      if (world.nowUs - checkedAtUs < 50_000) return settled;
      checkedAtUs = world.nowUs;
      settled = SERVICES.every((s) => {
        const q = cluster.queue(s.name);
        return q === undefined || (q.ready === 0 && q.unacked === 0);
      });
      return settled;
    },
  };
}

/** The run's events and documents: the edge-case tour first (shuffled), then random ones. */
function workload(rng: Rng, opts: RoutingOptions): { events: RoutedEvent[]; documents: RoutedEvent[] } {
  const keys = rng.shuffle(TOUR_KEYS);
  while (keys.length < opts.events) keys.push(rng.pick(EVENT_SHAPES).replace('R', rng.pick(REGIONS)));
  const docs = rng.shuffle(TOUR_DOCS);
  while (docs.length < opts.documents) {
    const h: Record<string, string> = { format: rng.pick(['pdf', 'csv', 'html']), priority: rng.chance(0.3) ? 'high' : 'normal' };
    if (rng.chance(0.15)) h.retention = 'legal';
    docs.push(h);
  }
  return {
    events: keys.slice(0, opts.events).map((key, i) => ({ id: `e-${i + 1}`, exchange: 'events', key })),
    documents: docs.slice(0, opts.documents).map((headers, i) => ({ id: `d-${i + 1}`, exchange: 'documents', key: '', headers })),
  };
}

function publishEach(node: SimNode, current: { ch: Channel | undefined }, items: RoutedEvent[], everyMs: number, done: () => void): void {
  let i = 0;
  const next = (): void => {
    if (i >= items.length) return done();
    const e = items[i++]!;
    node.record(WL.produce, e.headers ? { id: e.id, key: e.key, exchange: e.exchange, headers: e.headers } : { id: e.id, key: e.key, exchange: e.exchange });
    try {
      const ch = current.ch;
      if (!ch || ch.state !== 'open') throw new Error('the channel is closed (the broker closed it after an earlier publish failed)');
      ch.publish(e.exchange, e.key, JSON.stringify({ id: e.id }), { messageId: e.id, headers: e.headers, persistent: true });
    } catch (err) {
      node.record(RoutingKinds.publishFailed, { id: e.id, error: (err as Error).message });
    }
    node.setTimer(Math.round(everyMs * 1000 * (0.5 + node.rng.next())), next);
  };
  next();
}

/** A service's consumer: records an effect per delivered message, with the service's name, and acks. */
function consumeAs(node: SimNode, service: string): void {
  let reported = false;
  hostChannel(node, BROKER, REOPEN_US, (ch) => {
    ch.prefetch(50);
    ch.consume(service, (m: AmqpMessage | null) => {
      if (m === null) return;
      node.record(WL.effect, { id: m.properties.messageId ?? '', service, key: m.fields.routingKey });
      ch.ack(m);
    }).onSettled((p) => {
      if (p.state === 'fulfilled' || reported) return;
      reported = true;
      node.record(RoutingKinds.consumeFailed, { service, error: (p.reason as Error).message });
    });
  });
}

// ---------------------------------------------------------------- checks

interface Produced {
  e: RoutedEvent;
  timeUs: number;
  seq: number;
  node: string;
}

const EVIDENCE_EACH = 3;

function describe(e: RoutedEvent): string {
  return e.exchange === 'events' ? `${e.id} (${e.key})` : `${e.id} (${Object.entries(e.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join(', ')})`;
}

interface TopologyData {
  ok: boolean;
  bindings: { source: string; destination: string; routingKey: string; arguments: Record<string, unknown> }[];
}

/** The service's bindings as recorded after setup, in words. */
function bindingsOf(input: CheckInput, service: string): string {
  let last: TopologyData | undefined;
  for (const e of input.ofKind(RoutingKinds.topology)) last = e.data as TopologyData;
  if (!last) return 'setup never finished, so no bindings were recorded';
  const mine = last.bindings.filter((b) => b.destination === service);
  const prefix = last.ok ? '' : 'setup failed (see the console); ';
  if (mine.length === 0) return `${prefix}queue ${service} has no bindings`;
  const each = mine.map((b) => (Object.keys(b.arguments).length > 0 ? `${b.source} with ${JSON.stringify(b.arguments)}` : `${b.source} with '${b.routingKey}'`));
  return `${prefix}queue ${service} is bound to ${each.join(' and ')}`;
}

/**
 * A service received exactly its messages: every one its rule accepts, none other, none twice.
 * The counterexample names missing and extra messages with their keys or headers, and the
 * bindings of the service's queue after setup.
 */
export function receivesExactly(service: string): Checker {
  const rule = SERVICES.find((s) => s.name === service);
  if (!rule) throw new Error(`receivesExactly: no service ${service}`);
  return (input) => {
    const produced = new Map<string, Produced>();
    for (const x of input.ofKind(WL.produce)) {
      const d = x.data as RoutedEvent;
      if (d.exchange === rule.stream) produced.set(d.id, { e: d, timeUs: x.timeUs, seq: x.seq, node: x.node });
    }
    if (produced.size === 0) return fail(`no ${rule.stream} were published, so nothing shows what ${service} receives`, []);
    const got = new Map<string, number>();
    let firstDup: { id: string; timeUs: number; seq: number } | undefined;
    for (const x of input.ofKind(WL.effect)) {
      const d = x.data as { id: string; service?: string };
      if (d.service !== service) continue;
      const n = (got.get(d.id) ?? 0) + 1;
      got.set(d.id, n);
      if (n === 2 && !firstDup) firstDup = { id: d.id, timeUs: x.timeUs, seq: x.seq };
    }
    const expected = [...produced.values()].filter((p) => rule.accepts(p.e));
    const missing = expected.filter((p) => !got.has(p.e.id));
    const extra = [...got.keys()].filter((id) => !produced.has(id) || !rule.accepts(produced.get(id)!.e));
    if (missing.length === 0 && extra.length === 0 && !firstDup) return pass(`${service} received exactly its ${expected.length} ${rule.stream}: ${rule.wants}`);

    const problems: string[] = [];
    if (missing.length > 0) problems.push(`missed ${missing.length} of the ${expected.length} ${rule.stream} it should get`);
    if (extra.length > 0) problems.push(`got ${extra.length} it should not`);
    if (firstDup) problems.push('got one twice');
    const evidence: Evidence[] = [];
    for (const p of missing.slice(0, EVIDENCE_EACH)) {
      evidence.push({ message: `${service} should get ${describe(p.e)} but never did; it wants ${rule.wants}`, ids: [p.e.id], node: p.node, timeUs: p.timeUs, seq: p.seq });
    }
    for (const id of extra.slice(0, EVIDENCE_EACH)) {
      const p = produced.get(id);
      evidence.push({ message: `${service} got ${p ? describe(p.e) : id}, which is not for it; it wants ${rule.wants}`, ids: [id], node: p?.node, timeUs: p?.timeUs, seq: p?.seq });
    }
    if (firstDup) evidence.push({ message: `${service} got ${firstDup.id} a second time at ${formatTime(firstDup.timeUs)}`, ids: [firstDup.id], node: service, timeUs: firstDup.timeUs, seq: firstDup.seq });
    let why = bindingsOf(input, service);
    for (const x of input.ofKind(RoutingKinds.consumeFailed)) {
      const d = x.data as { service: string; error: string };
      if (d.service === service) why = `its consumer could not consume queue ${service}: ${d.error}`;
    }
    evidence.push({ message: why, node: TOPOLOGY_NODE });
    return fail(`${service} ${problems.join(', ')}`, evidence);
  };
}
