import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadLabs } from '../../../src/host/labs-node';
import { runLab, type LoadedLab } from '../../../src/labs/lab';
import { loadQuickJS, prepareLearnerProgram } from '../../../src/labs/sandbox';
import type { HistoryEntry } from '../../../src/sim';
import { RabbitCluster } from '../../../src/sim/broker/amqp';
import { KafkaCluster } from '../../../src/sim/broker/kafka';
import type { World } from '../../../src/sim/world';
import type { Message } from '../../../src/sim/broker/amqp';
import { ms, setup } from '../amqp/e2e-helpers';
import { AmqpIndex, type AmqpState, type DeathRecord } from '../../../src/ui/history/amqp-state';
import { HistoryStore } from '../../../src/ui/history/history-store';
import { coordinatedGroups, KafkaIndex, lagOf, leaderView, tpKey, type KafkaState } from '../../../src/ui/history/kafka-state';

/**
 * The inspectors show what the history says; the brokers' own inspectors (`KafkaCluster.inspect()`,
 * `RabbitCluster.queues()` / `deadLetters()`) read the model's state directly. Real lab runs, with
 * their solutions and with crashes, are folded through the HistoryStore exactly as the page feeds
 * it (JSON batches of 256); every 100 ms of simulated time and at the end of each run the two must
 * agree figure by figure: leader, epoch, ISR, high watermark, log end and start offsets; group
 * state, generation, members, assignments, committed offsets and lag; queue ready / unacked /
 * consumers; every dead letter and its x-death (https://www.rabbitmq.com/docs/dlx#effects).
 * Scripted RabbitMQ runs cover what the labs do not: x-death counts above one, length limits,
 * crashes with and without fsynced writes, a quorum queue's leader failing over.
 */

