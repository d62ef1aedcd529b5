/**
 * The lecture demos (`src/sim/scenarios/demos/`): each runs in Node on its fixed seed, twice with
 * the same historyHash, and its history shows the anomaly it is about; the same story with the fix
 * (`variant: 'fix'`) does not. The assertions read the history itself, not only the demo's own
 * report, so a report that computed the wrong thing would not hide a demo that stopped working.
 */
import { describe, expect, it } from 'vitest';
import { listScenarios, runScenario, scenarioInfo, type ScenarioRunResult } from '../../../src/host/engine';
import { WL } from '../../../src/labs/checkers/workload';
import { AmqpKinds } from '../../../src/sim/broker/amqp/kinds';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds';
import type { HistoryEntry } from '../../../src/sim/history';
import { Kinds } from '../../../src/sim/history';
import { DemoKinds } from '../../../src/sim/scenarios/demos/demo';
import { LWW_KIND } from '../../../src/sim/scenarios/demos/clock-skew-lww';
import { demos } from '../../../src/sim/scenarios';
import type { World } from '../../../src/sim/world';

interface Run {
  result: ScenarioRunResult;
  world: World;
  of: (...kinds: string[]) => HistoryEntry[];
}

function run(name: string, variant?: 'fix'): Run {
  const seed = demos.get(name)!.demo!.seed;
  const { result, world } = runScenario({ scenario: name, seed, variant });
  return { result, world, of: (...kinds) => [...world.history.ofKind(...kinds)] };
}

const id = (e: HistoryEntry): string => String((e.data as { id?: unknown }).id);
const data = <T>(e: HistoryEntry): T => e.data as T;
const ids = (es: HistoryEntry[]): Set<string> => new Set(es.map(id));
const faultsOf = (r: Run, kind: string): HistoryEntry[] => r.of(Kinds.fault).filter((e) => data<{ kind: string }>(e).kind === kind);

/** Ids counted more than once in a list of entries. */
function repeated(es: HistoryEntry[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const e of es) {
    if (seen.has(id(e))) twice.push(id(e));
    seen.add(id(e));
  }
  return twice;
}

