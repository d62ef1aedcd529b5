/**
 * Routing tables for every exchange type, the default exchange, exchange-to-exchange bindings,
 * alternate exchanges, mandatory returns and sender-selected distribution (CC/BCC).
 *
 * Sources: rabbitmq-server v3.13.7 deps/rabbit/src/rabbit_exchange.erl (`route/3`, `route1/4`,
 * `process_alternate/2`), deps/rabbit/src/rabbit_channel.erl (`basic.publish`,
 * `check_not_default_exchange/1`, `process_routing_mandatory/6`), deps/rabbit/test/bindings_SUITE.erl;
 * rabbitmq-java-client src/test/java/com/rabbitmq/client/test/functional/{Routing,CcRoutes,
 * ExchangeExchangeBindings,AlternateExchange}.java.
 * Docs: https://www.rabbitmq.com/tutorials/amqp-concepts#exchanges, https://www.rabbitmq.com/docs/3.13/e2e,
 * https://www.rabbitmq.com/docs/3.13/ae, https://www.rabbitmq.com/docs/3.13/sender-selected.
 */

import { describe, expect, it } from 'vitest';
import {
  deliveredHeaders,
  publishMessage,
  routeFrom,
  routePublish,
  routingInputOf,
  tableFromJs,
  tableLookup,
  type Topology,
} from '../../../src/sim/broker/amqp/index.ts';
import { bind, msg, topology } from './helpers.ts';

function publish(t: Topology, exchange: string, routingKey: string, opts: { mandatory?: boolean; headers?: Record<string, unknown> } = {}) {
  const m = msg({ exchange, routingKey, ...(opts.headers === undefined ? {} : { headers: opts.headers }) });
  return routePublish(t, exchange, routingInputOf(m), { mandatory: opts.mandatory ?? false });
}

function queuesOf(r: ReturnType<typeof routePublish>): readonly string[] {
  return r.kind === 'channel-error' ? [] : r.trace.queues;
}

describe('default exchange (amqp-concepts#exchange-default)', () => {
  it('routes to the queue named by the routing key, and nowhere else', () => {
    const t = topology(['orders', 'billing']);
    expect(queuesOf(publish(t, '', 'orders'))).toEqual(['orders']);
    expect(queuesOf(publish(t, '', 'billing'))).toEqual(['billing']);
  });

  it('an unknown queue name is unroutable; with mandatory it is returned 312 NO_ROUTE (Routing.java basicReturn)', () => {
    const t = topology(['Q1']);
    expect(publish(t, '', 'unknown')).toMatchObject({ kind: 'unroutable' });
    expect(publish(t, '', 'unknown')).not.toHaveProperty('basicReturn');
    expect(publish(t, '', 'unknown', { mandatory: true })).toEqual({
      kind: 'unroutable',
      trace: { queues: [], exchangesVisited: [''], alternateExchangesUsed: [] },
      basicReturn: { replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: 'unknown' },
    });
    expect(publish(t, '', 'Q1', { mandatory: true })).toMatchObject({ kind: 'routed' });
  });

  it('cannot be bound to or from: 403 ACCESS_REFUSED (check_not_default_exchange/1)', () => {
    const t = topology(['q'], [['x', 'fanout']]);
    const refused = 'ACCESS_REFUSED - operation not permitted on the default exchange';
    const asQueue = t.bind({ source: '', destination: 'q', destinationKind: 'queue', routingKey: 'q', arguments: [] });
    const asDest = t.bind({ source: 'x', destination: '', destinationKind: 'exchange', routingKey: '', arguments: [] });
    expect(asQueue.ok ? '' : asQueue.error.replyText).toBe(refused);
    expect(asDest.ok ? '' : asDest.error.replyText).toBe(refused);
    expect(t.bindings()).toEqual([]);
  });

  it('a queue that stops existing stops receiving', () => {
    const t = topology(['q']);
    t.deleteQueue('q');
    expect(publish(t, '', 'q').kind).toBe('unroutable');
  });
});

