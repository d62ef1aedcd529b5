import { Consumer } from '../../sim/broker/kafka/consumer';
import { KafkaCluster, attachKafkaClient } from '../../sim/broker/kafka/kafka';
import { Producer } from '../../sim/broker/kafka/producer';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import { WL } from '../checkers/workload';
import type { LabBuildContext, LabInstance } from '../lab/spec';
import { KEY_CHARS_MAX, type Json } from '../sandbox/api';
import { LearnerKinds } from '../sandbox/kinds';
import { createTopicWhenReady } from '../../sim/broker/kafka/topic-ready';
import type { LearnerBehavior } from '../sandbox/learner-node';

/**
 * The ledger story of the partitioning labs: a bank's account service publishes every account
 * event (deposits, withdrawals, fees) to the Kafka topic `account-events`; a consumer group of
 * three ledger nodes applies them to balances. The learner's code runs on the account service and
 * decides each record's key (`keyFor(event)`); the producer partitions by that key exactly as
 * Kafka does (murmur2 for a key, sticky for null). Applying an account's events out of order is a
 * bug (a withdrawal before the deposit that covers it), and a key with few values, or skewed ones,
 * piles the traffic onto one partition and its one consumer.
 */

type Region = 'eu' | 'us' | 'ap' | 'sa';

/** One account event, as `keyFor` receives it. Each account numbers its events 1, 2, 3, … */
export interface AccountEvent {
  eventId: string;
  accountId: string;
  seq: number;
  region: Region;
  kind: 'deposit' | 'withdrawal' | 'fee' | 'interest';
  amountCents: number;
}

/** The `.d.ts` text learners see for this lab. */
export const ledgerTypes = `/** One account event, as \`keyFor\` receives it. Each account numbers its own events 1, 2, 3, … */
export interface AccountEvent {
  /** Unique per event: \`\${accountId}#\${seq}\`. */
  eventId: string;
  /** The account, "acct-001" to "acct-120". */
  accountId: string;
  /** This account's event number: the ledger must apply an account's events in this order. */
  seq: number;
  /** Where the account is held. Most accounts are in the EU. */
  region: 'eu' | 'us' | 'ap' | 'sa';
  kind: 'deposit' | 'withdrawal' | 'fee' | 'interest';
  amountCents: number;
}

/** Export \`keyFor\`: the account service calls it for every event and sends the event with that Kafka record key (\`null\`: no key). */
export type KeyFor = (event: AccountEvent) => string | null;`;

export interface LedgerOptions {
  /** Events the account service publishes, from `startMs` on, in bursts of one to three per account. */
  events: number;
  startMs: number;
  /** Mean gap between bursts. */
  burstEveryMs: number;
  partitions: number;
  /** Ledger nodes, one consumer each, one group. */
  ledgers: string[];
  /** How long applying one event takes on a ledger node (ms). */
  applyMs: { min: number; max: number };
}

/** Accounts by region: most of the bank's customers are in the EU. Accounts are numbered in this order. */
const REGION_ACCOUNTS: readonly [Region, number][] = [
  ['eu', 72],
  ['us', 24],
  ['ap', 14],
  ['sa', 10],
];
const KINDS: readonly AccountEvent['kind'][] = ['deposit', 'withdrawal', 'withdrawal', 'fee', 'interest'];

/** The learner's account service: the producer, whose learner code decides every key. */
export const ACCOUNTS_NODE = 'accounts';
export const LEDGER_TOPIC = 'account-events';
const GROUP = 'ledger';
/** How often each ledger node reports its lag. */
const LAG_SAMPLE_US = 250_000;

