/**
 * Dead-lettering end to end, for each reason, with the exact `x-death` a consumer of the
 * dead-letter queue receives through the client; TTL and length limits with their timers; and the
 * overflow modes that refuse publishes (a nack with confirms).
 *
 * Docs: https://www.rabbitmq.com/docs/dlx (reasons rejected / expired / maxlen / delivery_limit,
 * x-death fields, "x-first-death-*", repeated dead-lettering increments `count`),
 * https://www.rabbitmq.com/docs/ttl ("only when expired messages reach the head of a queue will
 * they actually be discarded (or dead-lettered)"; `x-expires`),
 * https://www.rabbitmq.com/docs/maxlength (drop-head default, reject-publish, reject-publish-dlx:
 * "publisher confirms … will be informed of the reject via a basic.nack").
 * RabbitMQ's own tests: deps/rabbit/test/dead_lettering_SUITE.erl (`dead_letter_nack`,
 * `dead_letter_reject_expire_expire`, `dead_letter_max_length_drop_head`, `x_death_header_from_amqpl_client`),
 * deps/rabbit/test/quorum_queue_SUITE.erl (`subscribe_redelivery_limit`).
 */

import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, ms, recorder, sec, setup } from './e2e-helpers.ts';

/** A queue with a DLX fanning out to `dlq`, and a channel. */
function withDlq(args: Record<string, unknown>, opts: { quorum?: boolean } = {}) {
  const t = setup();
  const ch = t.channel(t.client('app'));
  t.settle(ch.assertExchange('dlx', 'fanout'));
  t.settle(ch.assertQueue('dlq'));
  t.settle(ch.bindQueue('dlq', 'dlx', ''));
  t.settle(ch.assertQueue('work', { arguments: { 'x-dead-letter-exchange': 'dlx', ...(opts.quorum === true ? { 'x-queue-type': 'quorum' } : {}), ...args } }));
  return { t, ch };
}

/** x-death time is whole seconds of the broker's clock at the first death (simulated time from 0). */
const ts = (s: number) => ({ '!': 'timestamp', value: s });