await loadQuickJS();
let labs: LoadedLab[] = [];
beforeAll(async () => {
  labs = await loadLabs();
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Probe<F> {
  /** The last entry recorded when the model was read. */
  seq: number;
  timeUs: number;
  model: F;
}

interface Run<C, F> {
  world: World;
  cluster: C;
  store: HistoryStore;
  entries: HistoryEntry[];
  /** The model's own figures, read between events every PROBE_EVERY_MS of the chaos phase. */
  probes: Probe<F>[];
}

const PROBE_EVERY_MS = 100;

/**
 * Runs a lab's code, catching the cluster its scenario creates, and streams the history into a
 * HistoryStore. While the run goes on, the model is read between two events (a kernel event of
 * the test's own, so no model code is half way through anything) and its figures kept with the
 * seq of the last entry recorded by then: the fold at that seq must show the same.
 */
function runLabWithProbes<C extends { world: World }, F>(
  labId: string,
  seed: number,
  target: { create(world: World, opts?: never): C },
  figures: (cluster: C) => F,
  opts: { faults?: unknown; code?: 'solution' | 'starter' } = {},
): Run<C, F> {
  const lab = labs.find((l) => l.spec.id === labId);
  if (!lab) throw new Error(`no lab ${labId}`);
  const p = prepareLearnerProgram(lab[opts.code ?? 'solution'], { filename: `${opts.code ?? 'solution'}.ts` });
  if (!p.ok) throw new Error(p.problem.text);
  const probes: Probe<F>[] = [];
  const clusters: C[] = [];
  const create = target.create.bind(target);
  vi.spyOn(target, 'create').mockImplementation((world: World, o?: never) => {
    const cluster = create(world, o);
    clusters.push(cluster);
    for (let ms = PROBE_EVERY_MS; ms < lab.spec.chaosMs; ms += PROBE_EVERY_MS) {
      world.kernel.at(ms * 1000, () => probes.push({ seq: world.history.length - 1, timeUs: world.nowUs, model: figures(cluster) }));
    }
    return cluster;
  });
  const store = new HistoryStore();
  store.begin();
  const { world } = runLab(lab, p.program, { seed, faults: opts.faults, batchSize: 256, onBatch: (batch) => store.appendJson(JSON.stringify(batch)) });
  store.complete();
  vi.restoreAllMocks();
  expect(clusters.length, 'the scenario built one cluster').toBe(1);
  const entries = [...world.history.entries()];
  expect(store.length).toBe(entries.length);
  expect(probes.length).toBeGreaterThan(10);
  return { world, cluster: clusters[0]!, store, entries, probes };
}

type KafkaFigures = ReturnType<typeof modelKafkaFigures>;

function runKafka(labId: string, seed: number, opts: { faults?: unknown; code?: 'solution' | 'starter' } = {}): Run<KafkaCluster, KafkaFigures> {
  return runLabWithProbes(labId, seed, KafkaCluster as unknown as { create(world: World): KafkaCluster }, modelKafkaFigures, opts);
}

/** Partitions and groups as the model reports them, and as the fold does, in one shape. */
function kafkaFigures(state: KafkaState) {
  const partitions = [...state.partitions.values()].map((p) => {
    const v = leaderView(p);
    return { topic: p.topic, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, highWatermark: v.highWatermark, logEndOffset: v.logEndOffset, logStartOffset: v.logStartOffset };
  });
  const groups = coordinatedGroups(state).map((g) => {
    const offsets = [...g.offsets.values()].map((o) => ({ topic: o.topic, partition: o.partition, committed: o.offset, ...lagOf(state, o) }));
    return {
      groupId: g.groupId,
      coordinator: g.coordinator,
      state: g.state,
      generation: g.generation,
      protocol: g.protocol,
      leader: g.leader,
      members: g.members.map((m) => ({ memberId: m.memberId, assignment: m.assignment })).sort((a, b) => a.memberId.localeCompare(b.memberId)),
      offsets: offsets.sort(byTp),
      totalLag: offsets.reduce((n, o) => n + o.lag, 0),
    };
  });
  return { partitions: partitions.sort(byTp), groups: groups.sort((a, b) => a.groupId.localeCompare(b.groupId)) };
}

function modelKafkaFigures(cluster: KafkaCluster) {
  const ins = cluster.inspect();
  return {
    partitions: ins.partitions
      .map((p) => ({ topic: p.topic, partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, isr: p.isr, highWatermark: p.highWatermark, logEndOffset: p.logEndOffset, logStartOffset: p.logStartOffset }))
      .sort(byTp),
    groups: ins.groups
      .map((g) => ({
        groupId: g.groupId,
        coordinator: g.coordinator,
        state: g.state,
        generation: g.generation,
        protocol: g.protocol,
        leader: g.leader,
        members: g.members.map((m) => ({ memberId: m.memberId, assignment: m.assignment })).sort((a, b) => a.memberId.localeCompare(b.memberId)),
        offsets: g.offsets.map((o) => ({ topic: o.topic, partition: o.partition, committed: o.committed, highWatermark: o.highWatermark, lag: o.lag })).sort(byTp),
        totalLag: g.totalLag,
      }))
      .sort((a, b) => a.groupId.localeCompare(b.groupId)),
  };
}

function byTp(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}

/** The same history folded entry by entry with no checkpoints: what `at(seq)` must equal. */
function foldPrefix<S>(make: () => { add(e: HistoryEntry): void; at(seq: number): S }, entries: HistoryEntry[], seq: number): S {
  const index = make();
  for (const e of entries) {
    if (e.seq > seq) break;
    index.add(e);
  }
  return index.at(seq);
}

/** Moments spread over the run, from the seed: the checkpointed answer equals a plain fold of the prefix. */
function sampleSeqs(n: number, count: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  const out = [-1, 0, n - 1];
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(x % n);
  }
  return out;
}

function expectKafkaAgrees(run: Run<KafkaCluster, KafkaFigures>): ReturnType<typeof kafkaFigures> {
  for (const probe of run.probes) {
    expect(kafkaFigures(run.store.kafka.at(probe.seq)), `at ${probe.timeUs} µs (after entry ${probe.seq})`).toEqual(probe.model);
  }
  const folded = kafkaFigures(run.store.kafka.at(run.store.length - 1));
  expect(folded).toEqual(modelKafkaFigures(run.cluster));
  return folded;
}

describe('Kafka inspector state equals KafkaCluster.inspect() at the end of real runs', { timeout: 300_000 }, () => {
  it('keys-and-ordering (solution, seed 1): offsets, ISR and the ledger group', () => {
    const run = runKafka('keys-and-ordering', 1);
    const folded = expectKafkaAgrees(run);
    // The run produced records and the group committed them: the comparison above was not of zeros.
    const topic = folded.partitions.filter((p) => !p.topic.startsWith('__'));
    expect(topic.length).toBeGreaterThan(1);
    expect(topic.reduce((n, p) => n + p.highWatermark, 0)).toBeGreaterThan(0);
    expect(folded.groups.length).toBeGreaterThan(0);
    expect(folded.groups[0]!.offsets.length).toBeGreaterThan(0);
    // Every high watermark is what the producers were acknowledged for: acks count records.
    const acked = new Map<string, number>();
    for (const e of run.entries) {
      if (e.kind !== 'kafka.produce.ack') continue;
      const d = e.data as { topic: string; partition: number; baseOffset: number; count: number };
      const k = tpKey(d.topic, d.partition);
      acked.set(k, Math.max(acked.get(k) ?? 0, d.baseOffset + d.count));
    }
    for (const p of topic) expect(p.highWatermark, `${p.topic}-${p.partition}`).toBeGreaterThanOrEqual(acked.get(tpKey(p.topic, p.partition)) ?? 0);
  });

  it('consumer-groups (solution, seed 2): members crash and rejoin; assignments and lag agree', () => {
    const run = runKafka('consumer-groups', 2);
    const folded = expectKafkaAgrees(run);
    expect(folded.groups.some((g) => g.generation > 1)).toBe(true);
  });

  it('acks-and-isr (solution, seed 1): brokers crash, the ISR shrinks and grows, leaders move', () => {
    const run = runKafka('acks-and-isr', 1);
    expect(run.entries.some((e) => e.kind === 'crash')).toBe(true);
    expect(run.entries.some((e) => e.kind === 'kafka.isr.shrink')).toBe(true);
    const folded = expectKafkaAgrees(run);
    expect(folded.partitions.some((p) => p.leaderEpoch > 0)).toBe(true);
  });

  it('at-least-once with the group coordinator crashed mid-run (extra fault): the group moves and comes back', () => {
    const lab = 'at-least-once';
    // Which broker coordinates the group is decided by the run; find it in a first run, then crash it.
    const first = runKafka(lab, 3);
    const coordinator = coordinatedGroups(first.store.kafka.at(first.store.length - 1))[0]!.coordinator!;
    const run = runKafka(lab, 3, {
      faults: [
        { at: '1200ms', kind: 'crash', node: coordinator },
        { at: '2600ms', kind: 'restart', node: coordinator },
      ],
    });
    const crashAt = run.entries.find((e) => e.kind === 'crash' && e.node === coordinator)!.seq;
    // Just after the crash the group has no coordinator; at the end it has one again.
    const after = run.store.kafka.at(crashAt);
    expect([...after.groups.values()].every((g) => g.coordinator !== coordinator)).toBe(true);
    const folded = expectKafkaAgrees(run);
    expect(folded.groups.length).toBeGreaterThan(0);
  });

  it('scrubbing: the state at any moment equals folding the history up to it', () => {
    const run = runKafka('acks-and-isr', 2);
    const n = run.entries.length;
    for (const seq of sampleSeqs(n, 12, 7)) {
      expect(kafkaFigures(run.store.kafka.at(seq)), `at seq ${seq}`).toEqual(kafkaFigures(foldPrefix(() => new KafkaIndex(), run.entries, seq)));
    }
    // The figures move: the high watermark early in the run is below the one at the end.
    const hwAt = (seq: number): number => [...run.store.kafka.at(seq).partitions.values()].filter((p) => p.topic === 'payments').reduce((s, p) => s + Math.max(0, leaderView(p).highWatermark), 0);
    expect(hwAt(Math.floor(n / 4))).toBeLessThan(hwAt(n - 1));
  });
});

/** The model's x-death as amqplib shows it, without `original-expiration` (the history does not record a message's own expiration). */
function modelXDeath(x: unknown): unknown[] {
  return ((x as Record<string, unknown>[] | undefined) ?? []).map((d) => {
    const { 'original-expiration': _dropped, ...rest } = d;
    return rest;
  });
}

function foldedXDeath(list: DeathRecord[]): unknown[] {
  return list.map((d) => ({ count: d.count, reason: d.reason, queue: d.queue, time: { '!': 'timestamp', value: d.timeS }, exchange: d.exchange, 'routing-keys': d.routingKeys }));
}

function modelRabbitFigures(cluster: RabbitCluster) {
  return {
    queues: cluster
      .queues()
      .map((q) => ({
        name: q.name,
        node: q.node,
        available: q.available,
        // While its node is down a queue's counts cannot be read (the model says 0): compare them when up.
        ready: q.available ? q.ready : null,
        unacked: q.available ? q.unacked : null,
        // Every consumer, counted from the history's amqp.consume / amqp.cancel entries.
        consumers: q.available ? q.consumers.length : null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    deadLetters: cluster.deadLetters().map((m) => ({ timeUs: m.timeUs, id: m.id, fromQueue: m.fromQueue, reason: m.reason, exchange: m.exchange, toQueues: m.toQueues, xDeath: modelXDeath(m.xDeath) })),
  };
}

type RabbitFigures = ReturnType<typeof modelRabbitFigures>;

function rabbitFigures(index: AmqpIndex, state: AmqpState, last: number): RabbitFigures {
  return {
    queues: [...state.queues.values()]
      .map((q) => ({ name: q.name, node: q.node, available: q.available, ready: q.available ? q.ready : null, unacked: q.available ? q.unacked : null, consumers: q.available ? q.consumers : null }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    deadLetters: index
      .deadLettersOf(state)
      .slice(-last)
      .map((d) => ({ timeUs: d.timeUs, id: d.id, fromQueue: d.fromQueue, reason: d.reason, exchange: d.exchange, toQueues: d.toQueues, xDeath: foldedXDeath(d.xDeath) })),
  };
}

function runRabbit(labId: string, seed: number, opts: { faults?: unknown; code?: 'solution' | 'starter' } = {}): Run<RabbitCluster, RabbitFigures> {
  return runLabWithProbes(labId, seed, RabbitCluster as unknown as { create(world: World): RabbitCluster }, modelRabbitFigures, opts);
}

/**
 * A RabbitMQ world driven by a script instead of a lab, probed the same way: the script runs, then
 * the world runs to `untilMs`; the model is read every PROBE_EVERY_MS between events.
 */
function scripted(t: ReturnType<typeof setup>, untilMs: number, script: () => void): Run<RabbitCluster, RabbitFigures> {
  const probes: Probe<RabbitFigures>[] = [];
  const world = t.world;
  for (let at = PROBE_EVERY_MS; at < untilMs; at += PROBE_EVERY_MS) {
    world.kernel.at(at * 1000, () => probes.push({ seq: world.history.length - 1, timeUs: world.nowUs, model: modelRabbitFigures(t.cluster) }));
  }
  const store = new HistoryStore();
  store.begin();
  world.history.subscribe((batch) => store.appendJson(JSON.stringify(batch)), 256);
  script();
  if (world.nowUs < untilMs * 1000) world.runFor(untilMs * 1000 - world.nowUs);
  world.history.flush();
  store.complete();
  return { world, cluster: t.cluster, store, entries: [...world.history.entries()], probes };
}

function expectRabbitAgrees(run: Run<RabbitCluster, RabbitFigures>, opts: { exactKeys: boolean }): AmqpState {
  const index = run.store.amqp;
  for (const probe of run.probes) {
    const state = index.at(probe.seq);
    expect(rabbitFigures(index, state, probe.model.deadLetters.length), `at ${probe.timeUs} µs (after entry ${probe.seq})`).toEqual(probe.model);
  }
  const state = index.at(run.store.length - 1);
  const model = modelRabbitFigures(run.cluster);
  expect(rabbitFigures(index, state, model.deadLetters.length)).toEqual(model);
  expect([...state.queues.values()].every((q) => !q.approximate)).toBe(true);
  if (opts.exactKeys) {
    for (const d of index.deadLettersOf(state)) expect(d.xDeath.every((x) => x.routingKeysExact), `routing keys of ${d.id} known`).toBe(true);
  }
  return state;
}

describe('RabbitMQ inspector state equals RabbitCluster.queues() / deadLetters() at the end of real runs', { timeout: 300_000 }, () => {
  it('poison-messages (solution, seed 1): retries through TTL queues, poison jobs in the DLQ with x-death', () => {
    const run = runRabbit('poison-messages', 1);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    const dead = run.store.amqp.deadLettersOf(state);
    // Expired retries (x-death reason expired, from a retry queue) and rejected poison jobs.
    expect(dead.some((d) => d.reason === 'expired')).toBe(true);
    expect(dead.some((d) => d.reason === 'rejected' && d.xDeath.length > 1)).toBe(true);
    // The DLQ received what died in `work`, and its monitor consumed it.
    expect(state.queues.get('work')!.deadLettered).toBeGreaterThan(0);
    expect(state.queues.get('work.dlq')!.routed).toBe(state.queues.get('work')!.deadLettered);
    expect(state.queues.get('work.dlq')!.acked).toBeGreaterThan(0);
  });

  it('routing (solution, seed 1): every queue drained', () => {
    const run = runRabbit('routing', 1);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    expect([...state.queues.values()].reduce((n, q) => n + q.delivered, 0)).toBeGreaterThan(0);
  });

  it('poison-messages with the broker crashed mid-run (extra fault): lost messages and recovery agree', () => {
    const run = runRabbit('poison-messages', 2, {
      faults: [
        { at: '2200ms', kind: 'crash', node: 'rabbit1' },
        { at: '2700ms', kind: 'restart', node: 'rabbit1' },
      ],
    });
    expect(run.entries.some((e) => e.kind === 'crash' && e.node === 'rabbit1')).toBe(true);
    expectRabbitAgrees(run, { exactKeys: true });
    // While the node is down its queues are unavailable.
    const crashAt = run.entries.find((e) => e.kind === 'crash' && e.node === 'rabbit1')!.seq;
    expect([...run.store.amqp.at(crashAt).queues.values()].every((q) => !q.available)).toBe(true);
  });

  it('poison-messages starter (seed 1): failed jobs are nacked back into the queue (requeues) and redelivered', () => {
    const run = runRabbit('poison-messages', 1, { code: 'starter' });
    expect(run.entries.some((e) => e.kind === 'amqp.requeue')).toBe(true);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    expect(state.queues.get('work')!.redelivered).toBeGreaterThan(0);
  });

  it('a scripted dead-letter loop: x-death counts grow, through the default and a named exchange, with a length limit', () => {
    const t = setup({ seed: 5 });
    const run = scripted(t, 3_000, () => {
      const app = t.channel(t.client('app'));
      t.settle(app.assertExchange('back', 'direct'));
      // work → (rejected, default exchange, key "retry") → retry → (expired after 80 ms, exchange "back", key kept) → work
      t.settle(app.assertQueue('work', { deadLetterExchange: '', deadLetterRoutingKey: 'retry' }));
      t.settle(app.assertQueue('retry', { messageTtl: 80, deadLetterExchange: 'back' }));
      t.settle(app.bindQueue('work', 'back', 'retry'));
      // A short queue that drops its head into the DLQ (reason maxlen).
      t.settle(app.assertQueue('short', { maxLength: 2, deadLetterExchange: '', deadLetterRoutingKey: 'dlq' }));
      t.settle(app.assertQueue('dlq'));
      const worker = t.channel(t.client('worker'));
      t.settle(worker.prefetch(3));
      t.settle(
        worker.consume('work', (m: Message | null) => {
          if (m === null) return;
          const deaths = (m.properties.headers?.['x-death'] as { queue: string; count: number }[] | undefined) ?? [];
          const rejected = deaths.find((d) => d.queue === 'work')?.count ?? 0;
          if (m.content.startsWith('poison') || rejected < 2) worker.reject(m, false);
          else worker.ack(m);
        }),
      );
      for (let i = 0; i < 6; i++) app.sendToQueue('work', i < 2 ? `poison-${i}` : `job-${i}`, { messageId: `m-${i}` });
      for (let i = 0; i < 5; i++) app.sendToQueue('short', `s-${i}`);
      t.world.runFor(ms(200));
      // An automatic-ack consumer drains the DLQ.
      const monitor = t.channel(t.client('monitor'));
      t.settle(monitor.consume('dlq', () => undefined, { noAck: true }));
    });
    const state = expectRabbitAgrees(run, { exactKeys: false });
    expect(state.queues.get('dlq')!.delivered).toBeGreaterThan(0);
    const dead = run.store.amqp.deadLettersOf(state);
    expect(Math.max(...dead.flatMap((d) => d.xDeath.map((x) => x.count)))).toBeGreaterThan(3);
    expect(dead.some((d) => d.reason === 'maxlen')).toBe(true);
    expect(dead.some((d) => d.exchange === 'back')).toBe(true);
  });

  it('a scripted crash with everything on disk: unacknowledged messages come back as ready, transient ones are lost', () => {
    const t = setup({ seed: 6 });
    const run = scripted(t, 2_500, () => {
      const pub = t.confirmChannel(t.client('shop'));
      t.settle(pub.assertQueue('orders', { durable: true }));
      t.settle(pub.assertQueue('parked', { durable: true }));
      const worker = t.channel(t.client('worker'));
      t.settle(worker.prefetch(4));
      // The worker takes four orders and never acknowledges them.
      t.settle(worker.consume('orders', () => undefined));
      for (let i = 0; i < 7; i++) pub.sendToQueue('orders', `o-${i}`, { persistent: true });
      for (let i = 0; i < 3; i++) pub.sendToQueue('parked', `t-${i}`, { persistent: false });
      for (let i = 0; i < 2; i++) pub.sendToQueue('parked', `p-${i}`, { persistent: true });
      // Confirms wait for the fsync that makes every write so far durable.
      t.settle(pub.waitForConfirms());
      t.world.runFor(ms(100));
      t.world.crash('rabbit1');
      t.world.runFor(ms(300));
      t.world.restart('rabbit1');
    });
    const crash = run.entries.find((e) => e.kind === 'crash')!;
    expect((crash.data as { unsyncedWritesLost: number }).unsyncedWritesLost).toBe(0);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    expect(state.queues.get('orders')!.ready).toBe(7);
    expect(state.queues.get('parked')!.lost).toBe(3);
    // Just before the crash four orders were unacknowledged.
    expect(run.store.amqp.at(crash.seq - 1).queues.get('orders')!.unacked).toBe(4);
  });

  it('a scripted crash before anything reached the disk: every message is lost, transient or persistent', () => {
    const t = setup({ seed: 7 });
    const run = scripted(t, 1_500, () => {
      const pub = t.channel(t.client('shop'));
      t.settle(pub.assertQueue('orders', { durable: true }));
      for (let i = 0; i < 4; i++) pub.sendToQueue('orders', `p-${i}`, { persistent: true });
      for (let i = 0; i < 3; i++) pub.sendToQueue('orders', `t-${i}`, { persistent: false });
      t.world.runFor(ms(100));
      t.world.crash('rabbit1');
      t.world.runFor(ms(200));
      t.world.restart('rabbit1');
    });
    expect(run.entries.some((e) => e.kind === 'amqp.lost')).toBe(true);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    expect(state.queues.get('orders')!.lost).toBe(7);
  });

  it('a scripted quorum queue on three nodes: its leader crashes, another is elected, deliveries go on', () => {
    const t = setup({ seed: 8, nodes: 3 });
    const run = scripted(t, 4_000, () => {
      const pub = t.confirmChannel(t.client('shop', 'rabbit2'));
      t.settle(pub.assertQueue('orders', { durable: true, arguments: { 'x-queue-type': 'quorum' } }));
      const worker = t.channel(t.client('worker', 'rabbit3'));
      t.settle(worker.prefetch(3));
      let n = 0;
      t.settle(
        worker.consume('orders', (m: Message | null) => {
          // Acknowledges every other message, holds the rest.
          if (m !== null && n++ % 2 === 0) worker.ack(m);
        }),
      );
      for (let i = 0; i < 10; i++) pub.sendToQueue('orders', `o-${i}`, { persistent: true });
      t.settle(pub.waitForConfirms());
      t.world.runFor(ms(200));
      const leader = t.cluster.queue('orders')!.node!;
      t.world.crash(leader);
      t.world.runFor(ms(1_500));
      t.world.restart(leader);
    });
    expect(run.entries.filter((e) => e.kind === 'amqp.leader').length).toBeGreaterThan(1);
    const state = expectRabbitAgrees(run, { exactKeys: true });
    expect(state.queues.get('orders')!.type).toBe('quorum');
  });

  it('scrubbing: the state at any moment equals folding the history up to it', () => {
    const run = runRabbit('poison-messages', 3);
    for (const seq of sampleSeqs(run.entries.length, 12, 11)) {
      const want = foldPrefix(() => new AmqpIndex(), run.entries, seq);
      const got = run.store.amqp.at(seq);
      expect([...got.queues.values()], `at seq ${seq}`).toEqual([...want.queues.values()]);
      expect(got.deadLetterCount).toBe(want.deadLetterCount);
    }
  });
});
