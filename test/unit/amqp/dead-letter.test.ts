/**
 * Dead-lettering: the exact x-death contents for each reason, repeated dead-lettering, first/last
 * death annotations, routing keys (dead-letter routing key, CC, BCC), expiration removal and
 * cycle detection.
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/rabbit_dead_letter.erl, deps/rabbit/src/mc.erl
 * (`record_death/4`, `is_death_cycle/2`), deps/rabbit/src/mc_amqpl.erl (`death_table/7`,
 * `protocol_state/2`), and deps/rabbit/test/dead_lettering_SUITE.erl (test cases named below).
 * Docs: https://www.rabbitmq.com/docs/3.13/dlx
 */

import { describe, expect, it } from 'vitest';
import {
  deadLetter,
  deadLetteredMessage,
  deliveredHeaders,
  deliveredProperties,
  dropDeathCycles,
  publishMessage,
  QueueStore,
  tableLookup,
  tableToJs,
  type AmqpMessage,
  type DeadLetterReason,
  type FieldTable,
} from '../../../src/sim/broker/amqp/index.ts';
import { bind, msg, queueConfig, topology } from './helpers.ts';
import { messageId } from '../../../src/sim/broker/amqp/message.ts';

const T0 = 1_700_000_123_456; // ms; x-death `time` shows whole seconds

function dl(
  m: AmqpMessage,
  reason: DeadLetterReason,
  queue: string,
  nowMs = T0,
  deadLetterExchange = 'dlx',
  deadLetterRoutingKey?: string,
): AmqpMessage {
  return deadLetteredMessage({ message: m, reason, queue, nowMs, deadLetterExchange, deadLetterRoutingKey });
}

function xDeath(m: AmqpMessage): Array<Record<string, unknown>> {
  return tableToJs(deliveredHeaders(m) ?? [])['x-death'] as Array<Record<string, unknown>>;
}

describe('x-death contents per reason', () => {
  it('rejected (dead_letter_headers): the exact header table a consumer receives', () => {
    const m = dl(msg({ id: 'p1', exchange: '', routingKey: 'q' }), 'rejected', 'q');
    const expected: FieldTable = [
      {
        name: 'x-death',
        value: {
          type: 'array',
          value: [
            {
              type: 'table',
              value: [
                { name: 'count', value: { type: 'long', value: 1 } },
                { name: 'reason', value: { type: 'longstr', value: 'rejected' } },
                { name: 'queue', value: { type: 'longstr', value: 'q' } },
                { name: 'time', value: { type: 'timestamp', value: 1_700_000_123 } },
                { name: 'exchange', value: { type: 'longstr', value: '' } },
                { name: 'routing-keys', value: { type: 'array', value: [{ type: 'longstr', value: 'q' }] } },
              ],
            },
          ],
        },
      },
      { name: 'x-first-death-exchange', value: { type: 'longstr', value: '' } },
      { name: 'x-first-death-queue', value: { type: 'longstr', value: 'q' } },
      { name: 'x-first-death-reason', value: { type: 'longstr', value: 'rejected' } },
      { name: 'x-last-death-exchange', value: { type: 'longstr', value: '' } },
      { name: 'x-last-death-queue', value: { type: 'longstr', value: 'q' } },
      { name: 'x-last-death-reason', value: { type: 'longstr', value: 'rejected' } },
    ];
    expect(deliveredHeaders(m)).toEqual(expected);
    expect(m.exchange).toBe('dlx');
    expect(m.routingKeys).toEqual(['q']);
  });

  it('expired by queue TTL (dead_letter_headers_reason_expired): no original-expiration', () => {
    const store = new QueueStore(queueConfig('q', { 'x-message-ttl': 1, 'x-dead-letter-exchange': 'dlx' }), 0);
    store.publish(msg({ id: 'p1', routingKey: 'q' }), 0);
    const step = store.expire(1);
    expect(step.deadLetters.map((d) => d.reason)).toEqual(['expired']);
    const m = dl((step.deadLetters[0] as { message: AmqpMessage }).message, 'expired', 'q');
    const [death] = xDeath(m);
    expect(death).toMatchObject({ reason: 'expired', queue: 'q', count: 1 });
    expect(death).not.toHaveProperty('original-expiration');
  });

  it('expired by per-message TTL (..._expired_per_message): original-expiration recorded, expiration removed', () => {
    const published = msg({ id: 'p1', routingKey: 'q', expiration: '1' });
    expect(published.properties.expiration).toBe('1');
    const m = dl(published, 'expired', 'q');
    const [death] = xDeath(m);
    expect(death).toMatchObject({ reason: 'expired', 'original-expiration': '1' });
    expect(Object.keys(death as object)[0]).toBe('original-expiration');
    // rabbitmq-server issue #18: the dead-lettered copy must not expire again downstream.
    expect(deliveredProperties(m).expiration).toBeUndefined();
    expect(m.ttlMs).toBeUndefined();
  });

  it('maxlen (dead_letter_headers_reason_maxlen): the dropped head of a full queue', () => {
    const store = new QueueStore(queueConfig('q', { 'x-max-length': 1, 'x-dead-letter-exchange': 'dlx' }), 0);
    store.publish(msg({ id: 'p1', routingKey: 'q' }), 0);
    const step = store.publish(msg({ id: 'p2', routingKey: 'q' }), 0);
    expect(step.deadLetters.map((d) => [messageId(d.message), d.reason])).toEqual([['p1', 'maxlen']]);
    const [death] = xDeath(dl((step.deadLetters[0] as { message: AmqpMessage }).message, 'maxlen', 'q'));
    expect(death).toMatchObject({ reason: 'maxlen', queue: 'q', count: 1, 'routing-keys': ['q'] });
  });

  it('delivery_limit: a quorum queue message returned more than x-delivery-limit times', () => {
    const store = new QueueStore(queueConfig('qq', { 'x-queue-type': 'quorum', 'x-delivery-limit': 1, 'x-dead-letter-exchange': 'dlx' }), 0);
    store.consume({ consumerTag: 'c', channelId: 'ch', noAck: false, prefetchCount: 0 }, 0);
    const first = store.publish(msg({ id: 'p1', routingKey: 'qq' }), 0).deliveries[0];
    const second = store.reject([first?.ackTag as number], true, 1).deliveries[0];
    const final = store.reject([second?.ackTag as number], true, 2);
    expect(final.deadLetters.map((d) => d.reason)).toEqual(['delivery_limit']);
    const [death] = xDeath(dl((final.deadLetters[0] as { message: AmqpMessage }).message, 'delivery_limit', 'qq'));
    expect(death).toMatchObject({ reason: 'delivery_limit', queue: 'qq', count: 1 });
  });
});

