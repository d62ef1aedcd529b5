import { KafkaCluster } from '../../broker/kafka/kafka';
import { KafkaKinds } from '../../broker/kafka/kinds';
import type { HistoryEntry } from '../../history';
import { Kinds } from '../../history';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { DemoKinds, entriesOf, idOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';
import { auditTopic, DEMO_CLUSTER_CONFIG, producerWorkload } from './kafka-setup';
import { scheduleRoleFaults } from './role-faults';

const TOPIC = 'orders';
const ORDERS = 150;
const ORDER_EVERY_US = ms(20);
/** From SLOW_MS to FAST_MS the leader's answers to the producer take SLOW_ADD_MS longer. */
const SLOW_MS = 1500;
const FAST_MS = 2500;
const SLOW_ADD_MS = 700;
const REQUEST_TIMEOUT_MS = 500;

/**
 * A retry is a resend: the producer cannot tell "the broker never got it" from "the broker wrote
 * it and the answer was lost or late". Here the leader's answers to the producer are slowed past
 * `request.timeout.ms` for a second; the producer gives up on each request, closes the connection
 * and sends the batch again, and the leader, which had already written it, writes it again.
 * Kafka's docs (https://kafka.apache.org/documentation/#producerconfigs_enable.idempotence):
 * "When set to 'false', producer retries due to broker failures, etc., may write duplicates of
 * the retried message in the stream." With `enable.idempotence=true` (the default since Kafka
 * 3.0) each batch carries a producer id and sequence numbers, and the leader answers a retried
 * batch it already has with the original offset instead of appending it again (KIP-98).
 */
export const kafkaRetryDuplicates: Scenario = {
  name: 'kafka-retry-duplicates',
  description: 'demo: a Kafka producer without idempotence retries after a timeout; the log holds duplicates',
  chaosUs: ms(4500),
  healUs: ms(6000),
  nodeNames: () => ['controller', 'b1', 'b2', 'b3', 'shop', 'auditor'],
  demo: {
    title: 'Retries without idempotence write duplicates',
    broker: 'Kafka',
    hook: 'The broker wrote it; the answer came too late; the producer wrote it again.',
    watch:
      'A shop produces orders to a one-partition topic with acks=all, retries on and enable.idempotence=false. From 1.5 s to 2.5 s the leader\'s answers to the shop take 0.7 s longer than usual — longer than the producer\'s request.timeout.ms of 0.5 s. Every request in that second times out; the producer closes the connection and resends the batch, and the leader appends it again, because it cannot tell a retry from a new record. Watch the leader\'s answers to the shop stretch into long slanted arrows, the retries in the console, then the auditor at the end reading some orders twice.',
    seed: 1,
    fix: { label: 'enable.idempotence=true', explain: 'An idempotent producer numbers its batches (producer id and sequence); the leader recognises a resent batch it already wrote and answers with its original offset, so every order is in the log once.' },
    docs: [
      { label: 'Kafka producer config: enable.idempotence', url: 'https://kafka.apache.org/documentation/#producerconfigs_enable.idempotence' },
      { label: 'Kafka producer config: request.timeout.ms', url: 'https://kafka.apache.org/documentation/#producerconfigs_request.timeout.ms' },
      { label: 'Kafka design: message delivery semantics', url: 'https://kafka.apache.org/documentation/#semantics' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    const cluster = KafkaCluster.create(world, { brokers: 3, config: DEMO_CLUSTER_CONFIG });
    const tally = producerWorkload(
      cluster,
      'shop',
      { topic: TOPIC, numPartitions: 1, replicationFactor: 3 },
      { acks: 'all', 'enable.idempotence': fix, 'request.timeout.ms': REQUEST_TIMEOUT_MS, 'delivery.timeout.ms': 30_000, 'retry.backoff.ms': 100 },
      { everyUs: ORDER_EVERY_US, count: ORDERS, idPrefix: 'order' },
    );

    let leader: string | undefined;
    scheduleRoleFaults(world, [
      {
        atMs: SLOW_MS,
        pick: () => {
          leader = cluster.inspect().partitions.find((x) => x.topic === TOPIC)?.leader ?? undefined;
          return leader ? [{ kind: 'latency', from: leader, to: 'shop', addUs: ms(SLOW_ADD_MS) }] : [];
        },
      },
      { atMs: FAST_MS, pick: () => (leader ? [{ kind: 'latency', from: leader, to: 'shop', addUs: 0 }] : []) },
    ]);

    const audit = auditTopic(cluster, 'auditor', TOPIC, () => tally.sent === ORDERS && tally.pending === 0);
    return {
      converged: audit.done,
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

function report(world: World): DemoReport {
  const produced = entriesOf(world, DemoKinds.produce).length;
  const acked = entriesOf(world, DemoKinds.ack).length;
  const audit = entriesOf(world, DemoKinds.audit);
  const seen = new Set<string>();
  const duplicates: HistoryEntry[] = [];
  for (const e of audit) {
    if (seen.has(idOf(e))) duplicates.push(e);
    seen.add(idOf(e));
  }
  const faults = entriesOf(world, Kinds.fault).filter((e) => (e.data as { kind?: string }).kind === 'latency');
  const retries = entriesOf(world, KafkaKinds.produceRetry);
  // The append that wrote the first duplicate: the leader's last append covering its offset.
  const dupOffset = duplicates.length > 0 ? (duplicates[0]!.data as { offset: number }).offset : -1;
  const appends = entriesOf(world, KafkaKinds.append).filter((e) => {
    const d = e.data as { topic: string; baseOffset: number; count: number };
    return d.topic === TOPIC && d.baseOffset <= dupOffset && dupOffset < d.baseOffset + d.count;
  });
  const n = duplicates.length;
  return {
    outcome: `produced ${produced}, acknowledged ${acked}, records in the log ${audit.length}: ${plural(n, 'duplicate')} after ${plural(retries.length, 'retried batch', 'retried batches')}`,
    anomaly: n > 0,
    figures: [
      { label: 'produced', value: produced },
      { label: 'retried batches', value: retries.length },
      { label: 'records in the log', value: audit.length },
      { label: 'duplicates', value: n, anomaly: true },
    ],
    moments: inOrder([
      ...momentAt("The leader's answers slow down", faults[0]),
      ...momentAt('A request times out and is retried', retries[0]),
      ...momentAt('The leader appends a duplicate', appends.at(-1)),
      ...momentAt('Answers are fast again', faults[1]),
      ...momentAt('The auditor reads an order twice', duplicates[0]),
    ]),
  };
}
