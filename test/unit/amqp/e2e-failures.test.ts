/**
 * Failures end to end: consumers that crash or are cut off, broker restarts with durable and
 * transient queues and messages, publisher confirms across them, and flow control under a memory
 * alarm. Nothing here is scripted: the broker learns of a dead client from missing heartbeats,
 * exactly as RabbitMQ does, and a restart recovers only what the disk kept.
 *
 * Docs: https://www.rabbitmq.com/docs/heartbeats ("after two missed heartbeats, the peer is
 * considered to be unreachable"), https://www.rabbitmq.com/docs/confirms#automatic-requeueing
 * ("When a consumer's connection is lost … any unacknowledged deliveries will be automatically
 * requeued"; with automatic acknowledgement "a message is considered to be successfully delivered
 * immediately after it is sent" — so it is lost if the consumer dies),
 * https://www.rabbitmq.com/docs/queues#durability, https://www.rabbitmq.com/docs/persistence-conf,
 * https://www.rabbitmq.com/docs/alarms, https://www.rabbitmq.com/docs/connection-blocked.
 */

import { describe, expect, it } from 'vitest';
import { connect, type Message } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, ms, recorder, sec, setup } from './e2e-helpers.ts';

describe('a consumer that dies', () => {
  it('with manual acks loses nothing: the broker requeues its unacked messages when heartbeats stop', () => {
    const t = setup();
    const pub = t.channel(t.client('producer'));
    t.settle(pub.assertQueue('orders'));
    const worker = t.channel(t.client('worker', 'rabbit1', 1));
    t.settle(worker.prefetch(5));
    const processed: string[] = [];
    t.settle(worker.consume('orders', (m) => void processed.push(m!.content)));
    for (let i = 1; i <= 5; i++) pub.sendToQueue('orders', `o${i}`);
    t.idle();
    expect(processed).toHaveLength(5); // received, not acked yet
    t.world.crash('worker');
    t.world.runFor(sec(1));
    expect(t.cluster.queue('orders')).toMatchObject({ unacked: 5, ready: 0 });
    t.world.runFor(sec(3)); // heartbeat 1 s: closed 2–3 s after the last frame
    expect(t.entries(AmqpKinds.connectionClose).map((e) => e.data.reason)).toContain('missed heartbeats from client, timeout: 1s');
    expect(t.cluster.queue('orders')).toMatchObject({ unacked: 0, ready: 5 });
    const rescuer = t.channel(t.client('rescuer'));
    const r = recorder(rescuer, { ack: true });
    t.settle(rescuer.consume('orders', r.cb));
    t.idle();
    expect(r.got.map((m) => [m.content, m.fields.redelivered])).toEqual([1, 2, 3, 4, 5].map((i) => [`o${i}`, true]));
  });

  it('with automatic acks loses what was in flight: the broker forgot it when it sent it', () => {
    const t = setup();
    const pub = t.channel(t.client('producer'));
    t.settle(pub.assertQueue('orders'));
    const worker = t.channel(t.client('worker', 'rabbit1', 1));
    const done: string[] = [];
    // The handler "works" for 50 ms per message before recording it as done.
    t.settle(worker.consume('orders', (m) => void t.world.node('worker').setTimer(ms(50), () => done.push(m!.content)), { noAck: true }));
    for (let i = 1; i <= 5; i++) pub.sendToQueue('orders', `o${i}`);
    t.world.runFor(ms(20));
    t.world.crash('worker');
    t.world.runFor(sec(5));
    const delivered = t.entries(AmqpKinds.deliver).map((e) => e.data.id);
    expect(delivered).toEqual(['producer:1', 'producer:2', 'producer:3', 'producer:4', 'producer:5']);
    expect(done).toEqual([]);
    expect(t.cluster.queue('orders')).toMatchObject({ ready: 0, unacked: 0 }); // gone for good
  });

  it('a partition between consumer and broker closes the connection on both sides; its messages go back', () => {
    const t = setup();
    const pub = t.channel(t.client('producer'));
    t.settle(pub.assertQueue('q'));
    const conn = t.client('worker', 'rabbit1', 1);
    const ch = t.channel(conn);
    const events: string[] = [];
    conn.on('error', (e) => events.push(`error: ${e.message}`));
    conn.on('close', () => events.push('close'));
    ch.on('close', () => events.push('channel close'));
    t.settle(ch.consume('q', () => undefined));
    pub.sendToQueue('q', 'x');
    t.idle();
    t.world.partition(['worker'], ['rabbit1']);
    t.world.runFor(sec(4));
    expect(events).toEqual(['error: Heartbeat timeout', 'channel close', 'close']);
    expect(t.cluster.queue('q')).toMatchObject({ ready: 1, unacked: 0, consumers: [] });
    t.world.heal().runFor(sec(1));
    // Frames held by the partition arrive after the heal for a connection both sides closed: ignored.
    expect(t.cluster.queue('q')).toMatchObject({ ready: 1, unacked: 0 });
  });

  it('a short partition (shorter than the heartbeat timeout) only delays: TCP holds the frames', () => {
    const t = setup();
    const conn = t.client('app', 'rabbit1', 5);
    const ch = t.channel(conn);
    t.settle(ch.assertQueue('q'));
    t.world.partition(['app'], ['rabbit1']);
    ch.sendToQueue('q', 'during');
    t.world.runFor(sec(2));
    expect(t.cluster.queue('q')!.ready).toBe(0);
    t.world.heal().runFor(ms(50));
    expect(t.cluster.queue('q')!.ready).toBe(1);
    expect(conn.state).toBe('open');
  });
});

