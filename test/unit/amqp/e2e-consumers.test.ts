/**
 * Consumers end to end: prefetch, round-robin, acks and their errors, requeue position and the
 * redelivered flag, basic.get, cancel (by the client and by the broker), exclusive and auto-delete
 * queues, channel-closing errors and consumer timeouts.
 *
 * Docs: https://www.rabbitmq.com/docs/consumer-prefetch, https://www.rabbitmq.com/docs/confirms
 * (consumer acknowledgements: "delivery tags are scoped per channel", "Acknowledging on a
 * different channel … or acknowledging the same delivery twice will result in a channel-level
 * protocol exception … PRECONDITION_FAILED - unknown delivery tag"; requeued deliveries carry
 * `redelivered`), https://www.rabbitmq.com/docs/nack ("placed to its original position in its
 * queue, if possible"), https://www.rabbitmq.com/docs/queues (exclusive, auto-delete),
 * https://www.rabbitmq.com/docs/consumers#consumer-cancel-notification,
 * https://www.rabbitmq.com/docs/consumers#acknowledgement-timeout.
 * RabbitMQ's own tests: rabbitmq-server deps/rabbit/test/consumer_timeout_SUITE.erl,
 * rabbitmq-java-client QosTests (prefetch), RequeueOnChannelClose / RequeueOnConnectionClose.
 */

import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, ms, recorder, sec, setup } from './e2e-helpers.ts';

describe('prefetch', () => {
  it('bounds the unacknowledged deliveries of a consumer; each ack lets one more through', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    for (let i = 1; i <= 10; i++) ch.sendToQueue('q', `m${i}`);
    t.settle(ch.prefetch(3));
    const r = recorder(ch);
    t.settle(ch.consume('q', r.cb));
    t.idle();
    expect(r.contents()).toEqual(['m1', 'm2', 'm3']);
    expect(t.cluster.queue('q')).toMatchObject({ ready: 7, unacked: 3 });
    ch.ack(r.got[0]!);
    t.idle();
    expect(r.contents()).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(t.cluster.queue('q')!.unacked).toBe(3);
  });

  it('dispatches round-robin among the consumers of a queue', () => {
    const t = setup();
    const ch1 = t.channel(t.client('w1'));
    const ch2 = t.channel(t.client('w2'));
    t.settle(ch1.assertQueue('work'));
    const a = recorder(ch1, { ack: true });
    const b = recorder(ch2, { ack: true });
    t.settle(ch1.consume('work', a.cb));
    t.settle(ch2.consume('work', b.cb));
    for (let i = 1; i <= 6; i++) ch1.sendToQueue('work', `${i}`);
    t.idle(ms(100));
    expect(a.contents()).toEqual(['1', '3', '5']);
    expect(b.contents()).toEqual(['2', '4', '6']);
  });

  it('with global=true the limit is shared by the channel’s consumers', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('a'));
    t.settle(ch.assertQueue('b'));
    for (let i = 0; i < 5; i++) {
      ch.sendToQueue('a', `a${i}`);
      ch.sendToQueue('b', `b${i}`);
    }
    t.settle(ch.prefetch(3, true));
    const r = recorder(ch);
    t.settle(ch.consume('a', r.cb));
    t.settle(ch.consume('b', r.cb));
    t.idle();
    expect(r.got).toHaveLength(3);
    ch.ack(r.got[0]!);
    t.idle();
    expect(r.got).toHaveLength(4);
  });
});

