import { fail, latencySlo, noLoss, pass, perKeyOrder, type Checker, type Evidence } from '../../../src/labs/checkers';
import { WL } from '../../../src/labs/checkers/workload';
import { defineLab } from '../../../src/labs/lab/spec';
import { buildLedgerScenario, ledgerTypes } from '../../../src/labs/scenarios/kafka-ledger';

const PARTITIONS = 6;
const LEDGERS = ['ledger-1', 'ledger-2', 'ledger-3'];
const P99_US_MAX = 500_000;

const percent = (n: number, total: number): string => `${Math.round((100 * n) / Math.max(1, total))}%`;

/**
 * The latency SLO, and when it fails, the diagnosis: how the events were spread over the
 * partitions and the ledger nodes (each effect records the partition it came from).
 */
const appliedPromptly: Checker = (input) => {
  const v = latencySlo({ p99UsMax: P99_US_MAX })(input);
  if (v.passed) return v;
  const byPartition = new Array<number>(PARTITIONS).fill(0);
  const byNode = new Map<string, number>(LEDGERS.map((n) => [n, 0]));
  const seen = new Set<string>();
  for (const e of input.ofKind(WL.effect)) {
    const d = e.data as { id: string; partition?: number };
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    if (typeof d.partition === 'number') byPartition[d.partition] = (byPartition[d.partition] ?? 0) + 1;
    byNode.set(e.node, (byNode.get(e.node) ?? 0) + 1);
  }
  const total = seen.size;
  if (total === 0) return v;
  const busiest = byPartition.indexOf(Math.max(...byPartition));
  const idle = byPartition.flatMap((n, p) => (n === 0 ? [p] : []));
  const evidence: Evidence[] = [
    ...v.evidence,
    {
      message: `partition ${busiest} carried ${byPartition[busiest]} of ${total} events (${percent(byPartition[busiest]!, total)}); per partition: ${byPartition.map((n, p) => `${p}: ${n}`).join(', ')}${idle.length > 0 ? ` — partition${idle.length > 1 ? 's' : ''} ${idle.join(', ')} carried nothing` : ''}`,
    },
    { message: `events applied per ledger node: ${[...byNode].map(([n, c]) => `${n} ${c} (${percent(c, total)})`).join(', ')}` },
  ];
  return fail(v.summary, evidence);
};

export default defineLab({
  id: 'keys-and-ordering',
  title: 'Keys, ordering and the hot partition',
  topic: 'partitioning',
  broker: 'kafka',
  objectives: ['lo.partitioning-scaling', 'lo.ordering-consistency', 'scaling.partitioning', 'scaling.load-balancing', 'scaling.throughput', 'ordering.guarantees'],
  summary: 'An account service publishes every account event to a six-partition Kafka topic, and three ledger consumers apply them. Choose the record key so each account’s events stay in order and no single partition carries the bank.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 8_000,
  healMs: 8_000,
  apiTypes: ledgerTypes,
  checks: [
    { id: 'per-account-order', title: 'Each account’s events applied in order', points: 40, checker: perKeyOrder(), teaches: 'Kafka keeps order only within a partition: every event of one account must carry the same key.' },
    { id: 'every-event-applied', title: 'Every event applied', points: 20, checker: noLoss({ of: 'produced' }), teaches: 'Whatever the key, every event the account service produced reaches the ledger.' },
    { id: 'applied-promptly', title: 'Events applied within half a second (p99)', points: 40, checker: appliedPromptly, teaches: 'A key with few or skewed values makes a hot partition: its one consumer saturates while the others idle.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the evidence of the failed check: how many events did each partition carry, and how many did each ledger node apply? Then look at the lag each ledger node reports over time.' },
    { afterFailures: 2, text: 'The producer hashes the key to choose the partition, and one partition is read by exactly one consumer of the group. How many different values can your key take, and how is the traffic spread over them?' },
    { afterFailures: 3, text: 'Returning null spreads the load, but Kafka only keeps order inside one partition. What is the thing whose events must stay in order, and how many of them are there?' },
  ],
  build: (ctx) => buildLedgerScenario(ctx, { events: 1500, startMs: 1500, burstEveryMs: 8, partitions: PARTITIONS, ledgers: LEDGERS, applyMs: { min: 5, max: 9 } }),
});
