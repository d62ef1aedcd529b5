import { KafkaCluster } from '../../broker/kafka/kafka';
import { KafkaKinds } from '../../broker/kafka/kinds';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { entriesOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';
import { acknowledgedLoss, auditTopic, DEMO_CLUSTER_CONFIG, partitionRoles, producerWorkload } from './kafka-setup';
import { scheduleRoleFaults } from './role-faults';

const TOPIC = 'payments';
const PAYMENTS = 160;
const PAYMENT_EVERY_US = ms(25);
/** The leader is cut off from its followers, then crashes, then comes back. */
const ISOLATE_MS = 2000;
const CRASH_MS = 2500;
const RESTART_MS = 4500;
/** The auditor reads the log once the old leader is back and every payment was answered. */
const AUDIT_FROM_US = ms(5500);

/**
 * acks=1: the leader answers as soon as it has appended the record to its own log, before any
 * follower has fetched it (https://kafka.apache.org/documentation/#producerconfigs_acks: "the
 * leader will write the record to its local log but will respond without awaiting full
 * acknowledgement from all followers. In this case should the leader fail immediately after
 * acknowledging the record but before the followers have replicated it then the record will be
 * lost"). The followers are cut off for half a second, so they are still in the ISR
 * (replica.lag.time.max.ms is 1 s) when the leader crashes: the controller elects one of them,
 * which never had the last half second of payments. When the old leader returns it truncates its
 * log to the new leader's (KIP-101), and the acknowledged payments are gone.
 *
 * The fix, acks=all, makes the leader wait until every in-sync replica has the record: those
 * payments are never acknowledged, the producer retries them on the new leader (idempotently),
 * and nothing acknowledged is lost.
 */
export const kafkaAcksOne: Scenario = {
  name: 'kafka-acks1-failover',
  description: 'demo: Kafka acks=1, the leader crashes before its followers fetch; acknowledged writes are lost',
  chaosUs: ms(6000),
  healUs: ms(6000),
  nodeNames: () => ['controller', 'b1', 'b2', 'b3', 'checkout', 'auditor'],
  demo: {
    title: 'acks=1: the leader fails over, acknowledged writes vanish',
    broker: 'Kafka',
    hook: 'The leader said "written" — and then the record was gone.',
    watch:
      'A checkout records payments in a one-partition topic with three replicas, producer acks=1. At 2.0 s the leader is cut off from its two followers (the producer and the controller still reach it), so it keeps acknowledging payments nobody copies. At 2.5 s it crashes. One second later the controller fences it and elects a follower: still in the ISR, but without the last half second of payments. Watch the checkout keep receiving acknowledgements between 2.0 and 2.5 s, the new leader election, then the old leader truncate its log when it returns. The auditor reads the log at the end: the acknowledged payments it cannot find are lost.',
    seed: 1,
    fix: { label: 'acks=all', explain: 'With acks=all the leader answers only once every in-sync replica has the record; the payments written while the followers were cut off are not acknowledged, and the producer retries them on the new leader.' },
    docs: [
      { label: 'Kafka producer config: acks', url: 'https://kafka.apache.org/documentation/#producerconfigs_acks' },
      { label: 'Kafka design: replication, the ISR and acks', url: 'https://kafka.apache.org/documentation/#replication' },
      { label: 'KIP-101: truncation by leader epoch', url: 'https://cwiki.apache.org/confluence/display/KAFKA/KIP-101+-+Alter+Replication+Protocol+to+use+Leader+Epoch+rather+than+High+Watermark+for+Truncation' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    // The brokers' OS writes dirty pages back within 0.2 s here (Linux: after 30 s), so the crashed
    // leader returns with its log and you can watch it truncate the payments only it had; with
    // Linux's defaults its page cache would have lost them in the crash instead.
    const cluster = KafkaCluster.create(world, { brokers: 3, config: DEMO_CLUSTER_CONFIG, pageCache: { writebackIntervalMs: 100, dirtyExpireMs: 100 } });
    // A request unanswered for 1 s is retried (on the new leader once the producer learns of it).
    const tally = producerWorkload(
      cluster,
      'checkout',
      { topic: TOPIC, numPartitions: 1, replicationFactor: 3 },
      { acks: fix ? 'all' : 1, 'request.timeout.ms': 1000, 'delivery.timeout.ms': 30_000, 'retry.backoff.ms': 100 },
      { everyUs: PAYMENT_EVERY_US, count: PAYMENTS, idPrefix: 'pay' },
    );

    let first: { leader: string; followers: string[] } | undefined;
    scheduleRoleFaults(world, [
      {
        atMs: ISOLATE_MS,
        pick: () => {
          first = partitionRoles(cluster, TOPIC);
          return first ? [{ kind: 'partition', groups: [[first.leader], first.followers], oneWay: false }] : [];
        },
      },
      { atMs: CRASH_MS, pick: () => (first ? [{ kind: 'crash', node: first.leader }, { kind: 'heal' }] : []) },
      { atMs: RESTART_MS, pick: () => (first ? [{ kind: 'restart', node: first.leader }] : []) },
    ]);

    const audit = auditTopic(cluster, 'auditor', TOPIC, () => world.nowUs >= AUDIT_FROM_US && tally.sent === PAYMENTS && tally.pending === 0);
    return {
      converged: audit.done,
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

function report(world: World): DemoReport {
  const { produced, acked, inLog, lostAcks, figures, faults } = acknowledgedLoss(world);
  const crash = faults.find((e) => (e.data as { kind?: string }).kind === 'crash');
  const leaders = entriesOf(world, KafkaKinds.leader).filter((e) => (e.data as { topic?: string; reason?: string }).topic === TOPIC && (e.data as { reason?: string }).reason !== 'topic created');
  const truncate = entriesOf(world, KafkaKinds.truncate).find((e) => (e.data as { topic?: string }).topic === TOPIC);
  const lost = lostAcks.length;
  return {
    outcome: `produced ${produced}, acknowledged ${acked}, in the log after the failover ${inLog}: ${plural(lost, 'acknowledged write')} lost`,
    anomaly: lost > 0,
    figures,
    moments: inOrder([
      ...momentAt('Followers cut off from the leader', faults.find((e) => (e.data as { kind?: string }).kind === 'partition')),
      ...momentAt('First lost write acknowledged', lostAcks[0]),
      ...momentAt('The leader crashes', crash),
      ...momentAt('A follower is elected leader', leaders.find((e) => crash === undefined || e.seq > crash.seq)),
      ...momentAt('The old leader truncates its log', truncate),
    ]),
  };
}
