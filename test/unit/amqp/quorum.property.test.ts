/**
 * Property: in a quorum queue, no message that a publisher saw confirmed is lost when one node of
 * a three-node cluster crashes (and maybe restarts), whatever the seed, the timing, the node, lossy
 * links between the brokers or a partition isolating that same node.
 *
 * This is RabbitMQ's promise for quorum queues: "a quorum queue … will continue to operate as
 * long as a majority of replicas are available" and publisher confirms are sent "once a quorum of
 * replicas have accepted and confirmed the message" (https://www.rabbitmq.com/docs/quorum-queues,
 * https://www.rabbitmq.com/docs/confirms#when-publishes-are-confirmed); rabbitmq-server's
 * quorum_queue_SUITE `confirm_availability_on_leader_change` checks the same under a leader stop.
 *
 * The publisher behaves like careful learner code: persistent messages on a confirm channel, and
 * when its connection dies it reconnects to another node and goes on with new messages. After
 * the chaos phase every node is back and a consumer drains the queue; every confirmed message must
 * be in what it drained. A failure prints the seed and the schedule.
 *
 * The schedule that bites: the victim is cut off from its peers shortly before it crashes, so what
 * it had not replicated dies with it. A leader that confirmed at append time instead of at commit
 * fails this property within a few runs (checked: fast-check shrinks it to seed 1, victim the
 * first leader, publisher on the same node).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lossRule } from '../../../src/sim/network/rules.ts';
import { runTwoPhase } from '../../../src/sim/runner.ts';
import { ms, sec } from '../../../src/sim/time.ts';
import { World } from '../../../src/sim/world.ts';
import { connect, RabbitCluster, type ConfirmChannel, type Message } from '../../../src/sim/broker/amqp/index.ts';
import type { Fault } from '../../../src/sim/network/faults.ts';

const NODES = ['rabbit1', 'rabbit2', 'rabbit3'];

interface Schedule {
  seed: number;
  victim: number;
  crashAtMs: number;
  restartAfterMs: number | undefined;
  lossP: number;
  partitionFirst: boolean;
  publisherNode: number;
}

function runScenario(s: Schedule): { confirmed: string[]; drained: Set<string>; published: number } {
  const world = new World({ seed: s.seed });
  RabbitCluster.create(world, { nodes: 3 });
  const confirmed: string[] = [];
  let published = 0;
  let channel: ConfirmChannel | undefined;
  let attempt = 0;

  const admin = world.runUntilSettled(connect(world, 'admin', { hostname: 'rabbit1', heartbeat: 2 }).then((c) => c.createChannel()).then((ch) => ch.assertQueue('qq', { arguments: { 'x-queue-type': 'quorum' } })), sec(10));
  if (admin.state !== 'fulfilled') throw new Error(`declare failed: ${String(admin.reason)}`);

  const pubNode = (): string => NODES[(s.publisherNode + attempt) % 3]!;
  const open = (): void => {
    const host = pubNode();
    connect(world, 'pub', { hostname: host, heartbeat: 2 })
      .then((conn) => {
        conn.on('close', () => {
          channel = undefined;
          attempt++;
          world.node('pub').setTimer(ms(300), open);
        });
        return conn.createConfirmChannel();
      })
      .then(
        (ch) => void (channel = ch),
        () => {
          attempt++;
          world.node('pub').setTimer(ms(300), open);
        },
      );
  };
  open();
  // A message every 2 ms during chaos (a window for a crash to land in), while a channel is open.
  const tick = (): void => {
    if (world.nowUs >= sec(3)) return;
    if (channel !== undefined && channel.state === 'open') {
      const body = `m${++published}`;
      channel.sendToQueue('qq', body, { persistent: true }, (err) => {
        if (err === null) confirmed.push(body);
      });
    }
    world.node('pub').setTimer(ms(2), tick);
  };
  world.node('pub').setTimer(ms(2), tick);

  const victim = NODES[s.victim]!;
  const faults: Fault[] = [];
  if (s.partitionFirst) {
    faults.push({ atUs: ms(s.crashAtMs) - ms(400), kind: 'partition', groups: [[victim], NODES.filter((n) => n !== victim)], oneWay: false });
    // Healed only after the crash: what the cut-off node held back dies with it.
    faults.push({ atUs: ms(s.crashAtMs) + ms(200), kind: 'heal' });
  }
  faults.push({ atUs: ms(s.crashAtMs), kind: 'crash', node: victim });
  if (s.restartAfterMs !== undefined) faults.push({ atUs: ms(s.crashAtMs + s.restartAfterMs), kind: 'restart', node: victim });
  if (s.lossP > 0) {
    for (const a of NODES) for (const b of NODES) if (a !== b) world.network.addRule((id) => lossRule(id, s.lossP, a, b));
  }
  runTwoPhase(world, { chaosUs: sec(3.5), healUs: sec(6), faults: faults.filter((f) => f.atUs > world.nowUs) });

  // Drain with a fresh consumer on a node that is up.
  const drained = new Set<string>();
  const consumer = connect(world, 'drain', { hostname: NODES[(s.victim + 1) % 3]!, heartbeat: 2 }).then((c) => c.createChannel()).then((ch) =>
    ch.consume('qq', (m: Message | null) => {
      if (m === null) return;
      drained.add(m.content);
      ch.ack(m);
    }),
  );
  world.runUntilSettled(consumer, sec(20));
  world.runFor(sec(5));
  return { confirmed, drained, published };
}

describe('quorum queues under a single node crash (property)', () => {
  it('never lose a confirmed persistent message', () => {
    let runs = 0;
    let withConfirms = 0;
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 1, max: 1_000_000 }),
          victim: fc.integer({ min: 0, max: 2 }),
          crashAtMs: fc.integer({ min: 500, max: 2_800 }),
          restartAfterMs: fc.option(fc.integer({ min: 100, max: 2_000 }), { nil: undefined }),
          lossP: fc.constantFrom(0, 0, 0.01, 0.05),
          partitionFirst: fc.boolean(),
          publisherNode: fc.integer({ min: 0, max: 2 }),
        }),
        (s) => {
          const { confirmed, drained, published } = runScenario(s);
          const lost = confirmed.filter((b) => !drained.has(b));
          expect(lost, `seed ${s.seed}, schedule ${JSON.stringify(s)}: ${lost.length} of ${confirmed.length} confirmed (of ${published} published) lost`).toEqual([]);
          runs++;
          // A publisher cut off with the victim may see no confirm at all: safe, but says nothing.
          if (confirmed.length > 0) withConfirms++;
        },
      ),
      { numRuns: Number(process.env.QQ_RUNS ?? 40) },
    );
    // The property is not vacuous: most runs had confirmed messages to lose.
    expect(withConfirms).toBeGreaterThan(runs / 2);
  });
});