describe('direct and fanout exchanges', () => {
  it('direct: binding key must equal the routing key exactly; several queues may share a key', () => {
    const t = topology(['a', 'b', 'c'], [['d', 'direct']]);
    bind(t, 'd', 'a', 'black');
    bind(t, 'd', 'b', 'black');
    bind(t, 'd', 'c', 'green');
    expect(queuesOf(publish(t, 'd', 'black'))).toEqual(['a', 'b']);
    expect(queuesOf(publish(t, 'd', 'green'))).toEqual(['c']);
    expect(queuesOf(publish(t, 'd', 'Black'))).toEqual([]);
    expect(queuesOf(publish(t, 'd', 'black.x'))).toEqual([]);
  });

  it('direct: the empty key is a key like any other', () => {
    const t = topology(['a'], [['d', 'direct']]);
    bind(t, 'd', 'a', '');
    expect(queuesOf(publish(t, 'd', ''))).toEqual(['a']);
    expect(queuesOf(publish(t, 'd', 'x'))).toEqual([]);
  });

  it('fanout: every bound queue, whatever the key (Routing.java fanoutRouting)', () => {
    const t = topology(['q1', 'q2', 'q3']);
    bind(t, 'amq.fanout', 'q1', '');
    bind(t, 'amq.fanout', 'q2', 'ignored');
    expect(queuesOf(publish(t, 'amq.fanout', String(12345)))).toEqual(['q1', 'q2']);
  });

  it('the result is de-duplicated and sorted by queue name, whatever the binding order', () => {
    const t = topology(['zeta', 'alpha', 'mid'], [['d', 'direct']]);
    bind(t, 'd', 'zeta', 'k');
    bind(t, 'd', 'alpha', 'k');
    bind(t, 'd', 'mid', 'k');
    bind(t, 'd', 'alpha', 'k2');
    const m = msg({ exchange: 'd', routingKey: 'k', headers: { CC: ['k2'] } });
    expect(routeFrom(t, 'd', routingInputOf(m)).queues).toEqual(['alpha', 'mid', 'zeta']);
  });

  it('binding twice is one binding; unbinding a missing binding succeeds and removes nothing', () => {
    const t = topology(['q'], [['d', 'direct']]);
    bind(t, 'd', 'q', 'k');
    bind(t, 'd', 'q', 'k');
    expect(t.bindings()).toHaveLength(1);
    const b = { source: 'd', destination: 'q', destinationKind: 'queue' as const, routingKey: 'other', arguments: [] };
    expect(t.unbind(b)).toEqual({ ok: true, value: false });
  });

  it('binding to an unknown queue or exchange is 404 and creates nothing (bindings_SUITE bind_to_unknown_queue/exchange)', () => {
    const t = topology([]);
    const q = t.bind({ source: 'amq.direct', destination: 'nope', destinationKind: 'queue', routingKey: 'nope', arguments: [] });
    const x = t.bind({ source: 'amq.direct', destination: 'nox', destinationKind: 'exchange', routingKey: 'key', arguments: [] });
    expect(q.ok ? '' : q.error.replyText).toBe("NOT_FOUND - no queue 'nope' in vhost '/'");
    expect(x.ok ? '' : x.error.replyText).toBe("NOT_FOUND - no exchange 'nox' in vhost '/'");
    expect(t.bindings()).toEqual([]);
  });
});

describe('publish errors (rabbit_channel.erl basic.publish)', () => {
  it('a missing exchange closes the channel with 404', () => {
    const r = publish(topology([]), 'missing', 'k');
    expect(r).toEqual({
      kind: 'channel-error',
      error: { replyCode: 404, replyName: 'NOT_FOUND', replyText: "NOT_FOUND - no exchange 'missing' in vhost '/'" },
    });
  });

  it('an internal exchange refuses clients with 403 but is reachable through an exchange binding', () => {
    const t = topology(['q'], [['front', 'fanout']]);
    expect(t.declareExchange({ name: 'inner', type: 'fanout', durable: true, autoDelete: false, internal: true, arguments: [] }).ok).toBe(true);
    bind(t, 'inner', 'q');
    bind(t, 'front', 'inner', '', {}, 'exchange');
    const direct = publish(t, 'inner', '');
    expect(direct.kind === 'channel-error' ? direct.error.replyText : '').toBe(
      "ACCESS_REFUSED - cannot publish to internal exchange 'inner' in vhost '/'",
    );
    expect(queuesOf(publish(t, 'front', ''))).toEqual(['q']);
  });
});

