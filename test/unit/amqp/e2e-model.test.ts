/**
 * The model as a whole: determinism (same seed and faults, same history hash), durable classic
 * queues recovering after their log was compacted, and the inspectors' plain-data views.
 */

import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, ms, recorder, sec, setup } from './e2e-helpers.ts';

/** A small run with a quorum queue, a classic queue, a crash and a restart. */
function scenario(seed: number): string {
  const t = setup({ seed, nodes: 3 });
  const ch = t.confirmChannel(t.client('app', 'rabbit2', 1));
  t.settle(ch.assertQueue('qq', { arguments: { 'x-queue-type': 'quorum' } }));
  t.settle(ch.assertQueue('cq'));
  const c = t.channel(t.client('worker', 'rabbit3', 1));
  t.settle(c.consume('cq', (m) => c.ack(m!)));
  for (let i = 0; i < 30; i++) {
    ch.sendToQueue('qq', `q${i}`, { persistent: true });
    ch.sendToQueue('cq', `c${i}`);
  }
  t.world.runFor(ms(5));
  t.world.crash('rabbit1');
  t.world.runFor(sec(3));
  t.world.restart('rabbit1');
  t.world.runFor(sec(3));
  return t.world.history.historyHash();
}

describe('determinism', () => {
  it('the same seed gives the same history, byte for byte; another seed another one', () => {
    const a = scenario(42);
    expect(scenario(42)).toBe(a);
    expect(scenario(43)).not.toBe(a);
  });
});

describe('durable classic queue recovery', () => {
  it('recovers exactly the unacknowledged persistent messages after its log was compacted', () => {
    const t = setup();
    const ch = t.confirmChannel(t.client('app'));
    t.settle(ch.assertQueue('big'));
    for (let i = 0; i < 6_000; i++) ch.sendToQueue('big', `m${i}`, { persistent: true });
    t.settle(ch.waitForConfirms());
    const c = t.channel(t.client('worker'));
    let n = 0;
    t.settle(c.consume('big', (m) => {
      if (n++ < 5_990) c.ack(m as Message);
    }));
    t.world.runFor(sec(2));
    expect(t.cluster.queue('big')).toMatchObject({ ready: 0, unacked: 10 });
    t.world.runFor(ms(100)); // let the last acks' writes be covered by a later fsync (or not)
    ch.sendToQueue('big', 'last', { persistent: true });
    t.settle(ch.waitForConfirms());
    const log = t.world.node('rabbit1').disk.logLength('cq:big:log');
    expect(log).toBeLessThan(6_000); // compacted on the way
    t.world.crash('rabbit1').restart('rabbit1');
    t.world.runFor(ms(100));
    const after = t.channel(t.client('after'));
    const got: string[] = [];
    for (let m = t.settle(after.get('big', { noAck: true })); m !== false; m = t.settle(after.get('big', { noAck: true }))) got.push(m.content);
    expect(got).toEqual([...Array.from({ length: 10 }, (_, i) => `m${5_990 + i}`), 'last']);
  });
});

