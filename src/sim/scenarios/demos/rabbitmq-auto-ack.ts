import { connect, RabbitCluster, type Channel, type Message } from '../../broker/amqp';
import { AmqpKinds } from '../../broker/amqp/kinds';
import { Kinds } from '../../history';
import type { SimNode } from '../../node';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { DemoKinds, entriesOf, idOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';

const QUEUE = 'orders';
const ORDERS = 60;
const PUBLISH_EVERY_US = ms(20);
const PUBLISH_FROM_US = ms(200);
/** The worker handles one order at a time, 100 ms each. */
const PROCESS_US = ms(100);
const CRASH_MS = 2000;
const RESTART_MS = 3500;
/** With manual acks, at most this many orders are delivered and not yet acknowledged. */
const FIX_PREFETCH = 10;
/** Heartbeats every second: the broker notices a dead worker 2–3 s after its last frame. */
const WORKER_URL = 'amqp://rabbit1?heartbeat=1';

/**
 * Automatic acknowledgement (https://www.rabbitmq.com/docs/confirms#acknowledgement-modes): "In
 * automatic acknowledgement mode, a message is considered to be successfully delivered
 * immediately after it is sent. This mode trades off higher throughput … for reduced safety of
 * delivery and consumer processing": the broker forgets a message as it sends it. Prefetch does
 * not apply either ("there is no way to limit deliveries"), so a slow worker is handed the whole
 * backlog at once and keeps it in memory. When it crashes, everything it had not processed yet
 * is gone: nothing is left in the queue to redeliver.
 *
 * The fix is manual acknowledgement with a prefetch: the worker acks each order after processing
 * it, so at most ten are out at a time, and when its connection dies "any unacknowledged
 * deliveries will be automatically requeued" (https://www.rabbitmq.com/docs/confirms#automatic-requeueing).
 * The restarted worker gets them again, marked redelivered.
 */
export const rabbitAutoAck: Scenario = {
  name: 'rabbitmq-auto-ack-crash',
  description: 'demo: a RabbitMQ consumer with automatic acks crashes with prefetched messages; they are lost',
  chaosUs: ms(6000),
  healUs: ms(10_000),
  nodeNames: () => ['rabbit1', 'shop', 'worker'],
  demo: {
    title: 'Auto-ack: a consumer crash loses what it was holding',
    broker: 'RabbitMQ',
    hook: 'The broker forgot each order the moment it sent it — then the worker died.',
    watch:
      'A shop publishes 60 orders with publisher confirms to a durable queue; every one is confirmed. A worker consumes them with noAck (automatic acknowledgement) and needs 100 ms per order. Automatic acks ignore prefetch, so RabbitMQ sends the worker the whole backlog at once and forgets each order as it goes: watch the burst of arrows to the worker. At 2.0 s the worker crashes with most of them still in its memory. When it restarts at 3.5 s the queue is empty: nothing is redelivered, and the orders it had not processed are lost.',
    seed: 1,
    fix: { label: 'manual acks, prefetch 10', explain: 'With manual acknowledgements the broker keeps each order until the worker acks it after processing, and prefetch 10 caps how many are out at once; when the dead connection is noticed its unacked orders are requeued and redelivered to the restarted worker.' },
    docs: [
      { label: 'RabbitMQ: consumer acknowledgements and publisher confirms', url: 'https://www.rabbitmq.com/docs/confirms' },
      { label: 'RabbitMQ: automatic requeueing', url: 'https://www.rabbitmq.com/docs/confirms#automatic-requeueing' },
      { label: 'RabbitMQ: consumer prefetch', url: 'https://www.rabbitmq.com/docs/consumer-prefetch' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    const cluster = RabbitCluster.create(world, { nodes: 1 });
    const processed = new Set<string>();
    let confirmed = 0;
    let holding = (): number => 0;
    world.addNode('shop', (node) => {
      node.setTimer(0, () => startShop(world, node, () => confirmed++));
      return {};
    });
    // The worker's behaviour is rebuilt on every restart: it connects and consumes again.
    world.addNode('worker', (node) => {
      holding = startWorker(world, node, fix, (id) => processed.add(id));
      return {};
    });
    return {
      faults: [
        { atUs: ms(CRASH_MS), kind: 'crash', node: 'worker' },
        { atUs: ms(RESTART_MS), kind: 'restart', node: 'worker' },
      ],
      // Done once every confirmed order has been processed, or (auto-ack) once nothing is left to
      // redeliver: the queue is empty and the restarted worker holds nothing.
      converged: () => {
        if (confirmed < ORDERS || world.nowUs < ms(RESTART_MS)) return false;
        const q = cluster.queue(QUEUE);
        return processed.size === ORDERS || (q !== undefined && q.ready === 0 && q.unacked === 0 && holding() === 0);
      },
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

/** The shop: a confirm channel, a durable queue, one persistent order every 20 ms. */
function startShop(world: World, node: SimNode, onConfirmed: () => void): void {
  connect(world, node.name, 'amqp://rabbit1').onSettled((c) => {
    if (c.state !== 'fulfilled') return node.log(`shop could not connect: ${(c.reason as Error).message}`, 'error');
    c.value!.createConfirmChannel().onSettled((ch) => {
      if (ch.state !== 'fulfilled') return;
      const channel = ch.value!;
      channel.assertQueue(QUEUE, { durable: true }).onSettled(() => {
        let n = 0;
        const next = (): void => {
          if (n >= ORDERS) return;
          const id = `order-${++n}`;
          node.record(DemoKinds.produce, { id });
          channel.sendToQueue(QUEUE, id, { persistent: true }, (err) => {
            if (err) return;
            node.record(DemoKinds.ack, { id });
            onConfirmed();
          });
          node.setTimer(PUBLISH_EVERY_US, next);
        };
        node.setTimer(Math.max(0, PUBLISH_FROM_US - node.nowUs), next);
      });
    });
  });
}

/**
 * The worker: it takes orders from the queue into its own memory and processes them one at a
 * time. With automatic acks that memory is the only copy; with manual acks it acks each order
 * once processed.
 */
function startWorker(world: World, node: SimNode, manualAcks: boolean, onProcessed: (id: string) => void): () => number {
  const inbox: Message[] = [];
  let busy = false;
  let channel: Channel | undefined;
  const work = (): void => {
    if (busy) return;
    const m = inbox.shift();
    if (m === undefined) return;
    busy = true;
    node.setTimer(PROCESS_US, () => {
      busy = false;
      node.record(DemoKinds.effect, { id: m.content });
      onProcessed(m.content);
      if (manualAcks) channel?.ack(m);
      work();
    });
  };
  // Connect once the node has started (the factory runs inside addNode and restart).
  node.setTimer(0, () => {
    connect(world, node.name, WORKER_URL).onSettled((c) => {
      if (c.state !== 'fulfilled') return node.log(`worker could not connect: ${(c.reason as Error).message}`, 'error');
      c.value!.createChannel().onSettled((ch) => {
        if (ch.state !== 'fulfilled') return;
        channel = ch.value!;
        const consume = (): void => {
          channel!.consume(
            QUEUE,
            (m) => {
              if (m === null) return;
              node.record(DemoKinds.deliver, { id: m.content, redelivered: m.fields.redelivered });
              inbox.push(m);
              work();
            },
            { noAck: !manualAcks },
          );
        };
        channel.assertQueue(QUEUE, { durable: true }).onSettled(() => {
          if (manualAcks) channel!.prefetch(FIX_PREFETCH).onSettled(consume);
          else consume();
        });
      });
    });
  });
  return () => inbox.length + (busy ? 1 : 0);
}

function report(world: World): DemoReport {
  const published = entriesOf(world, DemoKinds.produce).length;
  const confirms = entriesOf(world, DemoKinds.ack);
  const delivered = entriesOf(world, DemoKinds.deliver);
  const processed = new Set(entriesOf(world, DemoKinds.effect).map(idOf));
  const lost = confirms.filter((e) => !processed.has(idOf(e)));
  const lostIds = new Set(lost.map(idOf));
  const faults = entriesOf(world, Kinds.fault);
  const crash = faults.find((e) => (e.data as { kind?: string }).kind === 'crash');
  const heldAtCrash = crash === undefined ? 0 : new Set(delivered.filter((e) => e.seq < crash.seq).map(idOf)).size - new Set(entriesOf(world, DemoKinds.effect).filter((e) => e.seq < crash.seq).map(idOf)).size;
  const closed = entriesOf(world, AmqpKinds.connectionClose).find((e) => e.node === 'rabbit1' && /heartbeat/.test(String((e.data as { reason?: string }).reason)));
  const requeued = entriesOf(world, AmqpKinds.requeue)[0];
  return {
    outcome: `published ${published}, confirmed ${confirms.length}, processed ${processed.size}: ${plural(lost.length, 'confirmed order')} lost (${heldAtCrash} were in the worker's memory when it crashed)`,
    anomaly: lost.length > 0,
    figures: [
      { label: 'published', value: published },
      { label: 'confirmed', value: confirms.length },
      { label: 'processed', value: processed.size },
      { label: 'confirmed, lost', value: lost.length, anomaly: true },
    ],
    moments: inOrder([
      ...momentAt('The first lost order reaches the worker', delivered.find((e) => lostIds.has(idOf(e)))),
      ...momentAt('The worker crashes', crash),
      ...momentAt('The broker closes the dead connection', closed),
      ...momentAt('Unacknowledged orders go back to the queue', requeued),
      ...momentAt('The worker is back', faults.find((e) => (e.data as { kind?: string }).kind === 'restart')),
    ]),
  };
}
