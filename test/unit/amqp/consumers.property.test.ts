/**
 * Property: with manual acknowledgements nothing is lost when consumers crash, restart or are cut
 * off — every message the broker confirmed is eventually processed (acked) by some consumer, at
 * least once — whatever the seed, the prefetch, the processing times and the fault schedule.
 *
 * The rule under test: "When a consumer's connection is lost … any unacknowledged deliveries will
 * be automatically requeued" (https://www.rabbitmq.com/docs/confirms#automatic-requeueing), with
 * the connection's death discovered by heartbeats (https://www.rabbitmq.com/docs/heartbeats).
 * Consumers behave like a careful learner's: ack after the work is done, reconnect when the
 * connection closes or the node comes back.
 *
 * Checked against a broker that forgets to requeue a dead channel's deliveries: fast-check shrinks
 * it to one crash of one worker at prefetch 1.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runTwoPhase } from '../../../src/sim/runner.ts';
import { ms, sec } from '../../../src/sim/time.ts';
import { World } from '../../../src/sim/world.ts';
import type { Fault } from '../../../src/sim/network/faults.ts';
import { connect, RabbitCluster, type Connection, type Message } from '../../../src/sim/broker/amqp/index.ts';

const WORKERS = ['w1', 'w2', 'w3'];

interface Case {
  seed: number;
  prefetch: number;
  workMsMax: number;
  faults: Array<{ atMs: number; worker: number; kind: 'crash' | 'partition' }>;
}

function run(c: Case): { confirmed: Set<string>; processed: Set<string>; redeliveries: number } {
  const world = new World({ seed: c.seed });
  RabbitCluster.create(world, { nodes: 1 });
  const confirmed = new Set<string>();
  const processed = new Set<string>();
  let redeliveries = 0;

  const setup = world.runUntilSettled(connect(world, 'pub', { hostname: 'rabbit1', heartbeat: 1 }).then((conn) => conn.createConfirmChannel()), sec(5));
  const pub = setup.value!;
  world.runUntilSettled(pub.assertQueue('work', { durable: true }), sec(5));
  let n = 0;
  const publish = (): void => {
    if (n >= 200) return;
    const body = `m${++n}`;
    pub.sendToQueue('work', body, { persistent: true }, (err) => err === null && confirmed.add(body));
    world.node('pub').setTimer(ms(10), publish);
  };
  world.node('pub').setTimer(0, publish);

  // Each worker keeps one connection open whenever its node is up.
  const live = new Map<string, Connection | 'connecting'>();
  const rng = world.rng.fork('test-workers');
  const ensure = (w: string): void => {
    const node = world.nodeOrUndefined(w);
    if (node !== undefined && node.state !== 'up') return;
    if (live.has(w) && node !== undefined && node.incarnation === incarnations.get(w)) return;
    live.set(w, 'connecting');
    const inc = node?.incarnation ?? 0;
    incarnations.set(w, inc);
    connect(world, w, { hostname: 'rabbit1', heartbeat: 1 })
      .then((conn) => {
        live.set(w, conn);
        conn.on('close', () => live.delete(w));
        return conn.createChannel();
      })
      .then((ch) => {
        ch.prefetch(c.prefetch);
        return ch.consume('work', (m: Message | null) => {
          if (m === null) return;
          if (m.fields.redelivered) redeliveries++;
          world.node(w).setTimer(ms(1 + rng.int(0, c.workMsMax)), () => {
            if (ch.state !== 'open') return;
            processed.add(m.content);
            ch.ack(m);
          });
        });
      })
      .catch(() => live.delete(w));
  };
  const incarnations = new Map<string, number>();
  const supervise = (): void => {
    for (const w of WORKERS) ensure(w);
    world.kernel.after(ms(200), supervise);
  };
  supervise();

  const faults: Fault[] = [];
  for (const f of c.faults) {
    const w = WORKERS[f.worker]!;
    if (f.kind === 'crash') {
      faults.push({ atUs: ms(f.atMs), kind: 'crash', node: w });
      faults.push({ atUs: ms(f.atMs + 700), kind: 'restart', node: w });
    } else {
      faults.push({ atUs: ms(f.atMs), kind: 'partition', groups: [[w], ['rabbit1']], oneWay: false });
      faults.push({ atUs: ms(f.atMs + 3_500), kind: 'heal' });
    }
  }
  faults.sort((a, b) => a.atUs - b.atUs);
  runTwoPhase(world, { chaosUs: sec(6), healUs: sec(10), faults, converged: () => n >= 200 && [...confirmed].every((b) => processed.has(b)) });
  return { confirmed, processed, redeliveries };
}

describe('manual acks under consumer crashes and partitions (property)', () => {
  it('every confirmed message is processed at least once', () => {
    let withFaultsRedelivered = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          prefetch: fc.integer({ min: 1, max: 20 }),
          workMsMax: fc.integer({ min: 0, max: 80 }),
          faults: fc.array(fc.record({ atMs: fc.integer({ min: 100, max: 5_000 }), worker: fc.integer({ min: 0, max: 2 }), kind: fc.constantFrom('crash' as const, 'partition' as const) }), { maxLength: 4 }),
        }),
        (c) => {
          const { confirmed, processed, redeliveries } = run(c);
          const lost = [...confirmed].filter((b) => !processed.has(b));
          expect(lost, `seed ${c.seed}, case ${JSON.stringify(c)}: ${lost.length} confirmed messages never processed`).toEqual([]);
          expect(confirmed.size).toBe(200);
          if (redeliveries > 0) withFaultsRedelivered++;
        },
      ),
      { numRuns: Number(process.env.CONSUMER_RUNS ?? 25) },
    );
    // The faults bit: some runs saw requeued messages delivered again.
    expect(withFaultsRedelivered).toBeGreaterThan(0);
  });
});
