import type { Consumer } from '../../broker/kafka/consumer';
import { KafkaCluster } from '../../broker/kafka/kafka';
import type { Producer } from '../../broker/kafka/producer';
import type { HistoryEntry } from '../../history';
import { Kinds } from '../../history';
import type { SimNode } from '../../node';
import { SimPromise } from '../../sim-promise';
import { ms } from '../../time';
import type { World } from '../../world';
import type { Scenario, ScenarioOptions } from '../scenario';
import { DemoKinds, entriesOf, idOf, inOrder, momentAt, plural, summaryOf, type DemoReport } from './demo';
import { createTopicWhenReady } from '../../broker/kafka/topic-ready';
import { DEMO_CLUSTER_CONFIG } from './kafka-setup';

const KEY = 'user-42';
const REGIONS = ['eu', 'us'] as const;
const WRITES = 17;
const WRITE_EVERY_US = ms(200);
const FIRST_WRITE_US = ms(400);
const STORES = ['store-1', 'store-2'];
/** app-eu's clock jumps 1.5 s ahead at 1.1 s and is corrected (NTP) at 3.1 s. */
const SKEW_AT_MS = 1100;
const CORRECT_AT_MS = 3100;
const SKEW_MS = 1500;

/** What a store decided about one update: `demo.lww` `{ store, id, tsMs, applied, keptId }`. */
export const LWW_KIND = 'demo.lww';

/**
 * Last-writer-wins by timestamp: two regions update the same user profile, each producing to its
 * own topic, and every store resolves the updates by the records' timestamps, keeping the one with
 * the highest (as Cassandra resolves cells, https://cassandra.apache.org/doc/latest/cassandra/architecture/dynamo.html).
 * A record's timestamp is the producer's wall clock (`message.timestamp.type=CreateTime`, Kafka's
 * default: https://kafka.apache.org/documentation/#topicconfigs_message.timestamp.type), so it is
 * only as good as that clock. app-eu's clock jumps 1.5 s ahead (a `clockSkew` fault): from then
 * on its updates carry timestamps from the future and beat the updates app-us makes after them.
 * Even after NTP corrects the clock, the future timestamp already stored keeps winning for 1.5 s.
 * The stores agree with each other — LWW converges — on a value that is not the last one written.
 *
 * The fix does not trust wall clocks to order writes: both regions write the user's updates to
 * one partition, keyed by user, and stores apply them in log order, so the broker's append order
 * decides which write is last.
 */
export const clockSkewLww: Scenario = {
  name: 'kafka-clock-skew-lww',
  description: 'demo: last-writer-wins on producer timestamps; a clock 1.5 s ahead makes later writes lose',
  chaosUs: ms(5000),
  healUs: ms(3000),
  nodeNames: () => ['controller', 'b1', 'b2', 'b3', 'app-eu', 'app-us', ...STORES],
  demo: {
    title: 'Clock skew breaks last-writer-wins',
    broker: 'Kafka',
    hook: 'One clock runs 1.5 s fast, and the newest write quietly loses.',
    watch:
      "Two regions update the same user's profile in turn, every 0.2 s, each through its own topic; two stores read both topics and keep, for each user, the update with the highest record timestamp — last-writer-wins. The timestamp is the producer's wall clock (CreateTime). At 1.1 s app-eu's clock jumps 1.5 s ahead: watch its updates win and app-us's later updates be discarded by both stores. At 3.1 s NTP corrects the clock, yet the stores keep discarding newer updates until true time catches up with the stored timestamp. The stores agree, but on a value that is not the last one written.",
    seed: 1,
    fix: { label: 'order by the log, not the clock', explain: "Both regions write the user's updates to one partition keyed by user, and the stores apply them in offset order: the broker's append order decides which write is last, whatever the clocks say." },
    docs: [
      { label: 'Kafka topic config: message.timestamp.type', url: 'https://kafka.apache.org/documentation/#topicconfigs_message.timestamp.type' },
      { label: 'Kafka design: ordering within a partition', url: 'https://kafka.apache.org/documentation/#intro_concepts_and_terms' },
      { label: 'Cassandra: last-write-wins by timestamp', url: 'https://cassandra.apache.org/doc/latest/cassandra/architecture/dynamo.html' },
    ],
  },
  build(world: World, opts: ScenarioOptions) {
    const fix = opts.variant === 'fix';
    const cluster = KafkaCluster.create(world, { brokers: 3, config: DEMO_CLUSTER_CONFIG });
    const topicOf = (region: string): string => (fix ? 'profiles' : `profiles.${region}`);
    const topics = fix ? ['profiles'] : REGIONS.map(topicOf);
    const apps = REGIONS.map((r) => cluster.client(`app-${r}`));
    const storeClients = STORES.map((s) => cluster.client(s));
    const eu = world.node('app-eu');
    let ready = 0;
    for (const topic of topics) {
      createTopicWhenReady(apps[0]!.admin(), eu, { topic, numPartitions: 1, replicationFactor: 3 }).onSettled((created) => {
        if (created.state === 'rejected') return eu.log(`topic ${topic} could not be created: ${(created.reason as Error).message}`, 'error');
        if (++ready < topics.length) return;
        const producers = apps.map((a) => a.producer({ acks: 'all' }));
        SimPromise.all(producers.map((p) => p.connect())).onSettled(() => startWrites(world, producers, topicOf));
        for (const [i, kafka] of storeClients.entries()) startStore(world, kafka.nodeName, kafka.consumer({ 'group.id': STORES[i]!, 'auto.offset.reset': 'earliest' }), topics, fix);
      });
    }
    return {
      faults: [
        { atUs: ms(SKEW_AT_MS), kind: 'clockSkew', node: 'app-eu', offsetUs: ms(SKEW_MS) },
        { atUs: ms(CORRECT_AT_MS), kind: 'clockSkew', node: 'app-eu', offsetUs: -ms(SKEW_MS) },
      ],
      converged: () => STORES.every((s) => entriesOf(world, LWW_KIND).filter((e) => e.node === s).length >= WRITES),
      summary: () => summaryOf(report(world)),
      report: () => report(world),
    };
  },
};

