import { fail, noLoss, pass, type Checker } from '../../../src/labs/checkers';
import { WL } from '../../../src/labs/checkers/workload';
import { defineLab } from '../../../src/labs/lab/spec';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds';
import { formatTime } from '../../../src/sim/time';
import { buildPaymentsScenario, PAYMENTS_TOPIC, paymentsTypes } from '../../../src/labs/scenarios/kafka-payments';

/** A payment the checkout could not confirm within this long counts as refused: the customer gave up. */
const CONFIRM_US_MAX = 3_000_000;
const CONFIRMED_SHARE_MIN = 0.9;

/** Availability: most payments are acknowledged within CONFIRM_US_MAX of being sent. */
const paymentsConfirmed: Checker = (input) => {
  const sent = new Map<string, number>();
  for (const e of input.ofKind(WL.produce)) sent.set((e.data as { id: string }).id, e.timeUs);
  const ackedAt = new Map<string, number>();
  for (const e of input.ofKind(WL.ack)) {
    const id = (e.data as { id: string }).id;
    if (!ackedAt.has(id)) ackedAt.set(id, e.timeUs);
  }
  if (sent.size === 0) return fail('the checkout sent no payment: did topicConfig() and producerConfig() work? Look for errors in the console', []);
  let confirmed = 0;
  let firstLate: { id: string; sentUs: number } | undefined;
  for (const [id, t] of sent) {
    const a = ackedAt.get(id);
    if (a !== undefined && a - t <= CONFIRM_US_MAX) confirmed++;
    else firstLate ??= { id, sentUs: t };
  }
  const share = confirmed / sent.size;
  const summary = `${confirmed} of ${sent.size} payments (${Math.round(share * 100)}%) were acknowledged within ${formatTime(CONFIRM_US_MAX)}`;
  if (share >= CONFIRMED_SHARE_MIN) return pass(summary);
  return fail(`${summary}; at least ${Math.round(CONFIRMED_SHARE_MIN * 100)}% must be`, firstLate ? [{ message: `payment ${firstLate.id}, sent at ${formatTime(firstLate.sentUs)}, was the first not acknowledged within ${formatTime(CONFIRM_US_MAX)}`, ids: [firstLate.id], timeUs: firstLate.sentUs }] : []);
};

/** No replica outside the ISR was made leader of the payments partition. */
const noUncleanElection: Checker = (input) => {
  for (const e of input.ofKind(KafkaKinds.leader)) {
    const d = e.data as { topic: string; partition: number; leader: string; unclean?: boolean; epoch: number };
    if (d.topic !== PAYMENTS_TOPIC || d.unclean !== true) continue;
    return fail(`${d.leader} became leader of ${d.topic}-${d.partition} from outside the in-sync replicas`, [
      { message: `at ${formatTime(e.timeUs)} the controller elected ${d.leader} leader of ${d.topic}-${d.partition} (epoch ${d.epoch}) although it was not in sync: every record it had not fetched is gone, and the other replicas truncate their logs to match it`, node: e.node, timeUs: e.timeUs, seq: e.seq },
    ]);
  }
  return pass('every leader of the payments partition was an in-sync replica');
};

export default defineLab({
  id: 'acks-and-isr',
  title: 'Acks, in-sync replicas and a leader crash',
  topic: 'durability',
  broker: 'kafka',
  objectives: ['lo.delivery-guarantees', 'lo.broker-architecture', 'delivery.durability', 'delivery.acknowledgments', 'broker.clustering-ha'],
  summary: 'A checkout records each payment in Kafka before it tells the customer "paid", while brokers fail one after another. Choose acks, min.insync.replicas and leader election so that no acknowledged payment is lost, without refusing payments when one broker is down.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 11_000,
  healMs: 8_000,
  apiTypes: paymentsTypes,
  checks: [
    {
      id: 'no-acked-loss',
      title: 'No acknowledged payment lost',
      points: 50,
      checker: noLoss({ of: 'acked' }),
      teaches: 'An acknowledgement is only as durable as the replicas that had the record when it was sent: acks=all, with min.insync.replicas high enough that "all" is never one broker.',
    },
    {
      id: 'payments-confirmed',
      title: 'Nine payments in ten confirmed within 3 s',
      points: 30,
      checker: paymentsConfirmed,
      teaches: 'min.insync.replicas trades availability for durability: with one broker down, writes must still be accepted.',
    },
    {
      id: 'clean-elections',
      title: 'Only in-sync replicas become leader',
      points: 20,
      checker: noUncleanElection,
      teaches: 'Unclean leader election brings a partition back sooner by electing a replica that is missing acknowledged records.',
    },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the first lost payment in the evidence. Which broker acknowledged it, and had any other broker fetched it before that broker crashed? Look at the fetch arrows around that time in the space-time diagram.' },
    { afterFailures: 2, text: 'acks decides how many replicas must have a record before the leader answers. With acks=1 the answer comes after the leader’s own write. What if the leader dies next?' },
    { afterFailures: 3, text: 'acks=all waits for the in-sync replicas, and the ISR shrinks when brokers fail or lag (kafka.isr.shrink). How small may it get before the leader should refuse a payment rather than acknowledge it alone?' },
    { afterFailures: 5, text: 'If every payment is refused while one broker is down, you have gone too far: with three replicas, how many can you require and still survive one broker failure?' },
  ],
  build: (ctx) =>
    buildPaymentsScenario(ctx, {
      startMs: 1000,
      stopMs: 10_000,
      paymentEveryMs: 8,
      nemesis: { isolateLeaderMs: 1500, crashLeaderMs: 1900, restartLeaderMs: 2400, isolateFollowerMs: 3000, crashFollowerMs: 7000, crashLastLeaderMs: 8300, restartAllMs: 8800 },
      auditAtMs: 12_000,
    }),
});
