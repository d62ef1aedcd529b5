/**
 * The queue store: TTL at the head only, priorities, overflow modes, requeue position and the
 * redelivered flag, quorum delivery counts and limits, and x-expires bookkeeping.
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/rabbit_amqqueue_process.erl
 * (`maybe_deliver_or_enqueue/3`, `deliver_or_enqueue/3`, `maybe_drop_head/2`, `will_overflow/2`,
 * `drop_expired_msgs/2`, `requeue_and_run/2`, `ensure_expiry_timer/1`),
 * deps/rabbit/src/rabbit_priority_queue.erl (`priority/2`, `priorities/1`),
 * deps/rabbit/src/rabbit_fifo.erl (`return_one/6`, `evaluate_limit/5`, `is_expired/2`,
 * `update_expiry_header/3`), deps/rabbit/test/dead_lettering_SUITE.erl and quorum_queue_SUITE.erl
 * (cases named below).
 * Docs: https://www.rabbitmq.com/docs/3.13/ttl, https://www.rabbitmq.com/docs/3.13/maxlength,
 * https://www.rabbitmq.com/docs/3.13/priority, https://www.rabbitmq.com/docs/3.13/nack,
 * https://www.rabbitmq.com/docs/3.13/quorum-queues.
 */

import { describe, expect, it } from 'vitest';
import { deliveredHeaders, QueueStore, tableLookup, type Delivery } from '../../../src/sim/broker/amqp/index.ts';
import { ids, msg, queueConfig } from './helpers.ts';
import { messageId } from '../../../src/sim/broker/amqp/message.ts';

function classic(args: Record<string, unknown> = {}, createdAtMs = 0) {
  return new QueueStore(queueConfig('q', args), createdAtMs);
}
function quorum(args: Record<string, unknown> = {}, createdAtMs = 0) {
  return new QueueStore(queueConfig('qq', { 'x-queue-type': 'quorum', ...args }), createdAtMs);
}
const consumer = (tag = 'c', prefetchCount = 0, channelId = 'ch1') => ({ consumerTag: tag, channelId, noAck: false, prefetchCount });

/** basic.get with manual ack; returns the delivery (throws when empty). */
function get(q: QueueStore, nowMs = 0): Delivery {
  const d = q.get({ channelId: 'ch1', noAck: false }, nowMs).delivery;
  if (d === undefined) throw new Error('queue empty');
  return d;
}
/** Drains the queue with auto-ack basic.get, returning message ids in order. */
function drain(q: QueueStore, nowMs = 0): string[] {
  const out: string[] = [];
  for (let d = q.get({ channelId: 'x', noAck: true }, nowMs).delivery; d !== undefined; d = q.get({ channelId: 'x', noAck: true }, nowMs).delivery) {
    out.push(messageId(d.message));
  }
  return out;
}