describe('acks, nacks and requeues', () => {
  it('a nack with requeue puts the message back at its original position, marked redelivered', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    for (const m of ['a', 'b', 'c']) ch.sendToQueue('q', m);
    t.idle();
    const first = t.settle(ch.get('q')) as Message;
    expect([first.content, first.fields.redelivered]).toEqual(['a', false]);
    ch.nack(first);
    t.idle();
    const again = t.settle(ch.get('q')) as Message;
    expect([again.content, again.fields.redelivered, again.fields.messageCount]).toEqual(['a', true, 2]);
    ch.ack(again);
    const next = t.settle(ch.get('q', { noAck: true })) as Message;
    expect([next.content, next.fields.redelivered]).toEqual(['b', false]);
  });

  it('nack with multiple settles every outstanding delivery up to the tag, in delivery order', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    for (const m of ['1', '2', '3', '4']) ch.sendToQueue('q', m);
    const r = recorder(ch);
    t.settle(ch.consume('q', r.cb));
    t.idle();
    ch.nack(r.got[2]!, true, false); // tags 1–3, no requeue: dropped (no DLX)
    t.idle();
    expect(t.cluster.queue('q')).toMatchObject({ ready: 0, unacked: 1 });
    expect(t.entries(AmqpKinds.drop).map((e) => [e.data.id, e.data.reason])).toEqual([
      ['app:1', 'rejected'],
      ['app:2', 'rejected'],
      ['app:3', 'rejected'],
    ]);
  });

  it('acking the same delivery twice closes the channel: 406 unknown delivery tag', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    ch.sendToQueue('q', 'x');
    const m = t.settle(ch.get('q')) as Message;
    const errors: Array<number | undefined> = [];
    ch.on('error', (e) => errors.push(e.code));
    ch.ack(m);
    ch.ack(m);
    const next = t.fails(ch.checkQueue('q'));
    expect(errors).toEqual([406]);
    expect(next.message).toBe('Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"');
  });

  it('closing a channel requeues its unacknowledged deliveries for other consumers (redelivered)', () => {
    const t = setup();
    const c1 = t.channel(t.client('w1'));
    const c2 = t.channel(t.client('w2'));
    t.settle(c1.assertQueue('q'));
    c1.sendToQueue('q', 'job');
    const a = recorder(c1);
    t.settle(c1.consume('q', a.cb));
    t.idle();
    expect(a.contents()).toEqual(['job']);
    const b = recorder(c2, { ack: true });
    t.settle(c2.consume('q', b.cb));
    t.settle(c1.close());
    t.idle();
    expect(b.got.map((m) => [m.content, m.fields.redelivered])).toEqual([['job', true]]);
    expect(t.entries(AmqpKinds.cancel).map((e) => e.data.why)).toEqual(['channel-closed']);
    expect(t.entries(AmqpKinds.requeue).map((e) => e.data)).toEqual([{ id: 'app:1', q: 'q', why: 'channel-closed' }].map((d) => ({ ...d, id: 'w1:1' })));
  });

  it('basic.recover requeues everything outstanding on the channel', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    ch.sendToQueue('q', 'x');
    const r = recorder(ch);
    t.settle(ch.consume('q', r.cb));
    t.idle();
    t.settle(ch.recover());
    t.idle();
    expect(r.got.map((m) => [m.content, m.fields.redelivered])).toEqual([
      ['x', false],
      ['x', true],
    ]);
  });
});