describe('exchange declaration (rabbit_exchange:assert_equivalence/6, rabbit_channel check_name/2)', () => {
  it('redeclaring with another type is 406 inequivalent arg', () => {
    const t = topology([], [['x', 'direct']]);
    const r = t.declareExchange({ name: 'x', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: [] });
    expect(r.ok ? '' : r.error.replyText).toBe(
      "PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'fanout' but current is 'direct'",
    );
  });

  it('creating an amq.* exchange is 403; redeclaring a predeclared one identically is fine', () => {
    const t = topology([]);
    const mk = (name: string, type: 'direct' | 'topic') => ({ name, type, durable: true, autoDelete: false, internal: false, arguments: [] });
    const r = t.declareExchange(mk('amq.mine', 'direct'));
    expect(r.ok ? '' : r.error.replyText).toBe("ACCESS_REFUSED - exchange name 'amq.mine' contains reserved prefix 'amq.*'");
    expect(t.declareExchange(mk('amq.topic', 'topic')).ok).toBe(true);
  });

  it('an auto-delete exchange goes away with its last binding (e2e docs)', () => {
    const t = topology(['q']);
    t.declareExchange({ name: 'ad', type: 'fanout', durable: false, autoDelete: true, internal: false, arguments: [] });
    bind(t, 'ad', 'q');
    expect(t.exchange('ad')).toBeDefined();
    t.unbind({ source: 'ad', destination: 'q', destinationKind: 'queue', routingKey: '', arguments: [] });
    expect(t.exchange('ad')).toBeUndefined();
  });
});

describe('sender-selected distribution: CC and BCC (CcRoutes.java)', () => {
  it('ccList: the CC keys route too, and the CC header reaches consumers', () => {
    const t = topology(['q1', 'q2', 'q3']);
    const m = msg({ routingKey: 'q1', headers: { CC: ['q2', 'q3'] } });
    expect(routeFrom(t, '', routingInputOf(m)).queues).toEqual(['q1', 'q2', 'q3']);
    expect(tableLookup(deliveredHeaders(m), 'CC')).toBeDefined();
  });

  it('bcc: BCC keys route but the BCC header is stripped before anyone sees it', () => {
    const t = topology(['q1', 'q2', 'q3']);
    const m = msg({ routingKey: 'q1', headers: { BCC: ['q2'] } });
    expect(routeFrom(t, '', routingInputOf(m)).queues).toEqual(['q1', 'q2']);
    expect(tableLookup(m.properties.headers, 'BCC')).toBeUndefined();
    expect(tableLookup(deliveredHeaders(m), 'BCC')).toBeUndefined();
  });

  it('noDuplicates and ccIgnoreEmptyAndInvalidRoutes', () => {
    const t = topology(['q1', 'q2', 'q3']);
    const dup = msg({ routingKey: 'q1', headers: { CC: ['q1', 'q1'], BCC: ['q1'] } });
    expect(routeFrom(t, '', routingInputOf(dup)).queues).toEqual(['q1']);
    const frob = msg({ routingKey: 'q1', headers: { CC: [], BCC: ['frob'] } });
    expect(routeFrom(t, '', routingInputOf(frob)).queues).toEqual(['q1']);
  });

  it('directExchangeWithoutBindings, topicExchange, boundExchanges', () => {
    const t = topology(['q1', 'q2', 'q3'], [
      ['direct_cc_exchange', 'direct'],
      ['topic_cc_exchange', 'topic'],
    ]);
    const none = msg({ exchange: 'direct_cc_exchange', routingKey: 'q2', headers: { CC: ['q1'] } });
    expect(routeFrom(t, 'direct_cc_exchange', routingInputOf(none)).queues).toEqual([]);

    bind(t, 'topic_cc_exchange', 'q2', 'routing_key');
    const viaCc = msg({ exchange: 'topic_cc_exchange', routingKey: '', headers: { CC: ['routing_key'] } });
    expect(routeFrom(t, 'topic_cc_exchange', routingInputOf(viaCc)).queues).toEqual(['q2']);

    const t2 = topology(['q2'], [
      ['direct_cc_exchange', 'direct'],
      ['topic_cc_exchange', 'topic'],
    ]);
    bind(t2, 'direct_cc_exchange', 'topic_cc_exchange', 'routing_key1', {}, 'exchange');
    bind(t2, 'topic_cc_exchange', 'q2', 'routing_key2');
    const bound = msg({ exchange: 'direct_cc_exchange', routingKey: '', headers: { CC: ['routing_key1'], BCC: ['routing_key2'] } });
    expect(routeFrom(t2, 'direct_cc_exchange', routingInputOf(bound)).queues).toEqual(['q2']);
  });

  it('nonArray: a CC header that is not an array is 406 PRECONDITION_FAILED', () => {
    const r = publishMessage({
      id: 'x',
      exchange: '',
      routingKey: 'q1',
      properties: { headers: tableFromJs({ CC: 0 }) },
      body: null,
      bodySize: 0,
    });
    expect(r.ok ? '' : r.error.replyText).toBe('PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",byte}');
  });
});

