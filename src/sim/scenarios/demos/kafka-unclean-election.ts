import { KafkaCluster } from '../../broker/kafka/kafka';
import { KafkaKinds } from '../../broker/kafka/kinds';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { entriesOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';
import { acknowledgedLoss, auditTopic, DEMO_CLUSTER_CONFIG, partitionRoles, producerWorkload } from './kafka-setup';
import { scheduleRoleFaults } from './role-faults';

const TOPIC = 'ledger';
const ENTRIES = 200;
const ENTRY_EVERY_US = ms(25);
const FOLLOWERS_CRASH_MS = 1500;
const LEADER_CUT_OFF_MS = 3500;
const FOLLOWERS_RESTART_MS = 4000;
const HEAL_MS = 6000;
const AUDIT_FROM_US = ms(6500);

/**
 * Unclean leader election (https://kafka.apache.org/documentation/#design_uncleanleader): when
 * every in-sync replica is gone, Kafka either waits for one of them to come back, or — with
 * `unclean.leader.election.enable=true` — elects "the first replica (not necessarily in the
 * ISR) that comes back to life", accepting that "we will lose all messages that were written to
 * the leader" after that replica fell out of sync.
 *
 * Both followers crash, so after the session timeout the ISR is the leader alone and acks=all
 * writes are acknowledged by it alone (min.insync.replicas is 1, Kafka's default). Then the leader
 * drops off the network and the followers come back: no in-sync replica is reachable, and the
 * controller elects a follower that missed two seconds of acknowledged writes. When the old
 * leader returns it truncates its log to the new leader's (KIP-101) and those writes are gone.
 *
 * The fix keeps `unclean.leader.election.enable=false` (Kafka's default): the partition stays
 * offline — writes wait and retry — until its last in-sync replica returns, and nothing is lost.
 * (min.insync.replicas=2 would also have refused the writes while the leader was alone.)
 */
export const kafkaUncleanElection: Scenario = {
  name: 'kafka-unclean-election',
  description: 'demo: Kafka unclean leader election makes an out-of-sync replica leader; acknowledged writes are lost',
  chaosUs: ms(7000),
  healUs: ms(8000),
  nodeNames: () => ['controller', 'b1', 'b2', 'b3', 'bank', 'auditor'],
  demo: {
    title: 'Unclean leader election: an out-of-sync replica takes over',
    broker: 'Kafka',
    hook: 'Availability first: the cluster elects a replica that missed two seconds of writes.',
    watch:
      'A bank writes ledger entries to a one-partition topic with three replicas: producer acks=all, topic unclean.leader.election.enable=true. At 1.5 s both followers crash: a second later the controller fences them, the ISR is the leader alone, and acks=all writes are acknowledged by it alone. At 3.5 s the leader drops off the network and at 4.0 s the followers return, two seconds behind. No in-sync replica is reachable, so the controller elects a follower anyway (the leader entry says unclean). Watch the writes resume on the new leader, then the old leader return at 6.0 s and truncate the entries only it had. The auditor counts the acknowledged entries missing from the log.',
    seed: 1,
    fix: { label: 'unclean.leader.election.enable=false', explain: "Kafka's default: with no in-sync replica reachable the partition stays offline; the producer's writes wait and retry until the old leader returns with every acknowledged entry." },
    docs: [
      { label: 'Kafka design: unclean leader election', url: 'https://kafka.apache.org/documentation/#design_uncleanleader' },
      { label: 'Kafka topic config: unclean.leader.election.enable', url: 'https://kafka.apache.org/documentation/#topicconfigs_unclean.leader.election.enable' },
      { label: 'Kafka topic config: min.insync.replicas', url: 'https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    // Dirty pages are written back within 0.2 s (Linux: 30 s), so the crashed followers come back
    // with what they had replicated, and the loss shown is the election's, not the page cache's.
    const cluster = KafkaCluster.create(world, { brokers: 3, config: DEMO_CLUSTER_CONFIG, pageCache: { writebackIntervalMs: 100, dirtyExpireMs: 100 } });
    // Without idempotence, as KafkaJS's producer defaults to: the demo is about the election. (An
    // idempotent producer meets a leader that lost its sequence numbers: the Java client then
    // bumps its epoch, KIP-360, which this model does only after a batch fails for good.)
    const tally = producerWorkload(
      cluster,
      'bank',
      { topic: TOPIC, numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'unclean.leader.election.enable', value: String(!fix) }] },
      { acks: 'all', 'enable.idempotence': false, 'request.timeout.ms': 1000, 'delivery.timeout.ms': 30_000, 'retry.backoff.ms': 100 },
      { everyUs: ENTRY_EVERY_US, count: ENTRIES, idPrefix: 'entry' },
    );

    let roles: { leader: string; followers: string[] } | undefined;
    scheduleRoleFaults(world, [
      {
        atMs: FOLLOWERS_CRASH_MS,
        pick: () => {
          roles = partitionRoles(cluster, TOPIC);
          return roles ? roles.followers.map((node) => ({ kind: 'crash' as const, node })) : [];
        },
      },
      {
        atMs: LEADER_CUT_OFF_MS,
        pick: () => (roles ? [{ kind: 'partition', groups: [[roles.leader], world.nodeNames().filter((n) => n !== roles!.leader)], oneWay: false }] : []),
      },
      { atMs: FOLLOWERS_RESTART_MS, pick: () => (roles ? roles.followers.map((node) => ({ kind: 'restart' as const, node })) : []) },
      { atMs: HEAL_MS, pick: () => [{ kind: 'heal' }] },
    ]);

    const audit = auditTopic(cluster, 'auditor', TOPIC, () => world.nowUs >= AUDIT_FROM_US && tally.sent === ENTRIES && tally.pending === 0);
    return {
      converged: audit.done,
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

function report(world: World): DemoReport {
  const { produced, acked, inLog, lostAcks, figures, faults } = acknowledgedLoss(world);
  const ofTopic = (kind: string) => entriesOf(world, kind).filter((e) => (e.data as { topic?: string }).topic === TOPIC);
  const shrinkToOne = ofTopic(KafkaKinds.isrShrink).find((e) => (e.data as { isr: string[] }).isr.length === 1);
  const unclean = ofTopic(KafkaKinds.leader).find((e) => (e.data as { unclean?: boolean }).unclean === true);
  const lost = lostAcks.length;
  return {
    outcome: `produced ${produced}, acknowledged ${acked}, in the log after the election ${inLog}: ${plural(lost, 'acknowledged write')} lost${unclean ? ' to an unclean election' : ''}`,
    anomaly: lost > 0,
    figures,
    moments: inOrder([
      ...momentAt('Both followers crash', faults.find((e) => (e.data as { kind?: string }).kind === 'crash')),
      ...momentAt('The ISR is the leader alone', shrinkToOne),
      ...momentAt('First lost write acknowledged', lostAcks[0]),
      ...momentAt('The leader drops off the network', faults.find((e) => (e.data as { kind?: string }).kind === 'partition')),
      ...momentAt('An out-of-sync replica is elected (unclean)', unclean),
      ...momentAt('The old leader truncates its log', ofTopic(KafkaKinds.truncate)[0]),
    ]),
  };
}
