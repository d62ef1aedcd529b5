/**
 * Routing end to end, through the client and the network: the default exchange, exchange types,
 * exchange-to-exchange bindings, alternate exchanges, and mandatory publishes with their returns.
 * The routing tables themselves are tested in router.test.ts; here they are reached the way a
 * learner reaches them.
 *
 * Docs: https://www.rabbitmq.com/docs/exchanges, https://www.rabbitmq.com/docs/e2e,
 * https://www.rabbitmq.com/docs/ae, https://www.rabbitmq.com/docs/publishers#unroutable,
 * https://www.rabbitmq.com/docs/confirms#server-sent-acks ("For unroutable messages, the broker
 * will issue a confirm once the exchange verifies a message won't route to any queue … If the
 * message is also published as mandatory, the basic.return is sent to the client before basic.ack").
 */

import { describe, expect, it } from 'vitest';
import type { ReturnedMessage } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, setup } from './e2e-helpers.ts';

describe('routing through the client', () => {
  it('the default exchange routes by queue name; a topic exchange by pattern', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('eu'));
    t.settle(ch.assertQueue('all'));
    t.settle(ch.assertExchange('orders', 'topic', { durable: false }));
    t.settle(ch.bindQueue('eu', 'orders', 'eu.*'));
    t.settle(ch.bindQueue('all', 'orders', '#'));
    ch.publish('orders', 'eu.created', 'a');
    ch.publish('orders', 'us.created', 'b');
    ch.sendToQueue('eu', 'direct');
    t.idle();
    expect(t.cluster.messages('eu').map((m) => m.body)).toEqual(['a', 'direct']);
    expect(t.cluster.messages('all').map((m) => m.body)).toEqual(['a', 'b']);
    expect(t.entries(AmqpKinds.route).map((e) => e.data.queues)).toEqual([['all', 'eu'], ['all'], ['eu']]);
  });

  it('fanout ignores keys, headers matches on headers (x-match any)', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    for (const q of ['f1', 'f2', 'h']) t.settle(ch.assertQueue(q));
    t.settle(ch.assertExchange('fan', 'fanout'));
    t.settle(ch.assertExchange('hdr', 'headers'));
    t.settle(ch.bindQueue('f1', 'fan', 'ignored'));
    t.settle(ch.bindQueue('f2', 'fan', ''));
    t.settle(ch.bindQueue('h', 'hdr', '', { 'x-match': 'any', format: 'pdf', type: 'report' }));
    ch.publish('fan', 'whatever', 'x');
    ch.publish('hdr', '', 'pdf', { headers: { format: 'pdf' } });
    ch.publish('hdr', '', 'zip', { headers: { format: 'zip' } });
    t.idle();
    expect(t.cluster.messages('f1').map((m) => m.body)).toEqual(['x']);
    expect(t.cluster.messages('f2').map((m) => m.body)).toEqual(['x']);
    expect(t.cluster.messages('h').map((m) => m.body)).toEqual(['pdf']);
  });

  it('exchange-to-exchange bindings forward, and a queue gets one copy however many paths lead to it', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('audit'));
    t.settle(ch.assertExchange('front', 'fanout'));
    t.settle(ch.assertExchange('back', 'direct'));
    t.settle(ch.bindExchange('back', 'front', ''));
    t.settle(ch.bindQueue('audit', 'back', 'k'));
    t.settle(ch.bindQueue('audit', 'front', ''));
    ch.publish('front', 'k', 'once');
    t.idle();
    expect(t.cluster.messages('audit').map((m) => m.body)).toEqual(['once']);
  });

  it('an exchange with no matching binding hands the message to its alternate exchange', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('unrouted'));
    t.settle(ch.assertExchange('ae', 'fanout'));
    t.settle(ch.bindQueue('unrouted', 'ae', ''));
    t.settle(ch.assertExchange('main', 'direct', { alternateExchange: 'ae' }));
    const returned: ReturnedMessage[] = [];
    ch.on('return', (m) => returned.push(m));
    ch.publish('main', 'nobody', 'lost?', { mandatory: true });
    t.idle();
    expect(t.cluster.messages('unrouted').map((m) => m.body)).toEqual(['lost?']);
    // Routed via the AE counts as routed: no return.
    expect(returned).toEqual([]);
  });

  it('a mandatory unroutable message comes back as basic.return 312 NO_ROUTE, before its confirm', () => {
    const t = setup();
    const conn = t.client('app');
    const ch = t.confirmChannel(conn);
    t.settle(ch.assertExchange('ex', 'direct'));
    const order: string[] = [];
    ch.on('return', (m) => order.push(`return ${m.fields.replyCode} ${m.fields.replyText} ${m.fields.exchange} ${m.fields.routingKey} ${m.content}`));
    ch.publish('ex', 'nowhere', 'hello', { mandatory: true }, (err) => order.push(`confirm ${err === null ? 'ack' : 'nack'}`));
    ch.publish('ex', 'nowhere', 'quiet', {}, (err) => order.push(`confirm ${err === null ? 'ack' : 'nack'}`));
    t.settle(ch.waitForConfirms());
    expect(order).toEqual(['return 312 NO_ROUTE ex nowhere hello', 'confirm ack', 'confirm ack']);
    expect(t.entries(AmqpKinds.return).map((e) => e.data)).toEqual([{ id: 'app:1', exchange: 'ex', routingKey: 'nowhere' }]);
  });

  it('publishing to a missing exchange closes the channel with 404 (the publish itself returns, the error comes later)', () => {
    const t = setup();
    const ch = t.channel(t.client('app'));
    const errors: string[] = [];
    ch.on('error', (e) => errors.push(`${e.code} ${e.message}`));
    expect(ch.publish('nope', 'k', 'x')).toBe(true);
    t.idle();
    expect(errors).toEqual([`404 Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'nope' in vhost '/'"`]);
    expect(() => ch.publish('', 'q', 'x')).toThrow('Channel closed');
  });

  it('refuses an exchange or routing key that is not a string of at most 255 UTF-8 bytes, at once, as amqplib\'s encoder does', () => {
    // amqplib lib/defs.js, encodeBasicPublish: `if (void 0 === val) val = ""; else if (!("string" ==
    // typeof val && Buffer.byteLength(val) < 256)) throw new TypeError("Field 'routingKey' is the
    // wrong type; must be a string (up to 255 chars)")`, and the same for 'exchange'.
    const t = setup();
    const ch = t.channel(t.client('app'));
    t.settle(ch.assertQueue('q'));
    const max = 'é'.repeat(127) + 'k'; // 255 bytes in 128 characters
    t.settle(ch.assertExchange('ex', 'topic', { durable: false }));
    t.settle(ch.bindQueue('q', 'ex', max));
    const wrong = (field: string): string => `Field '${field}' is the wrong type; must be a string (up to 255 chars)`;
    expect(() => ch.publish('ex', `${max}k`, 'too long')).toThrow(new TypeError(wrong('routingKey')));
    expect(() => ch.publish('ex', 42 as unknown as string, 'a number')).toThrow(new TypeError(wrong('routingKey')));
    expect(() => ch.publish('x'.repeat(256), 'k', 'long exchange')).toThrow(new TypeError(wrong('exchange')));
    expect(() => ch.sendToQueue(null as unknown as string, 'no queue')).toThrow(new TypeError(wrong('routingKey')));
    // 255 bytes pass, and an absent exchange is the default one.
    expect(ch.publish('ex', max, 'fits')).toBe(true);
    expect(ch.publish(undefined as unknown as string, 'q', 'default')).toBe(true);
    t.idle();
    expect(t.cluster.messages('q').map((m) => m.body)).toEqual(['fits', 'default']);
    // A refused publish sent nothing and used no message id.
    expect(t.entries(AmqpKinds.publish).map((e) => e.data.id)).toEqual(['app:1', 'app:2']);
  });
});