describe('message TTL (docs/3.13/ttl)', () => {
  it('expires only at the head: an expired message behind a live one stays until it reaches the head', () => {
    const q = classic();
    q.publish(msg({ id: 'live' }), 0);
    q.publish(msg({ id: 'short', expiration: '10' }), 0);
    expect(q.nextExpiryAtMs()).toBeUndefined(); // the head has no TTL, so no timer
    expect(q.expire(1_000).deadLetters).toEqual([]);
    expect(q.messagesReady).toBe(2); // still counted in queue statistics
    const step = q.consume(consumer(), 1_000);
    expect(step.ok && ids(step.deliveries)).toEqual(['live']);
    expect(step.ok && step.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['short', 'expired']]);
  });

  it('per-queue x-message-ttl: due exactly at publish time + TTL (Now >= Expiry)', () => {
    const q = classic({ 'x-message-ttl': 50 });
    q.publish(msg({ id: 'a' }), 1_000);
    expect(q.nextExpiryAtMs()).toBe(1_050);
    expect(q.expire(1_049).deadLetters).toEqual([]);
    expect(q.expire(1_050).deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['a', 'expired']]);
  });

  it('the lower of x-message-ttl and expiration wins (PerQueueVsPerMessageTTL)', () => {
    const q = classic({ 'x-message-ttl': 100 });
    q.publish(msg({ id: 'msg-shorter', expiration: '20' }), 0);
    expect(q.nextExpiryAtMs()).toBe(20);
    const q2 = classic({ 'x-message-ttl': 100 });
    q2.publish(msg({ id: 'queue-shorter', expiration: '500' }), 0);
    expect(q2.nextExpiryAtMs()).toBe(100);
  });

  it('TTL 0 expires on arrival unless a consumer can take the message right away', () => {
    const q = classic({ 'x-message-ttl': 0 });
    expect(q.publish(msg({ id: 'nobody' }), 5).deadLetters.map((d) => d.reason)).toEqual(['expired']);
    q.consume(consumer(), 5);
    const step = q.publish(msg({ id: 'taken' }), 6);
    expect(ids(step.deliveries)).toEqual(['taken']);
    expect(step.deadLetters).toEqual([]);
  });

  it('quorum queues give a TTL-0 message until the next millisecond (update_expiry_header/3)', () => {
    const q = quorum({ 'x-message-ttl': 0 });
    expect(q.publish(msg({ id: 'a' }), 5).deadLetters).toEqual([]);
    expect(q.nextExpiryAtMs()).toBe(6);
    expect(q.expire(6).deadLetters.map((d) => messageId(d.message))).toEqual(['a']);
  });

  it('a requeued message keeps its original expiry', () => {
    const q = classic({ 'x-message-ttl': 100 });
    q.publish(msg({ id: 'a' }), 0);
    const d = get(q, 10);
    q.reject([d.ackTag as number], true, 60);
    expect(q.nextExpiryAtMs()).toBe(100);
  });

  it('an expired head is never delivered, even if no timer fired yet', () => {
    const q = classic({ 'x-message-ttl': 10 });
    q.publish(msg({ id: 'old' }), 0);
    q.publish(msg({ id: 'fresh' }), 15);
    const step = q.consume(consumer(), 20);
    expect(step.ok && ids(step.deliveries)).toEqual(['fresh']);
    expect(q.get({ channelId: 'ch1', noAck: true }, 20).delivery).toBeUndefined();
  });

  it('per-message expiration is also head-only in a quorum queue (docs/3.13/ttl "Quorum Queues")', () => {
    const q = quorum();
    q.publish(msg({ id: 'live' }), 0);
    q.publish(msg({ id: 'short', expiration: '1' }), 0);
    expect(q.expire(100).deadLetters).toEqual([]);
    expect(drain(q, 100)).toEqual(['live']);
  });
});

describe('priority queues (docs/3.13/priority)', () => {
  it('highest priority first, FIFO within a priority; absent = 0; above the maximum = the maximum', () => {
    const q = classic({ 'x-max-priority': 10 });
    const sent: ReadonlyArray<readonly [string, number | undefined]> = [
      ['p1', 1],
      ['none', undefined],
      ['p10', 10],
      ['p5', 5],
      ['p200', 200],
      ['p0', 0],
      ['p10b', 10],
    ];
    for (const [id, priority] of sent) q.publish(msg({ id, ...(priority === undefined ? {} : { priority }) }), 0);
    expect(drain(q)).toEqual(['p10', 'p200', 'p10b', 'p5', 'p1', 'none', 'p0']);
  });

  it('without x-max-priority the priority property is ignored', () => {
    const q = classic();
    q.publish(msg({ id: 'low', priority: 0 }), 0);
    q.publish(msg({ id: 'high', priority: 9 }), 0);
    expect(drain(q)).toEqual(['low', 'high']);
  });

  it('x-max-priority 0 still makes two levels (max(1, N))', () => {
    const q = classic({ 'x-max-priority': 0 });
    q.publish(msg({ id: 'zero' }), 0);
    q.publish(msg({ id: 'five', priority: 5 }), 0);
    expect(drain(q)).toEqual(['five', 'zero']);
  });

  it('max-length drops from the head, i.e. the highest priority message', () => {
    const q = classic({ 'x-max-priority': 5, 'x-max-length': 2 });
    q.publish(msg({ id: 'high', priority: 5 }), 0);
    q.publish(msg({ id: 'low1', priority: 1 }), 0);
    const step = q.publish(msg({ id: 'low2', priority: 1 }), 0);
    expect(step.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['high', 'maxlen']]);
    expect(drain(q)).toEqual(['low1', 'low2']);
  });

  it('expired low-priority messages are stuck behind live higher-priority ones', () => {
    const q = classic({ 'x-max-priority': 5 });
    q.publish(msg({ id: 'low-expiring', priority: 1, expiration: '5' }), 0);
    q.publish(msg({ id: 'high', priority: 5 }), 0);
    expect(q.expire(100).deadLetters).toEqual([]);
    expect(q.messagesReady).toBe(2);
    const first = q.get({ channelId: 'x', noAck: true }, 100);
    expect((first.delivery && messageId(first.delivery.message))).toBe('high');
    expect(first.deadLetters.map((d) => messageId(d.message))).toEqual(['low-expiring']);
  });
});