describe('exchange-to-exchange bindings (ExchangeExchangeBindings.java, docs/3.13/e2e)', () => {
  function e2eTopology() {
    const t = topology(['q0', 'q1', 'q2'], [
      ['e0', 'fanout'],
      ['e1', 'fanout'],
      ['e2', 'fanout'],
    ]);
    bind(t, 'e0', 'q0');
    bind(t, 'e1', 'q1');
    bind(t, 'e2', 'q2');
    return t;
  }
  const from = (t: Topology, x: string, rk = '') => routeFrom(t, x, { routingKeys: [rk], headers: undefined });

  it('simpleChains: e2 → e1 → e0 reaches every queue on the way', () => {
    const t = e2eTopology();
    expect(from(t, 'e0').queues).toEqual(['q0']);
    bind(t, 'e1', 'e0', '', {}, 'exchange');
    expect(from(t, 'e1').queues).toEqual(['q0', 'q1']);
    bind(t, 'e2', 'e1', '', {}, 'exchange');
    expect(from(t, 'e2').queues).toEqual(['q0', 'q1', 'q2']);
    expect(from(t, 'e2').exchangesVisited).toEqual(['e2', 'e1', 'e0']);
  });

  it('duplicateQueueDestinations: a queue reachable twice gets one copy', () => {
    const t = e2eTopology();
    bind(t, 'e0', 'q1');
    bind(t, 'e1', 'e0', '', {}, 'exchange');
    expect(from(t, 'e1').queues).toEqual(['q0', 'q1']);
  });

  it('exchangeRoutingLoop: a cycle e0 → e2 → e1 → e0 terminates and each queue gets one copy', () => {
    const t = e2eTopology();
    bind(t, 'e1', 'e0', '', {}, 'exchange');
    bind(t, 'e2', 'e1', '', {}, 'exchange');
    bind(t, 'e0', 'e2', '', {}, 'exchange');
    for (const x of ['e0', 'e1', 'e2']) {
      const trace = from(t, x);
      expect(trace.queues).toEqual(['q0', 'q1', 'q2']);
      expect(new Set(trace.exchangesVisited).size).toBe(trace.exchangesVisited.length);
    }
  });

  it('topicExchange: the original routing key travels through the chain unchanged', () => {
    const t = e2eTopology();
    t.declareExchange({ name: 'e', type: 'topic', durable: true, autoDelete: false, internal: false, arguments: [] });
    for (const x of ['e0', 'e1', 'e2']) bind(t, 'e', x, x, {}, 'exchange');
    for (const [rk, q] of [['e0', 'q0'], ['e1', 'q1'], ['e2', 'q2']] as const) expect(from(t, 'e', rk).queues).toEqual([q]);
    t.declareExchange({ name: 'ef', type: 'direct', durable: true, autoDelete: false, internal: false, arguments: [] });
    bind(t, 'e', 'ef', '#', {}, 'exchange');
    for (const x of ['e0', 'e1', 'e2']) bind(t, 'ef', x, x, {}, 'exchange');
    for (const x of ['e0', 'e1', 'e2']) t.unbind({ source: 'e', destination: x, destinationKind: 'exchange', routingKey: x, arguments: [] });
    for (const [rk, q] of [['e0', 'q0'], ['e1', 'q1'], ['e2', 'q2']] as const) expect(from(t, 'e', rk).queues).toEqual([q]);
  });

  it('deleting an exchange removes bindings to it', () => {
    const t = e2eTopology();
    bind(t, 'e1', 'e0', '', {}, 'exchange');
    t.deleteExchange('e0');
    expect(from(t, 'e1').queues).toEqual(['q1']);
  });
});

