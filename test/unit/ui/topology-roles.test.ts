import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runScenario } from '../../../src/host/engine';
import { loadLabs } from '../../../src/host/labs-node';
import { runLab, type LoadedLab } from '../../../src/labs/lab';
import { loadQuickJS, prepareLearnerProgram } from '../../../src/labs/sandbox';
import type { HistoryEntry } from '../../../src/sim';
import { RabbitCluster } from '../../../src/sim/broker/amqp';
import { KafkaCluster } from '../../../src/sim/broker/kafka';
import type { World } from '../../../src/sim/world';
import { HistoryStore } from '../../../src/ui/history/history-store';
import { topologyRoles, type TopologyRoles } from '../../../src/ui/views/topology/topology-roles';

/**
 * The topology's captions and roles list say what each node hosts or does at the moment, from the
 * history alone. Real lab runs are streamed into a HistoryStore as the page feeds it, and the roles
 * at a moment are compared with what the brokers' own inspectors report (`KafkaCluster.inspect()`,
 * `RabbitCluster.queues()`) at that moment: every leader on its broker, every live follower and its
 * ISR membership, the controller, each consumer's assignment, each queue on its node.
 */

await loadQuickJS();
let labs: LoadedLab[] = [];
beforeAll(async () => {
  labs = await loadLabs();
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Run<C, F> {
  cluster: C;
  store: HistoryStore;
  entries: HistoryEntry[];
  /** The model read between two events at some moments of the run, with the last entry recorded by then. */
  probes: { seq: number; model: F }[];
}

function runWithProbes<C extends { world: World }, F>(labId: string, seed: number, target: { create(world: World, opts?: never): C }, read: (c: C) => F, probeMs: number[]): Run<C, F> {
  const lab = labs.find((l) => l.spec.id === labId)!;
  const p = prepareLearnerProgram(lab.solution, { filename: 'solution.ts' });
  if (!p.ok) throw new Error(p.problem.text);
  const clusters: C[] = [];
  const probes: Run<C, F>['probes'] = [];
  const create = target.create.bind(target);
  vi.spyOn(target, 'create').mockImplementation((world: World, o?: never) => {
    const cluster = create(world, o);
    clusters.push(cluster);
    for (const ms of probeMs) world.kernel.at(ms * 1000, () => probes.push({ seq: world.history.length - 1, model: read(cluster) }));
    return cluster;
  });
  const store = new HistoryStore();
  store.begin();
  const { world } = runLab(lab, p.program, { seed, batchSize: 256, onBatch: (batch) => store.appendJson(JSON.stringify(batch)) });
  store.complete();
  vi.restoreAllMocks();
  expect(clusters.length).toBe(1);
  return { cluster: clusters[0]!, store, entries: [...world.history.entries()], probes };
}

function rolesAt(store: HistoryStore, seq: number): TopologyRoles {
  return topologyRoles({
    names: store.nodes.names,
    seq,
    kafka: store.kafka.present ? store.kafka.at(seq) : null,
    amqp: store.amqp.present ? store.amqp.at(seq) : null,
    roles: store.roles,
    clientOfChannel: (ch) => store.amqp.clientOfChannel(ch),
  });
}

/** Leaders and live followers by partition, as the roles list shows them: `topic-p` → broker / [broker, in ISR]. */
function hostedFromRoles(t: TopologyRoles) {
  const leaders = new Map<string, string[]>();
  const followers = new Map<string, [string, boolean][]>();
  for (const n of t.nodes) {
    for (const p of n.partitions) {
      const k = `${p.topic}-${p.partition}`;
      if (p.leads) leaders.set(k, [...(leaders.get(k) ?? []), n.node]);
      else followers.set(k, [...(followers.get(k) ?? []), [n.node, p.inIsr]]);
    }
  }
  return { leaders, followers };
}

/** Compares, and says how many partitions were compared. */
function expectKafkaAgrees(t: TopologyRoles, ins: ReturnType<KafkaCluster['inspect']>): number {
  const { leaders, followers } = hostedFromRoles(t);
  const userParts = ins.partitions.filter((p) => !p.topic.startsWith('__'));
  for (const p of userParts) {
    const k = `${p.topic}-${p.partition}`;
    expect(leaders.get(k) ?? [], `leader of ${k}`).toEqual(p.leader === null ? [] : [p.leader]);
    const live = p.replicas.filter((r) => r.role === 'follower' && r.broker !== p.leader).map((r): [string, boolean] => [r.broker, p.isr.includes(r.broker)]);
    const byName = (a: [string, boolean], b: [string, boolean]): number => a[0].localeCompare(b[0]);
    expect((followers.get(k) ?? []).slice().sort(byName), `followers of ${k}`).toEqual(live.sort(byName));
  }
  if (userParts.length > 0) expect(t.nodes.filter((n) => n.roles.includes('controller')).map((n) => n.node)).toEqual([ins.controller.name]);
  return userParts.length;
}

describe('topologyRoles: Kafka brokers, controller and clients at a moment', { timeout: 300_000 }, () => {
  it('keys-and-ordering (solution, seed 1): at the end and mid-run, every partition leader is on the broker inspect() names', () => {
    const run = runWithProbes('keys-and-ordering', 1, KafkaCluster as unknown as { create(world: World): KafkaCluster }, (c) => c.inspect(), [600, 1_500, 2_300]);
    const end = rolesAt(run.store, run.store.length - 1);
    expect(expectKafkaAgrees(end, run.cluster.inspect())).toBeGreaterThan(1);
    expect(run.probes.length).toBe(3);
    for (const probe of run.probes) expect(expectKafkaAgrees(rolesAt(run.store, probe.seq), probe.model)).toBeGreaterThan(1);

    // Producers: the nodes acknowledged for batches, with their topics.
    const acked = new Map<string, Set<string>>();
    for (const e of run.entries) if (e.kind === 'kafka.produce.ack') acked.set(e.node, (acked.get(e.node) ?? new Set()).add((e.data as { topic: string }).topic));
    expect(acked.size).toBeGreaterThan(0);
    for (const [node, topics] of acked) expect(end.nodes.find((n) => n.node === node)?.produces, node).toEqual([...topics].sort());
    // Consumers: each member of the group, on its node, with the assignment the coordinator holds.
    const members = run.cluster.inspect().groups.flatMap((g) => g.members.map((m) => ({ group: g.groupId, ...m })));
    expect(members.length).toBeGreaterThan(0);
    const consumers = end.nodes.filter((n) => n.roles.includes('consumer'));
    for (const m of members) {
      const at = consumers.find((n) => run.store.roles.assignmentAt(n.node, run.store.length - 1)?.member === m.memberId);
      expect(at, `a consumer node for ${m.memberId}`).toBeDefined();
      expect(at!.assignment).toEqual({ group: m.group, partitions: m.assignment });
    }
  });

  it('acks-and-isr (solution, seed 1): while a broker is down its followers leave the ISR, and the roles say so', () => {
    const run = runWithProbes('acks-and-isr', 1, KafkaCluster as unknown as { create(world: World): KafkaCluster }, (c) => c.inspect(), Array.from({ length: 40 }, (_, i) => 100 * (i + 1)));
    const compared = run.probes.filter((probe) => expectKafkaAgrees(rolesAt(run.store, probe.seq), probe.model) > 0);
    expect(compared.length).toBeGreaterThan(20);
    // Some moment had a replica out of the ISR, or a leader elected but not yet leading.
    const marked = run.probes.some((p) => rolesAt(run.store, p.seq).nodes.some((n) => n.partitions.some((x) => !x.inIsr || x.starting)));
    expect(run.entries.some((e) => e.kind === 'kafka.isr.shrink')).toBe(true);
    expect(marked).toBe(true);
  });

  it('before anything happened there are no roles', () => {
    const run = runWithProbes('keys-and-ordering', 1, KafkaCluster as unknown as { create(world: World): KafkaCluster }, () => null, []);
    expect(rolesAt(run.store, -1)).toEqual({ nodes: [], exchanges: [] });
  });
});

describe('topologyRoles: RabbitMQ nodes, queues, exchanges and clients', { timeout: 300_000 }, () => {
  it('poison-messages (solution, seed 1): each queue on its node with its counts; exchanges route to the queues the history names', () => {
    const run = runWithProbes('poison-messages', 1, RabbitCluster as unknown as { create(world: World): RabbitCluster }, (c) => c.queues(), [3_000]);
    const check = (t: TopologyRoles, queues: ReturnType<RabbitCluster['queues']>): void => {
      expect(queues.length).toBeGreaterThan(0);
      for (const q of queues) {
        const on = t.nodes.filter((n) => n.queues.some((x) => x.name === q.name));
        expect(on.map((n) => n.node), `node of ${q.name}`).toEqual(q.node === undefined ? [] : [q.node]);
        const shown = on[0]?.queues.find((x) => x.name === q.name);
        if (q.available) expect({ ready: shown?.ready, unacked: shown?.unacked }, q.name).toEqual({ ready: q.ready, unacked: q.unacked });
      }
    };
    const end = rolesAt(run.store, run.store.length - 1);
    check(end, run.cluster.queues());
    check(rolesAt(run.store, run.probes[0]!.seq), run.probes[0]!.model);

    // Exchanges → queues, joined from the raw entries: a publish names the exchange, its route the queues.
    const exchangeOf = new Map<string, string>();
    const want = new Map<string, Set<string>>();
    for (const e of run.entries) {
      const d = e.data as { id: string; exchange: string; queues: string[] };
      if (e.kind === 'amqp.publish') exchangeOf.set(d.id, d.exchange);
      if (e.kind === 'amqp.route') for (const q of d.queues) want.set(exchangeOf.get(d.id)!, (want.get(exchangeOf.get(d.id)!) ?? new Set()).add(q));
    }
    expect(want.size).toBeGreaterThan(0);
    expect(new Map(end.exchanges.filter((x) => !x.deadLetter).map((x) => [x.exchange, new Set(x.queues)]))).toEqual(want);
    expect(end.exchanges.some((x) => x.deadLetter)).toBe(true);

    // Publishers are the nodes that recorded publishes; consumers are client nodes (never a broker)
    // and every queue a consumer of the model received deliveries from has one.
    const publishers = new Set(run.entries.filter((e) => e.kind === 'amqp.publish').map((e) => e.node));
    expect(new Set(end.nodes.filter((n) => n.roles.includes('publisher')).map((n) => n.node))).toEqual(publishers);
    const brokers = new Set(end.nodes.filter((n) => n.roles.includes('broker')).map((n) => n.node));
    const consumed = new Set(end.nodes.flatMap((n) => n.consumesFrom));
    for (const n of end.nodes.filter((x) => x.roles.includes('consumer'))) expect(brokers.has(n.node), n.node).toBe(false);
    const delivered = new Set(run.entries.filter((e) => e.kind === 'amqp.deliver').map((e) => (e.data as { q: string }).q));
    expect(delivered.size).toBeGreaterThan(0);
    expect(consumed).toEqual(delivered);
  });
});

describe('topologyRoles: scenarios without brokers', () => {
  it('gossip and echo have no roles, so the topology draws exactly what it did', () => {
    for (const scenario of ['gossip', 'echo']) {
      const store = new HistoryStore();
      store.begin();
      runScenario({ scenario, seed: 1 }, { batchSize: 256, onBatch: (batch) => store.appendJson(JSON.stringify(batch)) });
      store.complete();
      expect(store.length).toBeGreaterThan(0);
      expect(rolesAt(store, store.length - 1), scenario).toEqual({ nodes: [], exchanges: [] });
    }
  });
});
