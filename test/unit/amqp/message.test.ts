/**
 * What the broker keeps of a published message and what a consumer gets back.
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/mc_amqpl.erl (`message/4` routing-key
 * annotation `[RoutingKey | HeaderRoutes]`, `init/2` stripping `BCC`, `protocol_state/2` header
 * merge with `lists:usort/2`, `headers_to_deaths/2`), deps/rabbit/src/rabbit_basic.erl
 * (`header_routes/1`: CC before BCC).
 * Docs: https://www.rabbitmq.com/docs/3.13/sender-selected, https://www.rabbitmq.com/docs/3.13/dlx#effects.
 */

import { describe, expect, it } from 'vitest';
import {
  deliveredHeaders,
  deliveryRoutingKey,
  longstr,
  messageId,
  publishMessage,
  QueueStore,
  type FieldTable,
} from '../../../src/sim/broker/amqp/index.ts';
import { msg, queueConfig } from './helpers.ts';

describe('publish', () => {
  it('a message\'s identity is origin:serial for a client\'s publish, the opaque id otherwise', () => {
    const base = { exchange: '', routingKey: 'q', properties: {}, body: 'x', bodySize: 1 };
    const fromClient = publishMessage({ ...base, origin: 'publisher', serial: 42 });
    expect(fromClient.ok && [messageId(fromClient.value), fromClient.value.origin, fromClient.value.serial]).toEqual(['publisher:42', 'publisher', 42]);
    const opaque = publishMessage({ ...base, id: 'm7' });
    expect(opaque.ok && [messageId(opaque.value), opaque.value.serial]).toEqual(['m7', -1]);
    expect(() => publishMessage(base)).toThrow(/a publish has an origin and a serial, or an id/);
  });

  it('routing keys are the publish key, then CC keys, then BCC keys; only longstr items count', () => {
    const headers: FieldTable = [
      { name: 'BCC', value: { type: 'array', value: [longstr('b1')] } },
      { name: 'CC', value: { type: 'array', value: [longstr('c1'), { type: 'byte', value: 7 }, longstr('c2')] } },
    ];
    const m = msg({ routingKey: 'rk', headers });
    expect(m.routingKeys).toEqual(['rk', 'c1', 'c2', 'b1']);
    expect(m.bccKeys).toEqual(['b1']);
    expect(deliveryRoutingKey(m)).toBe('rk');
  });

  it('BCC is stripped from the stored headers, CC stays', () => {
    const m = msg({ routingKey: 'rk', headers: { CC: ['c'], BCC: ['b'], other: 1 } });
    expect(m.properties.headers?.map((e) => e.name)).toEqual(['CC', 'other']);
  });
});

describe('delivered headers (mc_amqpl:protocol_state/2)', () => {
  it('come out sorted by name, duplicates removed (first kept)', () => {
    const headers: FieldTable = [
      { name: 'zeta', value: longstr('z') },
      { name: 'alpha', value: longstr('first') },
      { name: 'alpha', value: longstr('second') },
      { name: 'Beta', value: longstr('B') },
    ];
    expect(deliveredHeaders(msg({ headers }))).toEqual([
      { name: 'Beta', value: longstr('B') },
      { name: 'alpha', value: longstr('first') },
      { name: 'zeta', value: longstr('z') },
    ]);
  });

  it('a message published without headers is delivered without headers', () => {
    expect(deliveredHeaders(msg())).toBeUndefined();
  });

  it('a published x-death header becomes history; malformed entries are dropped', () => {
    const xDeath = {
      'x-death': [
        { count: 3, reason: 'expired', queue: 'q', time: { '!': 'timestamp', value: 100 }, exchange: '', 'routing-keys': ['q'] },
        { count: 1, reason: 'rejected', queue: 'missing-fields' },
      ],
    };
    const m = msg({ headers: xDeath });
    expect(m.deaths).toEqual([
      { queue: 'q', reason: 'expired', exchange: '', routingKeys: ['q'], count: 3, firstTimeMs: 100_000, lastTimeMs: 100_000 },
    ]);
    const redelivered = deliveredHeaders(m)?.find((e) => e.name === 'x-death')?.value;
    expect(redelivered?.type === 'array' ? redelivered.value.length : -1).toBe(1);
  });
});

describe('queue.purge', () => {
  it('drops ready messages, keeps unacked ones', () => {
    const q = new QueueStore(queueConfig('q'), 0);
    for (const id of ['a', 'b', 'c']) q.publish(msg({ id }), 0);
    q.get({ channelId: 'ch', noAck: false }, 0);
    expect(q.purge()).toBe(2);
    expect([q.messagesReady, q.messagesUnacknowledged]).toEqual([0, 1]);
  });
});