export function buildLedgerScenario(ctx: LabBuildContext, opts: LedgerOptions): LabInstance {
  const { world } = ctx;
  const cluster = KafkaCluster.create(world, { brokers: 3, config: { 'group.initial.rebalance.delay.ms': 0, 'auto.create.topics.enable': false } });
  const brokers = [...cluster.brokerNames];
  const admin = cluster.client('admin');
  const ready = createTopicWhenReady(admin.admin(), world.node('admin'), { topic: LEDGER_TOPIC, numPartitions: opts.partitions, replicationFactor: 3 });

  let produced = 0;
  let settled = 0;
  const applied = new Set<string>();

  const accounts: { id: string; region: Region; seq: number }[] = [];
  for (const [region, n] of REGION_ACCOUNTS) for (let i = 0; i < n; i++) accounts.push({ id: `acct-${String(accounts.length + 1).padStart(3, '0')}`, region, seq: 0 });

  // The account service: host code makes the events; the learner's keyFor picks each record's key.
  const node = ctx.learnerNode(ACCOUNTS_NODE);
  ready.onSettled(() => {
    // A few milliseconds of linger fill batches. Without a key the sticky partitioner moves to
    // another partition with every batch it completes, as Kafka's producer does.
    const producer = new Producer(attachKafkaClient(node, brokers), { acks: 'all', 'linger.ms': 5 });
    const noticed = new Set<string>();
    // Each distinct problem once, as the learner runtime reports refused calls.
    const problem = (text: string): void => {
      if (noticed.has(text)) return;
      noticed.add(text);
      node.record(LearnerKinds.error, { handler: 'keyFor', kind: 'threw', name: 'TypeError', message: text, text });
    };
    const publish = (event: AccountEvent): void => {
      const learner = node.peek<LearnerBehavior>();
      const sb = learner?.sandbox;
      if (!sb) return;
      sb.invoke('keyFor', event as unknown as Json, (r) => {
        // A keyFor that threw was recorded by the sandbox; a missing export was not. Either way the event is not sent.
        if (!r.ok) return void (r.reported || problem(r.problem.text));
        const key = r.value;
        if (key !== null && (typeof key !== 'string' || key.length > KEY_CHARS_MAX)) {
          problem(`keyFor must return a string of at most ${KEY_CHARS_MAX} characters, or null; it returned ${JSON.stringify(key)?.slice(0, 80)} for ${event.eventId}, so that event was not sent`);
          return;
        }
        producer.send({ topic: LEDGER_TOPIC, messages: [{ key, value: JSON.stringify(event) }] }).onSettled(() => void settled++);
      });
    };
    const rng = node.rng.fork('ledger:workload');
    const burst = (): void => {
      if (produced >= opts.events) return;
      const account = accounts[rng.int(0, accounts.length - 1)]!;
      const size = rng.int(1, 3);
      // One account's events come close together (a transfer and its fee, say): 1–2 ms apart.
      let atUs = 0;
      for (let i = 0; i < size; i++) {
        node.setTimer(atUs, () => {
          if (produced >= opts.events) return;
          account.seq++;
          produced++;
          const event: AccountEvent = {
            eventId: `${account.id}#${account.seq}`,
            accountId: account.id,
            seq: account.seq,
            region: account.region,
            kind: account.seq === 1 ? 'deposit' : KINDS[rng.int(0, KINDS.length - 1)]!,
            amountCents: 100 * rng.int(1, 500),
          };
          node.record(WL.produce, { id: event.eventId, key: event.accountId });
          publish(event);
        });
        atUs += rng.int(1_000, 2_000);
      }
      node.setTimer(Math.round(opts.burstEveryMs * 1000 * (0.5 + rng.next())), burst);
    };
    producer.connect().onSettled(() => node.setTimer(Math.max(0, opts.startMs * 1000 - node.nowUs), burst));
  });

  // Consumers start once the topic exists: subscribing earlier would auto-create it with one partition.
  const ledgers: Ledger[] = [];
  ready.onSettled(() => {
    for (const name of opts.ledgers) ledgers.push(ledgerNode(cluster, name, opts, applied));
  });

  // A monitor samples each ledger node's lag as an operator's dashboard would: for the partitions
  // the node owns, how far the partition's high watermark is ahead of what the node has applied.
  world.addNode('monitor', (monitor) => {
    const sample = (): void => {
      if (ledgers.length > 0) {
        const view = cluster.inspect();
        const hw = new Map(view.partitions.filter((p) => p.topic === LEDGER_TOPIC).map((p) => [p.partition, p.highWatermark]));
        const committed = new Map((view.groups.find((g) => g.groupId === GROUP)?.offsets ?? []).filter((o) => o.topic === LEDGER_TOPIC).map((o) => [o.partition, o.committed]));
        for (const l of ledgers) {
          const partitions = l.consumer.assignment().map((p) => p.partition);
          const lag = partitions.reduce((sum, p) => sum + Math.max(0, (hw.get(p) ?? 0) - Math.max(l.applied.get(p) ?? 0, committed.get(p) ?? 0)), 0);
          monitor.record(WL.lag, { consumer: l.name, lag, partitions });
        }
      }
      monitor.setTimer(LAG_SAMPLE_US, sample);
    };
    monitor.setTimer(LAG_SAMPLE_US, sample);
    return {};
  });

  return {
    // The heal phase ends once every event that was sent has been applied.
    converged: () => produced >= opts.events && settled >= produced && applied.size >= produced,
  };
}

interface Ledger {
  name: string;
  consumer: Consumer;
  /** Per partition, the offset after the last event this node applied. */
  applied: Map<number, number>;
}

/** A ledger node: one consumer of the group, applying each event (it takes a few milliseconds). */
function ledgerNode(cluster: KafkaCluster, name: string, opts: LedgerOptions, appliedIds: Set<string>): Ledger {
  const kafka = cluster.client(name);
  const node: SimNode = cluster.world.node(name);
  const consumer: Consumer = kafka.consumer({
    'group.id': GROUP,
    'auto.offset.reset': 'earliest',
    'auto.commit.interval.ms': 1000,
    'session.timeout.ms': 10_000,
    'heartbeat.interval.ms': 1000,
  });
  const applied = new Map<number, number>();
  void consumer.connect();
  void consumer.subscribe({ topic: LEDGER_TOPIC, fromBeginning: true });
  void consumer.run({
    eachMessage: ({ partition, message }) => {
      const done = new SimPromise<void>();
      let event: AccountEvent;
      try {
        event = JSON.parse(message.value ?? 'null') as AccountEvent;
      } catch {
        done.resolve();
        return done;
      }
      node.setTimer(node.rng.int(opts.applyMs.min * 1000, opts.applyMs.max * 1000), () => {
        node.record(WL.effect, { id: event.eventId, key: event.accountId, seq: event.seq, partition });
        appliedIds.add(event.eventId);
        applied.set(partition, Number(message.offset) + 1);
        done.resolve();
      });
      return done;
    },
  });
  return { name, consumer, applied };
}
