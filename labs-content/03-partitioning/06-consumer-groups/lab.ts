import { fail, noDuplicateEffect, noLoss, pass, type Checker, type Evidence } from '../../../src/labs/checkers';
import { defineLab } from '../../../src/labs/lab/spec';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds';
import { formatTime } from '../../../src/sim/time';
import { buildGroupsScenario, GROUP, groupsApi, groupsTypes, REBALANCING_KIND } from '../../../src/labs/scenarios/kafka-groups';

const tpName = ([t, p]: [string, number]): string => `${t}-${p}`;

/**
 * No stop-the-world rebalance: no member gives up a partition at a rebalance only to be handed the
 * same partition back. That is what eager assignors do (every member revokes everything, then
 * waits for the new assignment); cooperative-sticky revokes only the partitions that move. The
 * evidence is the longest such stop first: how long partitions that never changed owner stood still.
 */
const onlyMovedPartitionsStop: Checker = (input) => {
  const started = new Map<string, number>();
  const stops: { node: string; partitions: string[]; fromUs: number; us: number; timeUs: number; seq: number; generation: number; protocol: string | null }[] = [];
  let assignments = 0;
  for (const e of input.ofKind(REBALANCING_KIND, KafkaKinds.assign)) {
    if (e.kind === REBALANCING_KIND) {
      if (!started.has(e.node)) started.set(e.node, e.timeUs);
      continue;
    }
    const d = e.data as { group: string; generation: number; protocol: string | null; partitions: [string, number][]; revoked: [string, number][] };
    if (d.group !== GROUP) continue;
    assignments++;
    const fromUs = started.get(e.node) ?? e.timeUs;
    started.delete(e.node);
    const assigned = new Set(d.partitions.map(tpName));
    const stopped = d.revoked.map(tpName).filter((p) => assigned.has(p));
    if (stopped.length > 0) stops.push({ node: e.node, partitions: stopped, fromUs, us: e.timeUs - fromUs, timeUs: e.timeUs, seq: e.seq, generation: d.generation, protocol: d.protocol });
  }
  if (assignments === 0) return fail('the billing group never formed: look for errors from consumerConfig in the console', []);
  if (stops.length === 0) return pass(`${assignments} assignments, and only partitions that changed owner were stopped`);
  const worst = [...stops].sort((a, b) => b.us - a.us || a.timeUs - b.timeUs);
  const evidence: Evidence[] = worst.slice(0, 3).map((x) => ({
    message: `${x.node} gave up ${x.partitions.join(', ')} when the group started rebalancing at ${formatTime(x.fromUs)}, and got ${x.partitions.length === 1 ? 'it' : 'them'} back ${formatTime(x.us)} later (generation ${x.generation}, ${x.protocol ?? 'no'} assignor): ${x.partitions.length === 1 ? 'a partition that did not move' : 'partitions that did not move'} stood still for the whole rebalance`,
    node: x.node,
    timeUs: x.fromUs,
    seq: x.seq,
  }));
  const w = worst[0]!;
  return fail(`${stops.length} time${stops.length === 1 ? '' : 's'} a member stopped partitions it kept; the longest, ${w.node}'s ${w.partitions.join(', ')}, for ${formatTime(w.us)}`, evidence);
};

export default defineLab({
  id: 'consumer-groups',
  title: 'Consumer groups: crashes, scale-out and rebalancing',
  topic: 'partitioning',
  broker: 'kafka',
  objectives: ['lo.partitioning-scaling', 'scaling.consumer-groups', 'scaling.load-balancing', 'delivery.semantics', 'delivery.acknowledgments'],
  summary: 'Billing runs as a consumer group. A third node joins mid-run and one node crashes and comes back. Charge every order exactly once while partitions move, and keep the partitions that do not move flowing during rebalances.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 12_000,
  healMs: 8_000,
  api: groupsApi,
  apiTypes: groupsTypes,
  faults: [
    { at: 7_000, kind: 'crash', node: 'billing-1' },
    { at: 8_000, kind: 'restart', node: 'billing-1' },
  ],
  checks: [
    {
      id: 'no-lost-charge',
      title: 'Every order charged',
      points: 30,
      checker: noLoss({ of: 'acked' }),
      teaches: 'Commit after the charge: when a partition moves or a member crashes, the next owner resumes from the committed offset.',
    },
    {
      id: 'no-double-charge',
      title: 'No order charged twice',
      points: 35,
      checker: noDuplicateEffect(),
      teaches: 'In a group a record is redelivered to whichever member owns its partition next, so duplicates must be caught where the effect happens, not in one member’s memory or database.',
    },
    {
      id: 'only-moved-partitions-stop',
      title: 'Rebalances stop only the partitions that move',
      points: 35,
      checker: onlyMovedPartitionsStop,
      teaches: 'Eager assignors stop every partition of every member at each rebalance; cooperative-sticky keeps the partitions that stay and moves only the rest.',
    },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the evidence of "Rebalances stop only the partitions that move": when did that rebalance start, and what was the group waiting for? Compare with the crash and restart of billing-1 and the kafka.member entries.' },
    { afterFailures: 2, text: 'Hover ConsumerSettings in the editor. Which assignment strategy lets a member keep its partitions while the group rebalances?' },
    { afterFailures: 3, text: 'For an order charged twice, follow both charges back to the billing node that sent each. Were they the same node? Whose database did the second one look in?' },
    { afterFailures: 4, text: 'The check "have I charged this order?" has to be answered where every node’s charges end up. You met the tool for that in the idempotent-consumer lab.' },
  ],
  build: (ctx) =>
    buildGroupsScenario(ctx, {
      orders: 300,
      startMs: 1000,
      orderEveryMs: 33,
      partitions: 6,
      billers: [
        { name: 'billing-1', startMs: 0 },
        { name: 'billing-2', startMs: 0 },
        { name: 'billing-3', startMs: 4000 },
      ],
    }),
});