describe('alternate exchanges (AlternateExchange.java, docs/3.13/ae)', () => {
  /** setupRouting(): x →ae u →ae v →ae x; each direct exchange binds the queue of its name. */
  function aeTopology(chain: ReadonlyArray<readonly [string, string | undefined]>) {
    const t = topology(['x', 'u', 'v']);
    for (const [name, ae] of chain) {
      t.declareExchange({
        name,
        type: 'direct',
        durable: false,
        autoDelete: false,
        internal: false,
        arguments: ae === undefined ? [] : tableFromJs({ 'alternate-exchange': ae }),
      });
      bind(t, name, name, name);
    }
    return t;
  }

  it('ae: key k lands in queue k through the AE chain; only the unroutable z is returned when mandatory', () => {
    const t = aeTopology([['x', 'u'], ['u', 'v'], ['v', 'x']]);
    for (const k of ['x', 'u', 'v', 'z']) {
      const expected = k === 'z' ? [] : [k];
      expect(queuesOf(publish(t, 'x', k))).toEqual(expected);
      const mandatory = publish(t, 'x', k, { mandatory: true });
      expect(mandatory.kind === 'unroutable' && mandatory.basicReturn !== undefined).toBe(k === 'z');
    }
  });

  it('cycleBreaking: the AE chain x → u → v → x stops at an exchange already tried', () => {
    const t = aeTopology([['x', 'u'], ['u', 'v'], ['v', 'x']]);
    const r = publish(t, 'x', 'z');
    expect(r.kind === 'channel-error' ? [] : r.trace.exchangesVisited).toEqual(['x', 'u', 'v']);
  });

  it('missing: an AE that does not exist is skipped; the message is dropped, not returned', () => {
    const t = aeTopology([['x', 'u']]);
    expect(queuesOf(publish(t, 'x', 'x'))).toEqual(['x']);
    expect(queuesOf(publish(t, 'x', 'u'))).toEqual([]);
    expect(publish(t, 'x', 'u')).not.toHaveProperty('basicReturn');
  });

  it('routed via the AE still counts as routed for mandatory', () => {
    const t = aeTopology([['x', 'u'], ['u', undefined]]);
    expect(publish(t, 'x', 'u', { mandatory: true })).toMatchObject({ kind: 'routed', trace: { alternateExchangesUsed: ['u'] } });
  });

  it('an exchange whose binding forwards to an exchange that routes nowhere does not use its own AE (process_alternate/2)', () => {
    const t = topology(['x-ae-q', 'inner-ae-q'], [
      ['x-ae', 'fanout'],
      ['inner-ae', 'fanout'],
    ]);
    bind(t, 'x-ae', 'x-ae-q');
    bind(t, 'inner-ae', 'inner-ae-q');
    t.declareExchange({ name: 'x', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: tableFromJs({ 'alternate-exchange': 'x-ae' }) });
    t.declareExchange({ name: 'inner', type: 'direct', durable: true, autoDelete: false, internal: false, arguments: tableFromJs({ 'alternate-exchange': 'inner-ae' }) });
    bind(t, 'x', 'inner', '', {}, 'exchange');
    expect(queuesOf(publish(t, 'x', 'nothing-bound'))).toEqual(['inner-ae-q']);
  });

  it('the default exchange has no alternate exchange', () => {
    const t = topology([]);
    expect(publish(t, '', 'nope', { mandatory: true })).toMatchObject({ kind: 'unroutable', basicReturn: { replyCode: 312 } });
  });
});
