/**
 * Round-robin dispatch with per-consumer prefetch, through the queue store and on the consumer
 * ring directly.
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/rabbit_queue_consumers.erl (`add/11`,
 * `deliver/6`, `subtract_acks/3`, `unblock/2`), deps/rabbit/src/rabbit_limiter.erl (`can_send/3`,
 * credits); rabbitmq-java-client src/test/java/com/rabbitmq/client/test/functional/QosTests.java
 * (`permutations`, `singleChannelAndQueueFairness`, `noAckNoAlterLimit`, `noAckObeysLimit`,
 * `runLimitTests`: basic.get is not limited).
 * Docs: https://www.rabbitmq.com/docs/3.13/consumer-prefetch,
 * https://www.rabbitmq.com/docs/3.13/consumer-priority, https://www.rabbitmq.com/docs/3.13/confirms#channel-qos-prefetch.
 */

import { describe, expect, it } from 'vitest';
import { ConsumerRing, QueueStore, type Delivery } from '../../../src/sim/broker/amqp/index.ts';
import { msg, queueConfig } from './helpers.ts';
import { messageId } from '../../../src/sim/broker/amqp/message.ts';

function store() {
  return new QueueStore(queueConfig('q'), 0);
}
const sub = (consumerTag: string, prefetchCount: number, extra: { noAck?: boolean; priority?: number; channelId?: string } = {}) => ({
  consumerTag,
  channelId: extra.channelId ?? 'ch',
  noAck: extra.noAck ?? false,
  prefetchCount,
  ...(extra.priority === undefined ? {} : { priority: extra.priority }),
});
function publishAll(q: QueueStore, n: number, prefix = 'm'): Delivery[] {
  return Array.from({ length: n }, (_, i) => q.publish(msg({ id: `${prefix}${i + 1}` }), 0).deliveries).flat();
}
const who = (ds: readonly Delivery[]) => ds.map((d) => `${messageId(d.message)}→${d.consumerTag}`);

describe('round-robin', () => {
  it('consumers take turns in the order they subscribed', () => {
    const q = store();
    for (const c of ['c1', 'c2', 'c3']) q.consume(sub(c, 0), 0);
    expect(who(publishAll(q, 7))).toEqual(['m1→c1', 'm2→c2', 'm3→c3', 'm4→c1', 'm5→c2', 'm6→c3', 'm7→c1']);
  });

  it('a backlog is shared fairly when consumers arrive (singleChannelAndQueueFairness)', () => {
    const q = store();
    publishAll(q, 4);
    const first = q.consume(sub('c1', 1), 0);
    const second = q.consume(sub('c2', 1), 0);
    expect(first.ok && who(first.deliveries)).toEqual(['m1→c1']);
    expect(second.ok && who(second.deliveries)).toEqual(['m2→c2']);
  });

  it('higher x-priority consumers are served first while they have room (docs/3.13/consumer-priority)', () => {
    const q = store();
    q.consume(sub('low', 0), 0);
    q.consume(sub('high', 2, { priority: 10 }), 0);
    expect(who(publishAll(q, 4))).toEqual(['m1→high', 'm2→high', 'm3→low', 'm4→low']);
  });

  it('the same consumer tag on two channels is two consumers (tags are per channel)', () => {
    const q = store();
    q.consume(sub('c', 0, { channelId: 'a' }), 0);
    q.consume(sub('c', 0, { channelId: 'b' }), 0);
    expect(publishAll(q, 2).map((d) => d.channelId)).toEqual(['a', 'b']);
    expect(q.consume(sub('c', 0, { channelId: 'a' }), 0)).toEqual({ ok: false, reason: 'duplicate-tag' });
  });
});

