import type { Consumer } from '../../broker/kafka/consumer';
import { KafkaCluster } from '../../broker/kafka/kafka';
import { KafkaKinds } from '../../broker/kafka/kinds';
import type { HistoryEntry } from '../../history';
import { SimPromise } from '../../sim-promise';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { DemoKinds, entriesOf, idOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';
import { createTopicWhenReady } from '../../broker/kafka/topic-ready';
import { DEMO_CLUSTER_CONFIG, produceEvery } from './kafka-setup';

const TOPIC = 'orders';
const GROUP = 'billing';
const PARTITIONS = 6;
const ORDERS = 120;
const ORDER_EVERY_US = ms(20);
const WORKERS = ['worker-1', 'worker-2', 'worker-3'];
const WORKERS_START_US = ms(500);
/** Each order takes 100 ms to process (a call to a payment provider, say). */
const PROCESS_US = ms(100);
const MAX_POLL_INTERVAL_MS = 1000;
/** 12 records a poll take 1.2 s, longer than max.poll.interval.ms; 5 take 0.5 s. */
const STORM_POLL_RECORDS = 12;
const FIX_POLL_RECORDS = 5;

/**
 * A consumer must come back for its next poll within `max.poll.interval.ms`, or it is considered
 * failed and leaves the group (https://kafka.apache.org/documentation/#consumerconfigs_max.poll.interval.ms:
 * "If poll() is not called before expiration of this timeout, then the consumer is considered
 * failed and the group will rebalance in order to reassign the partitions to another member";
 * KIP-62). Here every poll hands a worker 12 orders of 100 ms each: 1.2 s of work against a 1 s
 * limit. Each worker in turn overruns, leaves, and rejoins when its handler returns, and every
 * leave and every join is a rebalance in which the eager range assignor takes every partition
 * from every member. Orders a worker processed but had not committed yet (auto-commit every 5 s,
 * Kafka's default) are processed again by their next owner.
 *
 * The fix hands out fewer records per poll (`max.poll.records=5`, 0.5 s of work), so every poll
 * comes back in time: the group rebalances only as its members first join.
 */
export const kafkaRebalanceStorm: Scenario = {
  name: 'kafka-rebalance-storm',
  description: 'demo: Kafka consumers whose polls outlast max.poll.interval.ms leave and rejoin; rebalances, stalls and duplicates',
  chaosUs: ms(10_000),
  healUs: ms(10_000),
  nodeNames: () => ['controller', 'b1', 'shop', ...WORKERS],
  demo: {
    title: 'Rebalance storm: slow handlers, max.poll.interval.ms',
    broker: 'Kafka',
    hook: 'Each consumer is a little too slow, so the group never stops rebalancing.',
    watch:
      'Three billing workers share a six-partition topic in one consumer group. Each poll hands a worker 12 orders and each order takes 100 ms: 1.2 s of work, but max.poll.interval.ms is 1 s. Watch a worker overrun its poll (poll-timeout in the console), leave the group, and rejoin when its handler returns: every leave and every join is a rebalance, and the eager range assignor takes every partition from every member each time. Processing stalls while the group rebalances, and orders processed but not yet committed (auto-commit runs every 5 s) are processed again by their next owner.',
    seed: 1,
    fix: { label: 'max.poll.records=5', explain: 'Five records a poll are 0.5 s of work, well inside max.poll.interval.ms: every poll returns in time and the group stays stable after its members join.' },
    docs: [
      { label: 'Kafka consumer config: max.poll.interval.ms', url: 'https://kafka.apache.org/documentation/#consumerconfigs_max.poll.interval.ms' },
      { label: 'Kafka consumer config: max.poll.records', url: 'https://kafka.apache.org/documentation/#consumerconfigs_max.poll.records' },
      { label: 'KIP-62: background heartbeats, max.poll.interval.ms', url: 'https://cwiki.apache.org/confluence/display/KAFKA/KIP-62%3A+Allow+consumer+to+send+heartbeats+from+a+background+thread' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    // One broker: the story is the group's, and replication traffic would only crowd the diagram.
    const cluster = KafkaCluster.create(world, { brokers: 1, config: DEMO_CLUSTER_CONFIG });
    const shopKafka = cluster.client('shop');
    const shop = world.node('shop');
    const workers = WORKERS.map((name) => cluster.client(name));
    const done = new Set<string>();
    createTopicWhenReady(shopKafka.admin(), shop, { topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }).onSettled((created) => {
      if (created.state === 'rejected') return shop.log(`the orders topic could not be created: ${(created.reason as Error).message}`, 'error');
      const producer = shopKafka.producer({ acks: 'all' });
      producer.connect().onSettled(() => {
        produceEvery(shop, producer, { topic: TOPIC, everyUs: ORDER_EVERY_US, count: ORDERS, idPrefix: 'order', key: (i) => `customer-${i % 17}` });
      });
      for (const kafka of workers) {
        const node = world.node(kafka.nodeName);
        node.setTimer(Math.max(0, WORKERS_START_US - node.nowUs), () => {
          const consumer: Consumer = kafka.consumer({
            'group.id': GROUP,
            'partition.assignment.strategy': 'range',
            'session.timeout.ms': 3000,
            'heartbeat.interval.ms': 500,
            'max.poll.interval.ms': MAX_POLL_INTERVAL_MS,
            'max.poll.records': fix ? FIX_POLL_RECORDS : STORM_POLL_RECORDS,
            'auto.offset.reset': 'earliest',
          });
          void consumer.connect();
          void consumer.subscribe({ topic: TOPIC, fromBeginning: true });
          void consumer.run({
            eachMessage: ({ message }) => {
              const id = message.value ?? '';
              node.record(DemoKinds.deliver, { id, offset: Number(message.offset) });
              const processed = new SimPromise<void>();
              node.setTimer(PROCESS_US, () => {
                node.record(DemoKinds.effect, { id });
                done.add(id);
                processed.resolve();
              });
              return processed;
            },
          });
        });
      }
    });
    return {
      converged: () => done.size >= ORDERS,
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

function report(world: World): DemoReport {
  const produced = entriesOf(world, DemoKinds.produce);
  const effects = entriesOf(world, DemoKinds.effect);
  const seen = new Set<string>();
  let duplicates = 0;
  let firstDuplicate: HistoryEntry | undefined;
  // The moment the last order still missing was processed: when the backlog was finally done.
  let allDone: HistoryEntry | undefined;
  for (const e of effects) {
    if (seen.has(idOf(e))) {
      duplicates++;
      firstDuplicate ??= e;
    }
    seen.add(idOf(e));
    if (allDone === undefined && produced.length > 0 && seen.size === produced.length) allDone = e;
  }
  const rebalances = entriesOf(world, KafkaKinds.rebalance).filter((e) => (e.data as { group?: string }).group === GROUP);
  const pollTimeouts = entriesOf(world, KafkaKinds.member).filter((e) => (e.data as { group?: string; event?: string }).group === GROUP && (e.data as { event?: string }).event === 'poll-timeout');
  const doneAt = allDone === undefined ? 'not all processed by the end' : `all processed at ${(allDone.timeUs / 1_000_000).toFixed(1)} s`;
  return {
    outcome: `produced ${produced.length}, processed ${plural(effects.length, 'time')} (${doneAt}): ${plural(rebalances.length, 'rebalance')} after ${plural(pollTimeouts.length, 'poll timeout')}, ${plural(duplicates, 'order')} processed again`,
    anomaly: pollTimeouts.length > 0 && rebalances.length > WORKERS.length,
    figures: [
      { label: 'produced', value: produced.length },
      { label: 'poll timeouts', value: pollTimeouts.length },
      { label: 'rebalances', value: rebalances.length, anomaly: true },
      { label: 'processed again', value: duplicates, anomaly: true },
    ],
    moments: inOrder([
      ...momentAt('The group first becomes stable', rebalances[0]),
      ...momentAt('A worker overruns max.poll.interval.ms and leaves', pollTimeouts[0]),
      ...momentAt('The group rebalances without it', rebalances.find((e) => pollTimeouts[0] !== undefined && e.seq > pollTimeouts[0].seq)),
      ...momentAt('An order is processed a second time', firstDuplicate),
      ...momentAt('The last waiting order is processed', allDone),
    ]),
  };
}
