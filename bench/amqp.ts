import { performance } from 'node:perf_hooks';
import { connect, RabbitCluster, type Channel, type Message } from '../src/sim/broker/amqp/index';
import { ms, sec } from '../src/sim/time';
import { World } from '../src/sim/world';
import { benchKernel, round } from './kernel';
import { bestRun, type BenchResult } from './types';

const QUEUES = 10;
const BINDINGS = 100;
const PREFETCH = 50;
/** Messages the publisher writes per millisecond of simulated time. */
const BURST = 250;

interface Run {
  messages: number;
  wallMs: number;
  /** CPU time of this process (all threads), which a busy machine does not inflate. */
  cpuMs: number;
  events: number;
  historyEntries: number;
  /** The run's history hash, so a change meant only to be faster can show it records the same history. */
  historyHash: string;
}

/**
 * One node; a topic exchange with 100 bindings into 10 queues; 10 consumers (one connection each)
 * at prefetch 50 with manual acks; one publisher writing bursts every simulated millisecond. Every
 * message crosses the network to the broker, is routed, queued, delivered across the network and
 * acknowledged back. Returns wall time until the last ack reached the broker.
 */
export function runE2e(total: number, messageHistory: boolean): Run {
  const world = new World({ seed: 1 });
  RabbitCluster.create(world, { nodes: 1, config: { messageHistory } });
  const settle = <T>(p: { settled: boolean; value: T | undefined; reason: unknown; state: string }): T => {
    world.runUntilSettled(p as never, sec(10));
    if (p.state !== 'fulfilled') throw new Error(`setup failed: ${String(p.reason)}`);
    return p.value as T;
  };
  const admin = settle(settle(connect(world, 'admin', { hostname: 'rabbit1', messageHistory })).createChannel()) as Channel;
  settle(admin.assertExchange('events', 'topic', { durable: false }));
  for (let q = 0; q < QUEUES; q++) settle(admin.assertQueue(`q${q}`, { durable: false }));
  for (let b = 0; b < BINDINGS; b++) settle(admin.bindQueue(`q${b % QUEUES}`, 'events', `region${b}.*.#`));
  let acked = 0;
  for (let c = 0; c < QUEUES; c++) {
    const ch = settle(settle(connect(world, `consumer${c}`, { hostname: 'rabbit1', messageHistory })).createChannel()) as Channel;
    settle(ch.prefetch(PREFETCH));
    settle(
      ch.consume(`q${c}`, (m: Message | null) => {
        if (m === null) return;
        ch.ack(m);
        acked++;
      }),
    );
  }
  const pub = settle(settle(connect(world, 'publisher', { hostname: 'rabbit1', messageHistory })).createChannel()) as Channel;
  let published = 0;
  const node = world.node('publisher');
  const burst = (): void => {
    const n = Math.min(BURST, total - published);
    for (let i = 0; i < n; i++, published++) pub.publish('events', `region${published % BINDINGS}.orders.created`, 'payload');
    if (published < total) node.setTimer(ms(1), burst);
  };
  const events0 = world.kernel.eventsRun;
  const history0 = world.history.length;
  // The history hash is folded when it is read: read it once before (the setup's entries) and once
  // inside the timed part, so the time includes hashing every entry the run records.
  world.history.historyHash();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  node.setTimer(0, burst);
  world.run({ predicate: () => acked >= total, untilUs: world.nowUs + sec(3600) });
  const historyHash = world.history.historyHash();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (acked < total) throw new Error(`only ${acked} of ${total} messages were acknowledged`);
  return { messages: total, wallMs, cpuMs, events: world.kernel.eventsRun - events0, historyEntries: world.history.length - history0, historyHash };
}

/** Three runs, as kafka-e2e does (`bestRun`). */
function bestOf3(messageHistory: boolean): Run {
  return bestRun('amqp-e2e', [runE2e(200_000, messageHistory), runE2e(200_000, messageHistory), runE2e(200_000, messageHistory)]);
}

/**
 * amqp-e2e: messages per wall-clock second from first publish to last ack, with the model's
 * default per-message history (about four `amqp.*` entries a message) and with it off. The
 * baseline is the kernel benchmark's raw binary heap (events/s) measured in the same run, so the
 * ratio stays comparable when the machine is busy; the notes add messages per CPU-second.
 */
export function benchAmqpE2e(): BenchResult[] {
  runE2e(20_000, false); // warm up the JIT
  const off = bestOf3(false);
  const on = bestOf3(true);
  const heap = benchKernel()[0]!.baseline!;
  const perCpu = (r: Run) => Math.round(r.messages / (r.cpuMs / 1000));
  const rate = (r: Run) => Math.round(r.messages / (r.wallMs / 1000));
  return [
    {
      name: 'amqp-e2e',
      value: rate(on),
      unit: 'messages/s',
      baseline: heap,
      ratio: round(rate(on) / heap, 4),
      note: `topic exchange with 100 bindings into 10 queues, 10 consumers at prefetch 50, manual acks, 200k messages (best of 3), per-message history on (${(on.historyEntries / on.messages).toFixed(1)} entries a message); ${perCpu(on)} per CPU-second; baseline: raw heap events/s`,
    },
    {
      name: 'amqp-e2e-lean-history',
      value: rate(off),
      unit: 'messages/s',
      baseline: heap,
      ratio: round(rate(off) / heap, 4),
      note: `the same with messageHistory off (packets, connections, queues and faults still recorded); ${perCpu(off)} per CPU-second`,
    },
  ];
}