describe('broker restart', () => {
  it('keeps durable queues and their persistent messages; loses transient messages and non-durable queues', () => {
    const t = setup();
    const ch = t.confirmChannel(t.client('app'));
    t.settle(ch.assertQueue('durable', { durable: true }));
    t.settle(ch.assertQueue('transient', { durable: false }));
    ch.sendToQueue('durable', 'kept', { persistent: true });
    ch.sendToQueue('durable', 'lost', { persistent: false });
    ch.sendToQueue('transient', 'gone', { persistent: true });
    t.settle(ch.waitForConfirms()); // the persistent one was confirmed after an fsync
    t.world.crash('rabbit1');
    expect(t.entries(AmqpKinds.lost).map((e) => [e.data.q, e.data.count])).toEqual([
      ['durable', 1],
      ['transient', 1],
    ]);
    t.world.restart('rabbit1');
    t.idle();
    expect(t.cluster.queue('transient')).toBeUndefined();
    const after = t.channel(t.client('app2'));
    const m = t.settle(after.get('durable', { noAck: true })) as Message;
    // A crash is a dirty recovery: RabbitMQ marks every recovered message delivered.
    expect([m.content, m.fields.redelivered, m.properties.deliveryMode]).toEqual(['kept', true, 2]);
    expect(t.settle(after.get('durable'))).toBe(false);
  });

  it('a client connected to a crashed broker sees its connection close (heartbeat timeout) and can reconnect after the restart', () => {
    const t = setup();
    const conn = t.client('app', 'rabbit1', 1);
    const closes: string[] = [];
    conn.on('close', (err) => closes.push(err?.message ?? 'clean'));
    t.world.crash('rabbit1');
    t.world.runFor(sec(4));
    expect(closes).toEqual(['Heartbeat timeout']);
    expect(t.fails(conn.createChannel()).message).toContain('Connection closed');
    t.world.restart('rabbit1');
    const again = t.client('app');
    expect(again.state).toBe('open');
  });

  it('connecting to a crashed node times out', () => {
    const t = setup();
    t.world.crash('rabbit1');
    const err = t.fails(connect(t.world, 'late', 'amqp://rabbit1'));
    expect(err.message).toBe('connect ETIMEDOUT rabbit1:5672');
    expect(t.world.nowUs).toBe(sec(5));
  });
});

describe('flow control under a memory alarm', () => {
  it('blocks publishing connections (connection.blocked, publish returns false) until memory is freed', () => {
    const t = setup({ config: { memoryHighWatermarkBytes: 10_000, messageOverheadBytes: 0 } });
    const conn = t.client('pub');
    const ch = t.channel(conn);
    t.settle(ch.assertQueue('q'));
    const events: string[] = [];
    conn.on('blocked', (reason) => events.push(`blocked: ${reason}`));
    conn.on('unblocked', () => events.push('unblocked'));
    ch.on('drain', () => events.push('drain'));
    const big = 'x'.repeat(1_000);
    for (let i = 0; i < 15; i++) ch.sendToQueue('q', big);
    t.world.runFor(sec(1)); // the memory monitor raises the alarm
    expect(t.entries(AmqpKinds.alarm).map((e) => e.data.set)).toEqual([true]);
    ch.sendToQueue('q', 'one more'); // read: it is what blocks the connection
    ch.sendToQueue('q', 'held');
    t.idle();
    expect(events).toEqual(['blocked: low on memory']);
    expect(ch.sendToQueue('q', 'still held')).toBe(false);
    expect(t.cluster.queue('q')!.ready).toBe(16);
    // A consumer on another connection is not blocked and drains the queue.
    const cons = t.channel(t.client('consumer'));
    t.settle(cons.consume('q', (m) => cons.ack(m!)));
    t.world.runFor(sec(1));
    expect(events).toEqual(['blocked: low on memory', 'unblocked', 'drain']);
    t.idle();
    expect(t.entries(AmqpKinds.deliver).length).toBe(18);
  });
});