describe('inspectors', () => {
  it('show queues with their consumers, nodes with their connections, and the topology, as plain data', () => {
    const t = setup({ nodes: 2 });
    const ch = t.channel(t.client('app', 'rabbit2'));
    t.settle(ch.assertExchange('ex', 'direct', { durable: false }));
    t.settle(ch.assertQueue('q', { maxLength: 100 }));
    t.settle(ch.bindQueue('q', 'ex', 'k'));
    t.settle(ch.prefetch(2));
    const r = recorder(ch);
    const { consumerTag } = t.settle(ch.consume('q', r.cb));
    for (let i = 0; i < 5; i++) ch.publish('ex', 'k', `${i}`);
    t.idle();
    const view = t.cluster.queue('q')!;
    expect(view).toEqual({
      name: 'q',
      type: 'classic',
      durable: true,
      exclusive: false,
      autoDelete: false,
      node: 'rabbit2',
      members: [],
      available: true,
      ready: 3,
      unacked: 2,
      consumers: [{ channel: expect.stringMatching(/^rabbit2\//), consumerTag, unacked: 2 }],
      arguments: { 'x-max-length': 100 },
    });
    expect(JSON.parse(JSON.stringify(view))).toEqual({ ...view, consumers: [{ ...view.consumers[0] }] });
    expect(t.cluster.nodes().map((n) => [n.name, n.state, n.connections, n.memoryAlarm])).toEqual([
      ['rabbit1', 'up', 0, false],
      ['rabbit2', 'up', 1, false],
    ]);
    expect(t.cluster.topology().bindings).toEqual([{ source: 'ex', destination: 'q', destinationKind: 'queue', routingKey: 'k', arguments: {} }]);
    expect(t.cluster.messages('q').map((m) => m.body)).toEqual(['2', '3', '4']);
  });
});

describe('per-message history', () => {
  // Each message is followed by its id from publish to ack; the broker records queue names and a
  // route's queues through history handles and ids by their parts, and readers see plain data.
  for (const quorum of [false, true]) {
    it(`records publish, route, deliver and ack with their exact data (${quorum ? 'quorum' : 'classic'} queue)`, () => {
      const t = setup({ nodes: quorum ? 3 : 1 });
      const ch = t.channel(t.client('app'));
      t.settle(ch.assertQueue('work', quorum ? { arguments: { 'x-queue-type': 'quorum' } } : {}));
      t.settle(ch.assertExchange('orders', 'topic', { durable: false }));
      t.settle(ch.bindQueue('work', 'orders', 'eu.#'));
      const r = recorder(ch, { ack: true });
      t.settle(ch.consume('work', r.cb));
      ch.publish('orders', 'eu.created', 'a');
      ch.sendToQueue('work', 'b');
      ch.publish('orders', 'us.created', 'c');
      t.idle(ms(500));
      expect(r.contents()).toEqual(['a', 'b']);
      const data = (kind: string) => t.entries(kind).map((e) => e.data);
      expect(data(AmqpKinds.publish)).toEqual([
        { id: 'app:1', exchange: 'orders', routingKey: 'eu.created' },
        { id: 'app:2', exchange: '', routingKey: 'work' },
        { id: 'app:3', exchange: 'orders', routingKey: 'us.created' },
      ]);
      expect(data(AmqpKinds.route)).toEqual([
        { id: 'app:1', queues: ['work'] },
        { id: 'app:2', queues: ['work'] },
        { id: 'app:3', queues: [] },
      ]);
      const delivers = data(AmqpKinds.deliver);
      expect(delivers.map((d) => [d.id, d.q])).toEqual([['app:1', 'work'], ['app:2', 'work']]);
      expect(typeof delivers[0]!.ch).toBe('string');
      expect(delivers[1]!.ch).toBe(delivers[0]!.ch);
      expect(data(AmqpKinds.ack)).toEqual([{ id: 'app:1', q: 'work' }, { id: 'app:2', q: 'work' }]);
    });
  }

  // Several consumers of one queue, round-robin: every deliver entry names the right channel.
  for (const consumers of [3, 6]) {
    it(`names the channel each message went to, and the exchange it was published to (${consumers} consumers, exchanges alternating)`, () => {
      const t = setup();
      const admin = t.channel(t.client('admin'));
      t.settle(admin.assertQueue('work'));
      for (const x of ['a', 'b']) {
        t.settle(admin.assertExchange(x, 'fanout', { durable: false }));
        t.settle(admin.bindQueue('work', x, ''));
      }
      // Each consumer on its own connection, keeping what it got (never acking, prefetch 3).
      const got: string[][] = [];
      for (let c = 0; c < consumers; c++) {
        const ch = t.channel(t.client(`c${c}`));
        const mine: string[] = [];
        got.push(mine);
        t.settle(ch.prefetch(3));
        t.settle(ch.consume('work', (m: Message | null) => void (m && mine.push(m.content))));
      }
      const pub = t.channel(t.client('app'));
      const total = consumers * 3;
      for (let i = 1; i <= total; i++) pub.publish(i % 3 === 1 ? 'a' : 'b', '', `app:${i}`);
      t.idle(ms(500));
      expect(t.entries(AmqpKinds.publish).map((e) => e.data.exchange)).toEqual(Array.from({ length: total }, (_, i) => (i % 3 === 0 ? 'a' : 'b')));
      // Group the deliver entries by the channel they name: the groups are exactly what each consumer got.
      const byChannel = new Map<unknown, string[]>();
      for (const e of t.entries(AmqpKinds.deliver)) byChannel.set(e.data.ch, [...(byChannel.get(e.data.ch) ?? []), e.data.id as string]);
      const sorted = (groups: string[][]) => groups.map((g) => g.join(',')).sort();
      expect(sorted([...byChannel.values()])).toEqual(sorted(got));
      expect(got.every((g) => g.length === 3)).toBe(true);
    });
  }
});