describe('the demo gallery', () => {
  it('lists six demos, each with a title, broker, hook, what to watch, a fix and links to the real docs', () => {
    const listed = listScenarios('demos');
    expect(listed.map((d) => d.name)).toEqual(['rabbitmq-auto-ack-crash', 'kafka-acks1-failover', 'kafka-retry-duplicates', 'kafka-rebalance-storm', 'kafka-unclean-election', 'kafka-clock-skew-lww']);
    for (const d of listed) {
      const demo = d.demo!;
      expect(demo.title.length, d.name).toBeGreaterThan(10);
      expect(['Kafka', 'RabbitMQ']).toContain(demo.broker);
      expect(demo.hook.length, d.name).toBeLessThan(100);
      expect(demo.watch.length, d.name).toBeGreaterThan(200);
      expect(demo.fix.label.length).toBeGreaterThan(0);
      expect(demo.docs.length).toBeGreaterThan(0);
      for (const doc of demo.docs) expect(doc.url).toMatch(/^https:\/\/(kafka\.apache\.org|www\.rabbitmq\.com|cwiki\.apache\.org|cassandra\.apache\.org)\//);
      expect(scenarioInfo(d.name).demo).toEqual(demo);
    }
    // The playground's list stays the plain scenarios.
    expect(listScenarios().map((s) => s.name)).toEqual(['echo', 'gossip']);
  });

  it('records the labs\' workload vocabulary, so lab checkers read demo histories too', () => {
    expect({ produce: DemoKinds.produce, ack: DemoKinds.ack, deliver: DemoKinds.deliver, effect: DemoKinds.effect }).toEqual({ produce: WL.produce, ack: WL.ack, deliver: WL.deliver, effect: WL.effect });
  });

  it('refuses a variant on a scenario that is not a demo, and an unknown one', () => {
    expect(() => runScenario({ scenario: 'echo', seed: 1, variant: 'fix' })).toThrow(/only demos have a variant, "fix"/);
    expect(() => runScenario({ scenario: 'kafka-acks1-failover', seed: 1, variant: 'other' as 'fix' })).toThrow(/variant "other" is not known/);
  });
});

describe.each([...demos.keys()])('demo %s', (name) => {
  it('is deterministic: the same seed gives the same historyHash', () => {
    const a = run(name).result;
    const b = run(name).result;
    expect(b.historyHash).toBe(a.historyHash);
    expect(b.demo).toEqual(a.demo);
  });

  it('reports its anomaly, and the fix does not show it', () => {
    const a = run(name).result;
    const f = run(name, 'fix').result;
    expect(a.outcome).not.toMatch(/^limit/);
    expect(f.outcome).not.toMatch(/^limit/);
    expect(a.demo!.anomaly, a.demo!.outcome).toBe(true);
    expect(f.demo!.anomaly, f.demo!.outcome).toBe(false);
    expect(f.variant).toBe('fix');
    const anomalyFigures = a.demo!.figures.filter((x) => x.anomaly);
    expect(anomalyFigures.length).toBeGreaterThan(0);
    for (const fig of anomalyFigures) expect(fig.value, fig.label).toBeGreaterThan(0);
    expect(a.summary.outcome).toBe(a.demo!.outcome);
  });

  it('points its moments at real entries of the run, in order', () => {
    const r = run(name);
    const moments = r.result.demo!.moments;
    expect(moments.length).toBeGreaterThanOrEqual(3);
    for (const m of moments) {
      const e = r.world.history.at(m.seq);
      expect(e.timeUs, m.label).toBe(m.timeUs);
    }
    expect(moments.map((m) => m.seq)).toEqual([...moments].map((m) => m.seq).sort((x, y) => x - y));
  });
});

describe('what each demo shows, read from the history', () => {
  it('auto-ack: the crashed worker held confirmed orders RabbitMQ had already forgotten; manual acks requeue them (https://www.rabbitmq.com/docs/confirms)', () => {
    const r = run('rabbitmq-auto-ack-crash');
    const crash = faultsOf(r, 'crash')[0]!;
    const confirmed = ids(r.of(WL.ack));
    const processed = ids(r.of(WL.effect));
    const lost = [...confirmed].filter((x) => !processed.has(x));
    expect(confirmed.size).toBe(60);
    expect(lost.length).toBeGreaterThan(10);
    // Each lost order was delivered in automatic-ack mode before the crash, and never again.
    const deliveries = r.of(AmqpKinds.deliver);
    for (const x of lost) {
      const got = r.of(WL.deliver).filter((e) => id(e) === x);
      expect(got).toHaveLength(1);
      expect(got[0]!.seq).toBeLessThan(crash.seq);
    }
    expect(deliveries.every((e) => data<{ noAck?: boolean }>(e).noAck === true)).toBe(true);
    expect(r.of(AmqpKinds.requeue)).toHaveLength(0);

    const f = run('rabbitmq-auto-ack-crash', 'fix');
    const fixConfirmed = ids(f.of(WL.ack));
    const fixProcessed = ids(f.of(WL.effect));
    expect([...fixConfirmed].filter((x) => !fixProcessed.has(x))).toEqual([]);
    expect(f.of(AmqpKinds.requeue).length).toBeGreaterThan(0);
    expect(f.of(WL.deliver).some((e) => data<{ redelivered: boolean }>(e).redelivered)).toBe(true);
  });

  it('acks=1: writes acknowledged by the leader alone are missing after a follower takes over, and the old leader truncates them (https://kafka.apache.org/documentation/#producerconfigs_acks)', () => {
    const r = run('kafka-acks1-failover');
    const acked = ids(r.of(WL.ack));
    const inLog = ids(r.of(DemoKinds.audit));
    const lost = [...acked].filter((x) => !inLog.has(x));
    expect(lost.length).toBeGreaterThan(5);
    const crash = faultsOf(r, 'crash')[0]!;
    const newLeader = r.of(KafkaKinds.leader).find((e) => e.seq > crash.seq && data<{ topic: string }>(e).topic === 'payments')!;
    expect(data<{ leader: string }>(newLeader).leader).not.toBe(crash.node);
    const truncate = r.of(KafkaKinds.truncate).find((e) => e.node === crash.node && data<{ topic: string }>(e).topic === 'payments');
    expect(data<{ removed: number }>(truncate!).removed).toBeGreaterThan(0);
    // Every lost write was acknowledged after the followers were cut off and before the crash.
    const partition = faultsOf(r, 'partition')[0]!;
    for (const e of r.of(WL.ack).filter((x) => lost.includes(id(x)))) {
      expect(e.seq).toBeGreaterThan(partition.seq);
      expect(e.seq).toBeLessThan(crash.seq);
    }

    const f = run('kafka-acks1-failover', 'fix');
    const fixInLog = ids(f.of(DemoKinds.audit));
    expect(f.of(WL.ack)).toHaveLength(160);
    expect([...ids(f.of(WL.ack))].filter((x) => !fixInLog.has(x))).toEqual([]);
  });

  it('retries without idempotence: requests that timed out were written twice; an idempotent producer retries as often and writes each once (https://kafka.apache.org/documentation/#producerconfigs_enable.idempotence)', () => {
    const r = run('kafka-retry-duplicates');
    const audit = r.of(DemoKinds.audit);
    expect(repeated(audit).length).toBeGreaterThan(0);
    expect(r.of(KafkaKinds.produceRetry).every((e) => data<{ error: string }>(e).error === 'REQUEST_TIMED_OUT')).toBe(true);
    // Every order is in the log at least once: duplicates, not loss.
    expect(ids(audit)).toEqual(ids(r.of(WL.produce)));

    const f = run('kafka-retry-duplicates', 'fix');
    expect(f.of(KafkaKinds.produceRetry).length).toBeGreaterThan(0);
    expect(repeated(f.of(DemoKinds.audit))).toEqual([]);
    expect(f.of(DemoKinds.audit)).toHaveLength(150);
  });

  it('rebalance storm: polls that outlast max.poll.interval.ms make members leave and rejoin over and over; fewer records a poll keep the group stable (KIP-62)', () => {
    const r = run('kafka-rebalance-storm');
    const timeouts = r.of(KafkaKinds.member).filter((e) => data<{ event: string }>(e).event === 'poll-timeout');
    const rebalances = r.of(KafkaKinds.rebalance).filter((e) => data<{ group: string }>(e).group === 'billing');
    expect(timeouts.length).toBeGreaterThanOrEqual(10);
    expect(rebalances.length).toBeGreaterThanOrEqual(10);
    expect(repeated(r.of(WL.effect)).length).toBeGreaterThan(20);
    // Every worker overran at least once.
    expect(new Set(timeouts.map((e) => e.node))).toEqual(new Set(['worker-1', 'worker-2', 'worker-3']));

    const f = run('kafka-rebalance-storm', 'fix');
    expect(f.of(KafkaKinds.member).filter((e) => data<{ event: string }>(e).event === 'poll-timeout')).toEqual([]);
    expect(f.of(KafkaKinds.rebalance).filter((e) => data<{ group: string }>(e).group === 'billing').length).toBeLessThanOrEqual(3);
    expect(repeated(f.of(WL.effect)).length).toBeLessThan(repeated(r.of(WL.effect)).length / 10);
    const lastEffect = (x: Run): number => x.of(WL.effect).at(-1)!.timeUs;
    expect(lastEffect(f)).toBeLessThan(lastEffect(r));
  });

  it('unclean election: an out-of-sync replica leads and acknowledged writes are gone; without it the partition waits and loses nothing (https://kafka.apache.org/documentation/#design_uncleanleader)', () => {
    const r = run('kafka-unclean-election');
    const unclean = r.of(KafkaKinds.leader).filter((e) => data<{ unclean?: boolean }>(e).unclean === true);
    expect(unclean).toHaveLength(1);
    const inLog = ids(r.of(DemoKinds.audit));
    const lost = [...ids(r.of(WL.ack))].filter((x) => !inLog.has(x));
    expect(lost.length).toBeGreaterThan(20);
    expect(r.of(KafkaKinds.truncate).some((e) => data<{ topic: string; removed: number }>(e).topic === 'ledger' && data<{ removed: number }>(e).removed > 20)).toBe(true);

    const f = run('kafka-unclean-election', 'fix');
    expect(f.of(KafkaKinds.leader).filter((e) => data<{ unclean?: boolean }>(e).unclean === true)).toEqual([]);
    const fixInLog = ids(f.of(DemoKinds.audit));
    expect(f.of(WL.ack)).toHaveLength(200);
    expect([...ids(f.of(WL.ack))].filter((x) => !fixInLog.has(x))).toEqual([]);
  });

  it('clock skew: last-writer-wins on producer timestamps discards writes made later in true time; ordering by the log does not', () => {
    const r = run('kafka-clock-skew-lww');
    const writtenAt = new Map(r.of(WL.produce).map((e) => [id(e), e.timeUs]));
    const lastWrite = id(r.of(WL.produce).at(-1)!);
    const skew = faultsOf(r, 'clockSkew');
    expect(skew.map((e) => data<{ offsetMs: number }>(e).offsetMs)).toEqual([1500, -1500]);
    for (const store of ['store-1', 'store-2']) {
      const decisions = r.of(LWW_KIND).filter((e) => e.node === store);
      const laterLost = decisions.filter((e) => {
        const d = data<{ id: string; applied: boolean; keptId: string }>(e);
        return !d.applied && writtenAt.get(d.id)! > writtenAt.get(d.keptId)!;
      });
      expect(laterLost.length, store).toBeGreaterThan(3);
      // The stores converge, on a value that is not the last write.
      expect(data<{ keptId: string }>(decisions.at(-1)!).keptId).not.toBe(lastWrite);
    }

    const f = run('kafka-clock-skew-lww', 'fix');
    const fixLast = id(f.of(WL.produce).at(-1)!);
    for (const store of ['store-1', 'store-2']) {
      const decisions = f.of(LWW_KIND).filter((e) => e.node === store);
      expect(decisions.every((e) => data<{ applied: boolean }>(e).applied)).toBe(true);
      expect(data<{ keptId: string }>(decisions.at(-1)!).keptId).toBe(fixLast);
    }
  });
});