describe('repeated dead-lettering', () => {
  it('same queue and reason: count goes up, time stays the first time, entry moves to the front (dead_letter_headers_cycle)', () => {
    const once = dl(msg({ routingKey: 'q1' }), 'rejected', 'q1', T0, '', 'q2');
    const twice = dl(once, 'rejected', 'q2', T0 + 5_000, '', 'q1');
    expect(xDeath(twice).map((d) => [d['queue'], d['count']])).toEqual([
      ['q2', 1],
      ['q1', 1],
    ]);
    const thrice = dl(twice, 'rejected', 'q1', T0 + 10_000, '', 'q2');
    const deaths = xDeath(thrice);
    expect(deaths.map((d) => [d['queue'], d['reason'], d['count']])).toEqual([
      ['q1', 'rejected', 2],
      ['q2', 'rejected', 1],
    ]);
    expect(deaths[0]?.['time']).toEqual({ '!': 'timestamp', value: Math.trunc(T0 / 1000) });
    expect(deaths[1]?.['time']).toEqual({ '!': 'timestamp', value: Math.trunc((T0 + 5_000) / 1000) });
  });

  it('same queue, different reason: a separate entry', () => {
    const a = dl(msg({ routingKey: 'q' }), 'rejected', 'q', T0, '', 'q');
    const b = dl(a, 'expired', 'q', T0 + 1_000, '', 'q');
    expect(xDeath(b).map((d) => [d['reason'], d['count']])).toEqual([
      ['expired', 1],
      ['rejected', 1],
    ]);
  });

  it('exchange and routing-keys are those before the first death here (docs/3.13/dlx#effects)', () => {
    const a = dl(msg({ exchange: 'orders', routingKey: 'new' }), 'rejected', 'q1', T0, 'dlx1', 'retry');
    const b = dl(a, 'rejected', 'q2', T0, 'dlx2');
    const c = dl(b, 'rejected', 'q1', T0, 'dlx1');
    const byQueue = Object.fromEntries(xDeath(c).map((d) => [d['queue'], d]));
    expect(byQueue['q1']).toMatchObject({ exchange: 'orders', 'routing-keys': ['new'], count: 2 });
    expect(byQueue['q2']).toMatchObject({ exchange: 'dlx1', 'routing-keys': ['retry'], count: 1 });
  });

  it('x-first-death-* never change; x-last-death-* follow the latest death (dead_letter_headers_first_death)', () => {
    const a = dl(msg({ exchange: '', routingKey: 'q' }), 'rejected', 'q', T0, 'dlx', 'dlq');
    const b = dl(a, 'expired', 'dlq', T0 + 1, '', 'q');
    const h = tableToJs(deliveredHeaders(b) ?? []);
    expect(h).toMatchObject({
      'x-first-death-reason': 'rejected',
      'x-first-death-queue': 'q',
      'x-first-death-exchange': '',
      'x-last-death-reason': 'expired',
      'x-last-death-queue': 'dlq',
      'x-last-death-exchange': 'dlx',
    });
  });

  it('a client re-publishing a dead-lettered message keeps counting (x_death_header_from_amqpl_client)', () => {
    const first = dl(msg({ routingKey: 'q' }), 'expired', 'q', T0, 'dlx', 'dlq');
    const r = publishMessage({
      id: 'again',
      exchange: '',
      routingKey: 'q',
      properties: deliveredProperties(first),
      body: null,
      bodySize: 0,
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const second = dl(r.value, 'expired', 'q', T0 + 60_000, 'dlx', 'dlq');
    const [death] = xDeath(second);
    expect(death).toMatchObject({ count: 2, time: { '!': 'timestamp', value: Math.trunc(T0 / 1000) } });
    expect(xDeath(second)).toHaveLength(1);
  });
});

describe('routing keys of the dead-lettered message', () => {
  it('x-dead-letter-routing-key replaces all routing keys (dead_letter_routing_key)', () => {
    const m = dl(msg({ routingKey: 'q', headers: { CC: ['cc1'] } }), 'rejected', 'q', T0, 'dlx', 'dead');
    expect(m.routingKeys).toEqual(['dead']);
  });

  it('without it, every original key routes, CC and BCC included (dead_letter_routing_key_header_CC/BCC)', () => {
    const m = dl(msg({ routingKey: 'q', headers: { CC: ['cc1'], BCC: ['bcc1'] } }), 'rejected', 'q');
    expect(m.routingKeys).toEqual(['q', 'cc1', 'bcc1']);
  });

  it('x-death routing-keys include CC but not BCC keys (dead_letter_headers_BCC)', () => {
    const m = dl(msg({ routingKey: 'q', headers: { CC: ['cc 1', 'cc 2'], BCC: ['dlq', 'bcc 2'] } }), 'rejected', 'q');
    expect(xDeath(m)[0]?.['routing-keys']).toEqual(['q', 'cc 1', 'cc 2']);
    expect(tableLookup(deliveredHeaders(m), 'BCC')).toBeUndefined();
  });

  it('the CC header is kept even when a dead-letter routing key was used (3.13: dead_letter_headers_CC_with_routing_key)', () => {
    const m = dl(msg({ routingKey: 'q', headers: { CC: ['dlq'] } }), 'rejected', 'q', T0, 'dlx', 'dlq');
    expect(tableToJs(deliveredHeaders(m) ?? [])['CC']).toEqual(['dlq']);
  });
});

describe('deadLetter(): routing through the DLX and cycle detection', () => {
  it('routes the copy through the DLX by the new keys', () => {
    const t = topology(['q', 'dlq'], [['dlx', 'direct']]);
    bind(t, 'dlx', 'dlq', 'dlq');
    const out = deadLetter(t, { message: msg({ routingKey: 'q' }), reason: 'rejected', queue: 'q', deadLetterExchange: 'dlx', deadLetterRoutingKey: 'dlq', nowMs: T0 });
    expect(out.kind === 'republished' ? out.queues : 'dropped').toEqual(['dlq']);
  });

  it('without a DLX, or with a DLX that does not exist, the message is dropped (dead_letter_missing_exchange)', () => {
    const t = topology(['q']);
    const base = { message: msg({ routingKey: 'q' }), reason: 'rejected' as const, queue: 'q', deadLetterRoutingKey: undefined, nowMs: T0 };
    expect(deadLetter(t, { ...base, deadLetterExchange: undefined })).toEqual({ kind: 'dropped', why: 'no-dead-letter-exchange' });
    expect(deadLetter(t, { ...base, deadLetterExchange: 'dlx-exchange-2' })).toEqual({ kind: 'dropped', why: 'dead-letter-exchange-missing' });
  });

  it('maxlen back into the same queue is a cycle and is dropped (dead_letter_routing_key_cycle_max_length)', () => {
    const t = topology(['q']);
    const out = deadLetter(t, { message: msg({ routingKey: 'q' }), reason: 'maxlen', queue: 'q', deadLetterExchange: '', deadLetterRoutingKey: undefined, nowMs: T0 });
    expect(out).toMatchObject({ kind: 'republished', queues: [], cycles: [['q', 'q']] });
  });

  it('expiry back into the same queue is a cycle too (dead_letter_routing_key_cycle_ttl)', () => {
    const t = topology(['q']);
    const out = deadLetter(t, { message: msg({ routingKey: 'q' }), reason: 'expired', queue: 'q', deadLetterExchange: '', deadLetterRoutingKey: undefined, nowMs: T0 });
    expect(out.kind === 'republished' ? out.queues : null).toEqual([]);
  });

  it('a rejection is never a cycle: the message goes round again (dead_letter_routing_key_cycle_with_reject)', () => {
    const t = topology(['q']);
    let m = msg({ routingKey: 'q' });
    for (let i = 1; i <= 3; i++) {
      const out = deadLetter(t, { message: m, reason: 'rejected', queue: 'q', deadLetterExchange: '', deadLetterRoutingKey: undefined, nowMs: T0 + i });
      if (out.kind !== 'republished') throw new Error('expected republish');
      expect(out.queues).toEqual(['q']);
      m = out.message;
    }
    expect(xDeath(m)[0]?.['count']).toBe(3);
  });

  it('Q1 -rejected-> Q2 -expired-> Q3 -expired-> Q1 keeps flowing: a rejection inside the loop breaks the cycle (dead_letter_reject_expire_expire)', () => {
    const t = topology(['b', 'a2', 'a3']);
    const hops: ReadonlyArray<readonly [DeadLetterReason, string, string]> = [
      ['rejected', 'b', 'a2'],
      ['expired', 'a2', 'a3'],
      ['expired', 'a3', 'b'],
    ];
    let m = msg({ routingKey: 'b' });
    for (let round = 0; round < 2; round++) {
      for (const [reason, from, to] of hops) {
        const out = deadLetter(t, { message: m, reason, queue: from, deadLetterExchange: '', deadLetterRoutingKey: to, nowMs: T0 });
        if (out.kind !== 'republished') throw new Error('expected republish');
        expect(out.queues).toEqual([to]);
        m = out.message;
      }
    }
    expect(xDeath(m).map((d) => [d['queue'], d['count']])).toEqual([
      ['a3', 2],
      ['a2', 2],
      ['b', 2],
    ]);
  });

  it('a purely automatic two-queue loop is cut where it closes', () => {
    const a = dl(msg({ routingKey: 'a' }), 'expired', 'a', T0, '', 'b');
    const b = dl(a, 'expired', 'b', T0, '', 'a');
    expect(dropDeathCycles('expired', b, ['a', 'c'])).toEqual({ queues: ['c'], cycles: [['a', 'b', 'a']] });
  });

  it('a headers DLX can route on x-first-death-* (dead_letter_headers_first_death_route)', () => {
    const t = topology(['q1', 'q2', 'dlq-expired', 'dlq-rejected'], [['dlx', 'headers']]);
    bind(t, 'dlx', 'dlq-expired', '', { 'x-match': 'all-with-x', 'x-first-death-reason': 'expired', 'x-first-death-queue': 'q1' });
    bind(t, 'dlx', 'dlq-rejected', '', { 'x-match': 'any-with-x', 'x-first-death-reason': 'rejected' });
    const route = (reason: DeadLetterReason, queue: string) => {
      const out = deadLetter(t, { message: msg({ routingKey: queue, expiration: '0' }), reason, queue, deadLetterExchange: 'dlx', deadLetterRoutingKey: undefined, nowMs: T0 });
      return out.kind === 'republished' ? out.queues : [];
    };
    expect(route('expired', 'q1')).toEqual(['dlq-expired']);
    expect(route('expired', 'q2')).toEqual([]);
    expect(route('rejected', 'q2')).toEqual(['dlq-rejected']);
  });
});