/** The regions take turns: app-eu writes update 1, app-us update 2, and so on. */
function startWrites(world: World, producers: Producer[], topicOf: (region: string) => string): void {
  for (let i = 1; i <= WRITES; i++) {
    const r = (i - 1) % REGIONS.length;
    const node = world.node(`app-${REGIONS[r]}`);
    node.setTimer(Math.max(0, FIRST_WRITE_US + (i - 1) * WRITE_EVERY_US - node.nowUs), () => {
      const id = `${REGIONS[r]}-${i}`;
      node.record(DemoKinds.produce, { id, key: KEY });
      producers[r]!.send({ topic: topicOf(REGIONS[r]!), messages: [{ key: KEY, value: id }] }).onSettled((p) => {
        if (p.state === 'fulfilled') node.record(DemoKinds.ack, { id });
      });
    });
  }
}

/**
 * A store: it reads every region's updates and keeps one value per user. Last-writer-wins keeps
 * the update with the highest timestamp (ties broken by the update's id, so every store decides
 * alike); in log order (the fix) every update replaces the one before it.
 */
function startStore(world: World, name: string, consumer: Consumer, topics: string[], logOrder: boolean): void {
  const node: SimNode = world.node(name);
  let kept: { id: string; tsMs: number } | undefined;
  void consumer.connect();
  void consumer.subscribe({ topics, fromBeginning: true });
  void consumer.run({
    eachMessage: ({ message }) => {
      const id = message.value ?? '';
      const tsMs = Number(message.timestamp);
      const wins = logOrder || kept === undefined || tsMs > kept.tsMs || (tsMs === kept.tsMs && id > kept.id);
      if (wins) kept = { id, tsMs };
      node.record(LWW_KIND, { store: name, id, tsMs, applied: wins, keptId: kept!.id });
    },
  });
}

function report(world: World): DemoReport {
  const produced = entriesOf(world, DemoKinds.produce);
  const writtenAt = new Map(produced.map((e) => [idOf(e), e.timeUs]));
  const decisions = entriesOf(world, LWW_KIND);
  const first = decisions.filter((e) => e.node === STORES[0]);
  // A later write lost: the store kept a value written before it, in true time.
  const laterLost = first.filter((e) => {
    const d = e.data as { id: string; applied: boolean; keptId: string };
    return !d.applied && (writtenAt.get(d.id) ?? 0) > (writtenAt.get(d.keptId) ?? 0);
  });
  const finals = STORES.map((s) => (decisions.filter((e) => e.node === s).at(-1)?.data as { keptId?: string } | undefined)?.keptId ?? '—');
  const last = produced.at(-1);
  const lastId = last === undefined ? '—' : idOf(last);
  const agree = finals.every((f) => f === finals[0]);
  const skews = entriesOf(world, Kinds.fault).filter((e) => (e.data as { kind?: string }).kind === 'clockSkew');
  const finalWrong = finals[0] !== lastId;
  const lastDecision: HistoryEntry | undefined = first.find((e) => (e.data as { id: string }).id === lastId);
  return {
    outcome: `${plural(produced.length, 'write')} to ${KEY}: ${STORES[0]} discarded ${plural(laterLost.length, 'later write')} in favour of earlier ones; the stores ${agree ? 'agree on' : 'disagree:'} ${agree ? finals[0] : finals.join(' / ')}, and the last write was ${lastId}`,
    anomaly: laterLost.length > 0,
    figures: [
      { label: 'writes', value: produced.length },
      { label: 'later writes discarded', value: laterLost.length, anomaly: true },
      { label: 'stores holding the last write', value: finals.filter((f) => f === lastId).length },
    ],
    moments: inOrder([
      ...momentAt("app-eu's clock jumps 1.5 s ahead", skews[0]),
      ...momentAt('A later write loses to an earlier one', laterLost[0]),
      ...momentAt("NTP corrects app-eu's clock", skews[1]),
      ...momentAt('The last write is made', last),
      ...momentAt(finalWrong ? `${STORES[0]} discards the last write` : `${STORES[0]} applies the last write`, lastDecision),
    ]),
  };
}