describe('prefetch bound (basic.qos, global=false)', () => {
  it('a consumer never holds more unacked deliveries than its prefetch; an ack lets the next one through', () => {
    const q = store();
    q.consume(sub('c', 2), 0);
    const sent = publishAll(q, 5);
    expect(sent.map((d) => messageId(d.message))).toEqual(['m1', 'm2']);
    expect(q.consumerUnacked('ch', 'c')).toBe(2);
    expect(q.messagesReady).toBe(3);
    const next = q.ack([sent[0]?.ackTag as number], 0);
    expect(next.deliveries.map((d) => messageId(d.message))).toEqual(['m3']);
    expect(q.consumerUnacked('ch', 'c')).toBe(2);
  });

  it('nack with requeue and reject also free a slot', () => {
    const q = store();
    q.consume(sub('c', 1), 0);
    const [d1] = publishAll(q, 2);
    const step = q.reject([d1?.ackTag as number], true, 0);
    expect(step.deliveries.map((d) => [messageId(d.message), d.redelivered])).toEqual([['m1', true]]);
  });

  it('a full consumer is skipped; the freed one gets the message, not the next in line', () => {
    const q = store();
    q.consume(sub('A', 1), 0);
    q.consume(sub('B', 1), 0);
    const [a1, b1] = publishAll(q, 3);
    expect([a1?.consumerTag, b1?.consumerTag]).toEqual(['A', 'B']);
    const afterB = q.ack([b1?.ackTag as number], 0);
    expect(who(afterB.deliveries)).toEqual(['m3→B']);
  });

  it('prefetch 0 is unlimited', () => {
    const q = store();
    q.consume(sub('c', 0), 0);
    expect(publishAll(q, 50)).toHaveLength(50);
  });

  it('noAck consumers are not limited by their prefetch (noAckNoAlterLimit)', () => {
    const q = store();
    q.consume(sub('auto', 1, { noAck: true }), 0);
    const ds = publishAll(q, 3);
    expect(ds.map((d) => d.ackTag)).toEqual([undefined, undefined, undefined]);
    expect(q.messagesUnacknowledged).toBe(0);
  });

  it('basic.get ignores prefetch and its acks do not unblock consumers (QosTests runLimitTests)', () => {
    const q = store();
    q.consume(sub('c', 1), 0);
    publishAll(q, 3);
    const got = q.get({ channelId: 'ch', noAck: false }, 0);
    expect((got.delivery && messageId(got.delivery.message))).toBe('m2');
    expect(q.ack([got.delivery?.ackTag as number], 0).deliveries).toEqual([]);
    expect(q.consumerUnacked('ch', 'c')).toBe(1);
  });

  it('the prefetch is fixed per consumer at subscribe time', () => {
    const q = store();
    q.consume(sub('old', 1), 0);
    q.consume(sub('new', 3), 0);
    expect(who(publishAll(q, 5))).toEqual(['m1→old', 'm2→new', 'm3→new', 'm4→new']);
  });
});

describe('ConsumerRing mechanics', () => {
  const spec = (tag: string, prefetchCount: number, priority = 0, channelId = 'ch') => ({ consumerTag: tag, channelId, ackRequired: true, prefetchCount, priority });

  it('a blocked consumer rejoins at the back of the line when it gets room (unblock/2)', () => {
    const ring = new ConsumerRing();
    ring.add(spec('A', 1));
    ring.add(spec('B', 0));
    ring.add(spec('C', 0));
    expect(ring.take()?.consumerTag).toBe('A');
    expect(ring.serviceOrder().map((c) => c.consumerTag)).toEqual(['B', 'C', 'A']);
    expect(ring.take()?.consumerTag).toBe('B');
    expect(ring.take()?.consumerTag).toBe('C');
    expect(ring.take()?.consumerTag).toBe('B'); // A was at its limit: moved out of the line
    expect(ring.serviceOrder().map((c) => c.consumerTag)).toEqual(['C', 'B']);
    expect(ring.settled('ch', 'A', 1)).toBe(true);
    expect(ring.serviceOrder().map((c) => c.consumerTag)).toEqual(['C', 'B', 'A']);
  });

  it('returns nobody when everyone is at the limit', () => {
    const ring = new ConsumerRing();
    ring.add(spec('A', 1));
    ring.take();
    expect(ring.take()).toBeUndefined();
  });

  it('a channel-wide (global) limit blocks even noAck consumers until the channel resumes (noAckObeysLimit)', () => {
    const ring = new ConsumerRing();
    ring.add({ consumerTag: 'manual', channelId: 'ch', ackRequired: true, prefetchCount: 0, priority: 0 });
    ring.add({ consumerTag: 'auto', channelId: 'ch', ackRequired: false, prefetchCount: 0, priority: 0 });
    let channelVolume = 0;
    const channelCanSend = (_ch: string, ackRequired: boolean) => {
      if (channelVolume >= 1) return false;
      if (ackRequired) channelVolume += 1;
      return true;
    };
    expect(ring.take(channelCanSend)?.consumerTag).toBe('manual');
    expect(ring.take(channelCanSend)).toBeUndefined();
    channelVolume = 0;
    expect(ring.resumeChannel('ch')).toBe(true);
    // Both rejoin in the order they were blocked: the noAck consumer was tried (and refused) first.
    expect(ring.serviceOrder().map((c) => c.consumerTag)).toEqual(['auto', 'manual']);
    expect(ring.take(channelCanSend)?.consumerTag).toBe('auto');
  });

  it('settling more than was delivered is a bug and throws', () => {
    const ring = new ConsumerRing();
    ring.add(spec('A', 2));
    ring.take();
    expect(() => ring.settled('ch', 'A', 2)).toThrow();
  });
});