describe('length limits and x-overflow (docs/3.13/maxlength)', () => {
  it('drop-head (default) dead-letters the oldest messages (dead_letter_max_length_drop_head)', () => {
    const q = classic({ 'x-max-length': 1 });
    const dropped = [q.publish(msg({ id: 'P1' }), 0), q.publish(msg({ id: 'P2' }), 0), q.publish(msg({ id: 'P3' }), 0)].flatMap((s) => s.deadLetters);
    expect(dropped.map((d) => [messageId(d.message), d.reason])).toEqual([
      ['P1', 'maxlen'],
      ['P2', 'maxlen'],
    ]);
    expect(drain(q)).toEqual(['P3']);
  });

  it('reject-publish refuses the newest message; nothing is dead-lettered', () => {
    const q = classic({ 'x-max-length': 2, 'x-overflow': 'reject-publish' });
    const steps = ['a', 'b', 'c'].map((id) => q.publish(msg({ id }), 0));
    expect(steps.map((s) => s.accepted)).toEqual([true, true, false]);
    expect(steps[2]).toMatchObject({ rejectedBecause: 'overflow', deadLetters: [] });
    expect(drain(q)).toEqual(['a', 'b']);
  });

  it('reject-publish-dlx refuses and dead-letters the newest (dead_letter_max_length_reject_publish_dlx)', () => {
    const q = classic({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    const steps = ['P1', 'P2', 'P3'].map((id) => q.publish(msg({ id }), 0));
    expect(steps.map((s) => s.accepted)).toEqual([true, false, false]);
    expect(steps.flatMap((s) => s.deadLetters).map((d) => [messageId(d.message), d.reason])).toEqual([
      ['P2', 'maxlen'],
      ['P3', 'maxlen'],
    ]);
    expect(drain(q)).toEqual(['P1']);
  });

  it('x-max-length-bytes counts body bytes of ready messages', () => {
    const q = classic({ 'x-max-length-bytes': 10, 'x-overflow': 'reject-publish' });
    expect(q.publish(msg({ id: 'six', bodySize: 6 }), 0).accepted).toBe(true);
    expect(q.publish(msg({ id: 'four', bodySize: 4 }), 0).accepted).toBe(true);
    expect(q.publish(msg({ id: 'one', bodySize: 1 }), 0).accepted).toBe(false);
    expect(q.messageBytesReady).toBe(10);
  });

  it('unacknowledged messages do not count towards the limit', () => {
    const q = classic({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    q.publish(msg({ id: 'a' }), 0);
    get(q);
    expect(q.publish(msg({ id: 'b' }), 0).accepted).toBe(true);
    expect(q.messagesUnacknowledged).toBe(1);
  });

  it('drop-head applies after a requeue too: the requeued message, back at the head, is dropped', () => {
    const q = classic({ 'x-max-length': 1 });
    q.publish(msg({ id: 'a' }), 0);
    const d = get(q);
    q.publish(msg({ id: 'b' }), 0);
    const step = q.reject([d.ackTag as number], true, 0);
    expect(step.deadLetters.map((x) => [messageId(x.message), x.reason])).toEqual([['a', 'maxlen']]);
    expect(drain(q)).toEqual(['b']);
  });

  it('x-max-length 0: drop-head still hands a message to a waiting consumer; reject-publish refuses it first', () => {
    const dropHead = classic({ 'x-max-length': 0 });
    dropHead.consume(consumer(), 0);
    expect(ids(dropHead.publish(msg({ id: 'a' }), 0).deliveries)).toEqual(['a']);
    const reject = classic({ 'x-max-length': 0, 'x-overflow': 'reject-publish' });
    reject.consume(consumer(), 0);
    expect(reject.publish(msg({ id: 'a' }), 0)).toMatchObject({ accepted: false, deliveries: [] });
  });

  it('quorum reject-publish overshoots by one, then refuses until back to 80 % (docs/3.13/quorum-queues#length-limit)', () => {
    const q = quorum({ 'x-max-length': 5, 'x-overflow': 'reject-publish' });
    const accepted = Array.from({ length: 8 }, (_, i) => q.publish(msg({ id: `m${i}` }), 0).accepted);
    expect(accepted).toEqual([true, true, true, true, true, true, false, false]);
    expect(q.messagesReady).toBe(6);
    q.get({ channelId: 'x', noAck: true }, 0);
    expect(q.publish(msg({ id: 'still-refused' }), 0).accepted).toBe(false); // 5 ready > trunc(5 * 0.8)
    q.get({ channelId: 'x', noAck: true }, 0);
    expect(q.publish(msg({ id: 'accepted-again' }), 0).accepted).toBe(true); // 4 ready <= 4
  });

  it('quorum queues treat reject-publish-dlx as drop-head (rabbit_quorum_queue:overflow/3)', () => {
    const q = quorum({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    q.publish(msg({ id: 'a' }), 0);
    const step = q.publish(msg({ id: 'b' }), 0);
    expect(step.accepted).toBe(true);
    expect(step.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['a', 'maxlen']]);
  });
});

describe('requeue position and the redelivered flag (docs/3.13/nack)', () => {
  it('classic: requeued messages go back to their original positions, marked redelivered', () => {
    const q = classic();
    for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) q.publish(msg({ id }), 0);
    const [d1, d2, d3] = [get(q), get(q), get(q)] as [Delivery, Delivery, Delivery];
    expect([d1, d2, d3].map((d) => d.redelivered)).toEqual([false, false, false]);
    q.reject([d2.ackTag as number], true, 0);
    expect(ids(q.readyMessages())).toEqual(['m2', 'm4', 'm5']);
    q.reject([d3.ackTag as number, d1.ackTag as number], true, 0);
    expect(ids(q.readyMessages())).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    const again = [get(q), get(q), get(q), get(q), get(q)];
    expect(again.map((d) => [messageId(d.message), d.redelivered])).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
      ['m4', false],
      ['m5', false],
    ]);
  });

  it('nack/reject without requeue dead-letters, in the order given (dead_letter_reject_many)', () => {
    const q = classic();
    q.consume(consumer(), 0);
    const tags = ['a', 'b', 'c'].map((id) => q.publish(msg({ id }), 0).deliveries[0]?.ackTag as number);
    const step = q.reject(tags, false, 0);
    expect(step.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([
      ['a', 'rejected'],
      ['b', 'rejected'],
      ['c', 'rejected'],
    ]);
    expect(q.messagesUnacknowledged).toBe(0);
  });

  it('channel close requeues that channel’s unacked messages only, and removes its consumers', () => {
    const q = classic();
    q.consume({ consumerTag: 'c1', channelId: 'ch1', noAck: false, prefetchCount: 1 }, 0);
    q.consume({ consumerTag: 'c2', channelId: 'ch2', noAck: false, prefetchCount: 1 }, 0);
    const delivered = ['a', 'b'].map((id) => q.publish(msg({ id }), 0).deliveries[0]);
    expect(delivered.map((d) => [(d && messageId(d.message)), d?.channelId])).toEqual([
      ['a', 'ch1'],
      ['b', 'ch2'],
    ]);
    const step = q.channelDown('ch1', 0);
    expect(step.deliveries).toEqual([]); // c2 is at its prefetch limit
    expect(q.consumerCount).toBe(1);
    expect(ids(q.readyMessages())).toEqual(['a']);
    expect(q.messagesUnacknowledged).toBe(1);
    const redelivery = q.ack([delivered[1]?.ackTag as number], 0).deliveries[0];
    expect([(redelivery && messageId(redelivery.message)), redelivery?.consumerTag, redelivery?.redelivered]).toEqual(['a', 'c2', true]);
  });

  it('quorum without x-delivery-limit: a requeued message goes to the back, counting the attempt', () => {
    const q = quorum();
    for (const id of ['m1', 'm2', 'm3']) q.publish(msg({ id }), 0);
    const d1 = get(q);
    q.reject([d1.ackTag as number], true, 0);
    expect(ids(q.readyMessages())).toEqual(['m2', 'm3', 'm1']);
    const again = q.readyMessages()[2];
    expect([again?.deliveryCount, again?.redelivered]).toEqual([1, true]);
  });

  it('quorum with x-delivery-limit: requeued near the head; dropped after the limit (subscribe_redelivery_limit)', () => {
    const q = quorum({ 'x-delivery-limit': 1 });
    q.consume(consumer('c', 1), 0);
    q.publish(msg({ id: 'm1' }), 0);
    q.publish(msg({ id: 'm2' }), 0);
    const first = q.consumerUnacked('ch1', 'c') === 1 ? q.unackedDeliveries()[0] : undefined;
    expect((first && messageId(first.message))).toBe('m1');
    const second = q.reject([first?.ackTag as number], true, 0).deliveries[0] as Delivery;
    expect([messageId(second.message), second.redelivered, second.deliveryCount]).toEqual(['m1', true, 1]);
    expect(tableToValue(deliveredHeaders(second.message, { deliveryCount: second.deliveryCount }))).toBe(1);
    const third = q.reject([second.ackTag as number], true, 0);
    expect(third.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['m1', 'delivery_limit']]);
    expect(ids(third.deliveries)).toEqual(['m2']);
  });

  it('quorum: the first delivery has no x-delivery-count header and is not redelivered', () => {
    const q = quorum();
    q.consume(consumer(), 0);
    const d = q.publish(msg({ id: 'a' }), 0).deliveries[0] as Delivery;
    expect([d.redelivered, d.deliveryCount]).toEqual([false, 0]);
    expect(tableLookup(deliveredHeaders(d.message, { deliveryCount: d.deliveryCount }), 'x-delivery-count')).toBeUndefined();
  });

  it('quorum: a closed channel returns its messages to the head and counts the attempt, even with no limit', () => {
    const q = quorum();
    q.consume({ consumerTag: 'c', channelId: 'ch1', noAck: false, prefetchCount: 1 }, 0);
    for (const id of ['m1', 'm2']) q.publish(msg({ id }), 0);
    q.channelDown('ch1', 0);
    expect(ids(q.readyMessages())).toEqual(['m1', 'm2']);
    expect(q.readyMessages()[0]?.deliveryCount).toBe(1);
  });

  it('quorum: a consumer crash counts towards x-delivery-limit', () => {
    const q = quorum({ 'x-delivery-limit': 0 });
    q.consume({ consumerTag: 'c', channelId: 'ch1', noAck: false, prefetchCount: 1 }, 0);
    q.publish(msg({ id: 'poison' }), 0);
    expect(q.channelDown('ch1', 0).deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['poison', 'delivery_limit']]);
  });
});

describe('x-expires bookkeeping (docs/3.13/ttl#queue-ttl)', () => {
  it('classic: renewed by redeclare, basic.get and the last consumer leaving; paused while consumed', () => {
    const q = classic({ 'x-expires': 1_000 }, 0);
    expect(q.expiresAtMs()).toBe(1_000);
    q.redeclared(500);
    expect(q.expiresAtMs()).toBe(1_500);
    q.get({ channelId: 'ch1', noAck: true }, 800);
    expect(q.expiresAtMs()).toBe(1_800);
    q.consume(consumer(), 900);
    expect(q.expiresAtMs()).toBeUndefined();
    expect(q.isExpired(10_000)).toBe(false);
    q.cancel('ch1', 'c', 5_000);
    expect(q.expiresAtMs()).toBe(6_000);
    expect([q.isExpired(5_999), q.isExpired(6_000)]).toEqual([false, true]);
  });

  it('messages in the queue do not keep it alive', () => {
    const q = classic({ 'x-expires': 100 }, 0);
    q.publish(msg({ id: 'a' }), 50);
    expect(q.isExpired(100)).toBe(true);
  });

  it('quorum: a redeclare does not renew; expiry needs strictly more than x-expires (rabbit_fifo:is_expired/2)', () => {
    const q = quorum({ 'x-expires': 1_000 }, 0);
    q.redeclared(500);
    expect(q.expiresAtMs()).toBe(1_001);
    expect([q.isExpired(1_000), q.isExpired(1_001)]).toEqual([false, true]);
  });

  it('quorum: a cancelled consumer still holding messages keeps the queue in use until it settles them', () => {
    const q = quorum({ 'x-expires': 1_000 }, 0);
    q.consume(consumer(), 0);
    const d = q.publish(msg({ id: 'a' }), 0).deliveries[0] as Delivery;
    q.cancel('ch1', 'c', 100);
    expect(q.expiresAtMs()).toBeUndefined();
    q.ack([d.ackTag as number], 300);
    expect(q.expiresAtMs()).toBe(1_301);
  });
});

function tableToValue(t: ReturnType<typeof deliveredHeaders>): unknown {
  const v = tableLookup(t, 'x-delivery-count');
  return v !== undefined && 'value' in v ? v.value : undefined;
}