describe('dead-letter reasons, through the client', () => {
  it('rejected: a reject without requeue, with the x-death and x-first-death-* headers RabbitMQ writes', () => {
    const { t, ch } = withDlq({});
    ch.sendToQueue('work', 'bad', { messageId: 'm-1' });
    const m = t.settle(ch.get('work')) as Message;
    ch.reject(m, false);
    t.idle();
    const d = t.settle(ch.get('dlq', { noAck: true })) as Message;
    expect(d.fields).toEqual({ deliveryTag: 2, redelivered: false, exchange: 'dlx', routingKey: 'work', messageCount: 0 });
    expect(d.properties.messageId).toBe('m-1');
    expect(d.properties.headers).toEqual({
      'x-death': [{ count: 1, reason: 'rejected', queue: 'work', time: ts(0), exchange: '', 'routing-keys': ['work'] }],
      'x-first-death-exchange': '',
      'x-first-death-queue': 'work',
      'x-first-death-reason': 'rejected',
      'x-last-death-exchange': '',
      'x-last-death-queue': 'work',
      'x-last-death-reason': 'rejected',
    });
    expect(t.cluster.deadLetters().map((r) => [r.id, r.fromQueue, r.reason, r.toQueues])).toEqual([['app:1', 'work', 'rejected', ['dlq']]]);
  });

  it('expired: x-message-ttl fires at the head, the copy keeps the original expiration in x-death', () => {
    const { t, ch } = withDlq({ 'x-message-ttl': 1500 });
    ch.sendToQueue('work', 'slow', { expiration: '1000' });
    t.world.runFor(ms(990));
    expect(t.cluster.queue('work')!.ready).toBe(1);
    t.world.runFor(ms(100));
    expect(t.cluster.queue('work')!.ready).toBe(0);
    const d = t.settle(ch.get('dlq', { noAck: true })) as Message;
    expect(d.properties.expiration).toBeUndefined();
    expect(d.properties.headers!['x-death']).toEqual([
      { 'original-expiration': '1000', count: 1, reason: 'expired', queue: 'work', time: ts(1), exchange: '', 'routing-keys': ['work'] },
    ]);
    expect(t.entries(AmqpKinds.expire).map((e) => e.data)).toEqual([{ id: 'app:1', q: 'work' }]);
  });

  it('expired only at the head: a short-lived message behind a long-lived one waits (classic queue)', () => {
    const { t, ch } = withDlq({});
    ch.sendToQueue('work', 'long', { expiration: '10000' });
    ch.sendToQueue('work', 'short', { expiration: '100' });
    t.world.runFor(sec(5));
    expect(t.cluster.messages('work').map((m) => m.body)).toEqual(['long', 'short']);
    t.world.runFor(sec(6));
    expect(t.cluster.messages('dlq').map((m) => m.body)).toEqual(['long', 'short']);
  });

  it('maxlen: x-max-length drops (dead-letters) from the head by default', () => {
    const { t, ch } = withDlq({ 'x-max-length': 2 });
    for (const m of ['1', '2', '3', '4']) ch.sendToQueue('work', m);
    t.idle();
    expect(t.cluster.messages('work').map((m) => m.body)).toEqual(['3', '4']);
    expect(t.cluster.messages('dlq').map((m) => [m.body, (m.headers!['x-death'] as Array<{ reason: string }>)[0]!.reason])).toEqual([
      ['1', 'maxlen'],
      ['2', 'maxlen'],
    ]);
  });

  it('reject-publish refuses the publish: the confirm is a nack, nothing is dead-lettered', () => {
    const { t } = withDlq({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
    const cc = t.confirmChannel(t.client('pub'));
    const results: string[] = [];
    for (const m of ['1', '2']) cc.sendToQueue('work', m, {}, (err) => results.push(`${m}:${err === null ? 'ack' : err.message}`));
    expect(() => t.settle(cc.waitForConfirms())).toThrow('message nacked');
    expect(results).toEqual(['1:ack', '2:message nacked']);
    expect(t.cluster.messages('dlq')).toEqual([]);
  });

  it('reject-publish-dlx refuses the publish and dead-letters the refused message', () => {
    const { t } = withDlq({ 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' });
    const cc = t.confirmChannel(t.client('pub'));
    const results: string[] = [];
    for (const m of ['1', '2']) cc.sendToQueue('work', m, {}, (err) => results.push(`${m}:${err === null ? 'ack' : 'nack'}`));
    t.idle();
    expect(results).toEqual(['1:ack', '2:nack']);
    expect(t.cluster.messages('dlq').map((m) => m.body)).toEqual(['2']);
  });

  it('delivery_limit: a quorum queue dead-letters a message returned more than x-delivery-limit times', () => {
    const { t, ch } = withDlq({ 'x-delivery-limit': 2 }, { quorum: true });
    ch.sendToQueue('work', 'poison');
    const seen: Array<[boolean, unknown]> = [];
    t.settle(ch.consume('work', (m) => {
      seen.push([m!.fields.redelivered, m!.properties.headers!['x-delivery-count']]);
      ch.nack(m!, false, true);
    }));
    t.world.runFor(sec(1));
    expect(seen).toEqual([
      [false, undefined],
      [true, 1],
      [true, 2],
    ]);
    const d = t.cluster.messages('dlq');
    expect(d.map((m) => (m.headers!['x-death'] as Array<{ reason: string }>)[0]!.reason)).toEqual(['delivery_limit']);
  });
});

describe('repeated dead-lettering', () => {
  it('a message rejected again and again through the same queue counts up one x-death entry', () => {
    // work → (reject) → dlx → retry (TTL 100 ms, DLX back to work) → work …
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertExchange('dlx', 'fanout'));
    t.settle(ch.assertExchange('back', 'fanout'));
    t.settle(ch.assertQueue('work', { deadLetterExchange: 'dlx' }));
    t.settle(ch.assertQueue('retry', { deadLetterExchange: 'back', messageTtl: 100 }));
    t.settle(ch.bindQueue('retry', 'dlx', ''));
    t.settle(ch.bindQueue('work', 'back', ''));
    const deaths: unknown[] = [];
    t.settle(ch.consume('work', (m) => {
      deaths.push(m!.properties.headers!['x-death']);
      if (deaths.length < 3) ch.reject(m!, false);
      else ch.ack(m!);
    }));
    ch.sendToQueue('work', 'retry me');
    t.world.runFor(sec(2));
    expect(deaths).toHaveLength(3);
    expect(deaths[2]).toEqual([
      { count: 2, reason: 'expired', queue: 'retry', time: ts(0), exchange: 'dlx', 'routing-keys': ['work'] },
      { count: 2, reason: 'rejected', queue: 'work', time: ts(0), exchange: '', 'routing-keys': ['work'] },
    ]);
  });
});

describe('queue TTL (x-expires)', () => {
  it('an unused queue is deleted after x-expires; its messages are not dead-lettered', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('dlq'));
    t.settle(ch.assertExchange('dlx', 'fanout'));
    t.settle(ch.bindQueue('dlq', 'dlx', ''));
    t.settle(ch.assertQueue('temp', { expires: 1000, deadLetterExchange: 'dlx' }));
    ch.sendToQueue('temp', 'x');
    t.world.runFor(ms(900));
    expect(t.cluster.queue('temp')).toBeDefined();
    t.world.runFor(ms(200));
    expect(t.cluster.queue('temp')).toBeUndefined();
    expect(t.cluster.messages('dlq')).toEqual([]);
    expect(t.entries(AmqpKinds.queueDelete).map((e) => e.data)).toEqual([{ q: 'temp', why: 'x-expires' }]);
  });

  it('a consumer keeps it alive', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('temp', { expires: 1000 }));
    const r = recorder(ch, { ack: true });
    t.settle(ch.consume('temp', r.cb));
    t.world.runFor(sec(5));
    expect(t.cluster.queue('temp')).toBeDefined();
  });
});