describe('basic.get, cancel, and queue lifecycles', () => {
  it('get returns false on an empty queue and the ready count left otherwise', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    expect(t.settle(ch.get('q'))).toBe(false);
    ch.sendToQueue('q', 'a');
    ch.sendToQueue('q', 'b');
    const m = t.settle(ch.get('q', { noAck: true })) as Message;
    expect([m.content, m.fields.messageCount, m.fields.routingKey, m.fields.exchange]).toEqual(['a', 1, 'q', '']);
  });

  it('cancel stops deliveries; deleting a queue cancels its consumers (callback gets null)', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    const admin = t.channel(t.client('admin'));
    t.settle(ch.assertQueue('q1'));
    t.settle(ch.assertQueue('q2'));
    const seen: Array<string | null> = [];
    const { consumerTag } = t.settle(ch.consume('q1', (m) => seen.push(m?.content ?? null), { noAck: true }));
    t.settle(ch.consume('q2', (m) => seen.push(m === null ? 'cancelled' : m.content), { noAck: true, consumerTag: 'mine' }));
    expect(consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    t.settle(ch.cancel(consumerTag));
    ch.sendToQueue('q1', 'after-cancel');
    t.idle();
    expect(t.settle(admin.deleteQueue('q2'))).toEqual({ messageCount: 0 });
    t.idle();
    expect(seen).toEqual(['cancelled']);
    expect(t.cluster.queue('q1')!.ready).toBe(1);
    // The history says when each consumer began and why it ended (the inspector counts from these).
    expect(t.entries(AmqpKinds.consume).map((e) => [e.data.q, e.data.consumer, e.data.noAck])).toEqual([
      ['q1', consumerTag, true],
      ['q2', 'mine', true],
    ]);
    expect(t.entries(AmqpKinds.cancel).map((e) => [e.data.q, e.data.consumer, e.data.why])).toEqual([
      ['q1', consumerTag, 'cancel'],
      ['q2', 'mine', 'queue-gone'],
    ]);
  });

  it('an exclusive queue belongs to its connection: others get 405, and it dies with the connection', () => {
    const t = setup();
    const owner = t.client('owner');
    const ch = t.channel(owner);
    const { queue } = t.settle(ch.assertQueue('', { exclusive: true }));
    expect(queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    const other = t.channel(t.client('other'));
    const err = t.fails(other.consume(queue, () => undefined));
    expect(err.message).toBe(
      `Operation failed: BasicConsume; 405 (RESOURCE-LOCKED) with message "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${queue}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."`,
    );
    t.settle(owner.close());
    expect(t.cluster.queue(queue)).toBeUndefined();
  });

  it('an auto-delete queue goes when its last consumer is cancelled', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('tmp', { autoDelete: true }));
    const { consumerTag } = t.settle(ch.consume('tmp', () => undefined));
    expect(t.cluster.queue('tmp')).toBeDefined();
    t.settle(ch.cancel(consumerTag));
    t.idle();
    expect(t.cluster.queue('tmp')).toBeUndefined();
  });

  it('checkQueue on a missing queue fails the call and closes the channel (404)', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    const closed: string[] = [];
    ch.on('close', () => closed.push('close'));
    ch.on('error', () => closed.push('error'));
    const err = t.fails(ch.checkQueue('ghost'));
    expect(err.message).toBe(`Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'ghost' in vhost '/'"`);
    expect(err.code).toBe(404);
    expect(closed).toEqual(['error', 'close']);
    expect(t.fails(ch.assertQueue('x')).message).toBe('Channel closed');
  });

  it('redeclaring with different arguments is a 406 inequivalent arg', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q', { messageTtl: 1000 }));
    expect(t.fails(ch.assertQueue('q', { messageTtl: 2000 })).message).toBe(
      `Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received the value '2000' of type 'short' but current is the value '1000' of type 'short'"`,
    );
  });
});

describe('priorities and purge', () => {
  it('x-max-priority: higher priority first, FIFO within a priority, above the maximum counts as the maximum (docs/priority)', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('p', { maxPriority: 5 }));
    ch.sendToQueue('p', 'low');
    ch.sendToQueue('p', 'high-1', { priority: 5 });
    ch.sendToQueue('p', 'none');
    ch.sendToQueue('p', 'way-up', { priority: 200 });
    ch.sendToQueue('p', 'mid', { priority: 3 });
    t.idle();
    const r = recorder(ch, { ack: true });
    t.settle(ch.consume('p', r.cb));
    t.idle();
    expect(r.contents()).toEqual(['high-1', 'way-up', 'mid', 'low', 'none']);
  });

  it('purgeQueue removes ready messages and reports how many; unacked ones stay', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    for (const m of ['a', 'b', 'c']) ch.sendToQueue('q', m);
    const held = t.settle(ch.get('q')) as Message;
    expect(t.settle(ch.purgeQueue('q'))).toEqual({ messageCount: 2 });
    expect(t.cluster.queue('q')).toMatchObject({ ready: 0, unacked: 1 });
    ch.nack(held);
    t.idle();
    expect(t.cluster.queue('q')).toMatchObject({ ready: 1, unacked: 0 });
  });
});

describe('consumer_timeout', () => {
  it('a delivery not acknowledged in time closes the channel with 406, and the message is redelivered', () => {
    const t = setup({ config: { consumerTimeoutMs: 5_000 } });
    const slow = t.channel(t.client('slow'));
    t.settle(slow.assertQueue('q'));
    slow.sendToQueue('q', 'job');
    const errors: string[] = [];
    slow.on('error', (e) => errors.push(e.message));
    t.settle(slow.consume('q', () => undefined));
    t.world.runFor(sec(8));
    expect(errors).toEqual([
      'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 5000 ms. This timeout value can be configured, see consumers doc guide to learn more"',
    ]);
    expect(t.cluster.queue('q')).toMatchObject({ ready: 1, unacked: 0 });
  });
});
