/**
 * Headers exchange matching, checked against rabbitmq-server v3.13.7
 * deps/rabbit/src/rabbit_exchange_type_headers.erl (`route/3`, `match/2`, `match_x/2`,
 * `validate_binding/2`) and deps/rabbit/src/mc_amqpl.erl (`routing_headers/2`, `routing_value/2`),
 * the tests exchanges_SUITE.erl `headers_exchange`, dead_lettering_SUITE.erl
 * `dead_letter_headers_first_death_route`, and rabbitmq-java-client
 * src/test/java/com/rabbitmq/client/test/functional/Routing.java `headersRouting`.
 * Docs: https://www.rabbitmq.com/tutorials/amqp-concepts#exchange-headers (x-match, the -with-x forms).
 */

import { describe, expect, it } from 'vitest';
import {
  headersMatch,
  routeFrom,
  tableFromJs,
  validateHeadersBinding,
  xMatchOf,
  type FieldTable,
} from '../../../src/sim/broker/amqp/index.ts';
import { bind, topology } from './helpers.ts';

const js = (o: Record<string, unknown>): FieldTable => tableFromJs(o);

describe('Routing.java headersRouting: all vs any, void = presence', () => {
  const spec = { h1: '12345', h2: 'bar', h3: null };
  const all = js({ ...spec, 'x-match': 'all' });
  const any = js({ ...spec, 'x-match': 'any' });
  // [label, headers, reaches Q1 (all)?, reaches Q2 (any)?]
  const published: ReadonlyArray<readonly [string, Record<string, unknown> | undefined, boolean, boolean]> = [
    ['0 (no headers)', undefined, false, false],
    ['0b (empty headers)', {}, false, false],
    ['1', { h1: '12345' }, false, true],
    ['2', { h2: 'bar' }, false, true],
    ['3', { h1: '12345', h2: 'bar' }, false, true],
    ['4', { h1: '12345', h2: 'bar', h3: null }, true, true],
    ['5', { h1: '12345', h2: 'quux' }, false, true],
    ['6', { h1: 'zot', h2: 'quux', h3: null }, false, true],
    ['7', { h3: null }, false, true],
    ['8', { h1: 'zot', h2: 'quux' }, false, false],
  ];
  it.each(published)('message %s', (_label, headers, toAll, toAny) => {
    const h = headers === undefined ? undefined : js(headers);
    expect(headersMatch(all, h)).toBe(toAll);
    expect(headersMatch(any, h)).toBe(toAny);
  });
});

describe('exchanges_SUITE headers_exchange through amq.headers', () => {
  it('all needs both headers, any needs one, none reaches neither', () => {
    const t = topology(['q', 'alt']);
    bind(t, 'amq.headers', 'q', '', { 'x-match': 'all', foo: 'bar', fuu: 'ber' });
    bind(t, 'amq.headers', 'alt', '', { 'x-match': 'any', foo: 'bar', fuu: 'ber' });
    const route = (h: Record<string, unknown> | undefined) =>
      routeFrom(t, 'amq.headers', { routingKeys: [''], headers: h === undefined ? undefined : js(h) }).queues;
    expect(route({ foo: 'bar', fuu: 'ber' })).toEqual(['alt', 'q']);
    expect(route({ foo: 'bar' })).toEqual(['alt']);
    expect(route(undefined)).toEqual([]);
  });

  it('routing keys are ignored by a headers exchange', () => {
    const t = topology(['q']);
    bind(t, 'amq.match', 'q', 'some-key', { 'x-match': 'all', a: 'b' });
    expect(routeFrom(t, 'amq.match', { routingKeys: ['other'], headers: js({ a: 'b' }) }).queues).toEqual(['q']);
  });
});

describe('typed value comparison (3.13: routing_value/2 then =:=)', () => {
  const matches = (binding: Record<string, unknown>, header: Record<string, unknown>) =>
    headersMatch(js({ 'x-match': 'all', ...binding }), js(header));

  it('a string never equals a number: "1" vs 1', () => {
    expect(matches({ n: '1' }, { n: 1 })).toBe(false);
    expect(matches({ n: 1 }, { n: '1' })).toBe(false);
    expect(matches({ n: '1' }, { n: '1' })).toBe(true);
  });

  it('integers of different widths are equal (the message side loses its type tag)', () => {
    expect(matches({ n: 1 }, { n: { '!': 'long', value: 1 } })).toBe(true);
    expect(matches({ n: { '!': 'int', value: 70000 } }, { n: { '!': 'long', value: 70000 } })).toBe(true);
    expect(matches({ n: 1 }, { n: 2 })).toBe(false);
  });

  it('an integer never equals a float (=:=, unlike 3.12’s ==)', () => {
    expect(matches({ n: 1 }, { n: { '!': 'double', value: 1 } })).toBe(false);
    expect(matches({ n: 1.5 }, { n: 1.5 })).toBe(true);
  });

  it('a 32-bit float is compared at float precision', () => {
    expect(matches({ n: { '!': 'float', value: 1.1 } }, { n: { '!': 'double', value: 1.1 } })).toBe(false);
    expect(matches({ n: { '!': 'float', value: 1.1 } }, { n: { '!': 'float', value: 1.1 } })).toBe(true);
    expect(matches({ n: { '!': 'float', value: 0.5 } }, { n: { '!': 'double', value: 0.5 } })).toBe(true);
  });

  it('booleans are atoms: true equals true, not "true"', () => {
    expect(matches({ b: true }, { b: true })).toBe(true);
    expect(matches({ b: true }, { b: false })).toBe(false);
    expect(matches({ b: true }, { b: 'true' })).toBe(false);
  });

  it('arrays and tables compare element by element with their types and order', () => {
    expect(matches({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(matches({ a: [1] }, { a: [{ '!': 'long', value: 1 }] })).toBe(false);
    expect(matches({ t: { x: 1, y: 'z' } }, { t: { x: 1, y: 'z' } })).toBe(true);
    expect(matches({ t: { x: 1, y: 'z' } }, { t: { y: 'z', x: 1 } })).toBe(false);
  });

  it('a timestamp header is scaled to ms before comparing; the binding value is not (3.13 quirk)', () => {
    const ts = { '!': 'timestamp', value: 5 };
    expect(matches({ t: ts }, { t: ts })).toBe(false);
    expect(matches({ t: 5000 }, { t: ts })).toBe(true);
  });

  it('void in the binding means "present with any value"; void in the message matches only presence', () => {
    expect(matches({ k: null }, { k: 'anything' })).toBe(true);
    expect(matches({ k: null }, { k: null })).toBe(true);
    expect(matches({ k: null }, { other: 1 })).toBe(false);
    expect(matches({ k: 'v' }, { k: null })).toBe(false);
  });

  it('a header that appears twice counts with its last value (fold into a map)', () => {
    const twice: FieldTable = [
      { name: 'n', value: { type: 'longstr', value: 'first' } },
      { name: 'n', value: { type: 'longstr', value: 'last' } },
    ];
    expect(headersMatch(js({ n: 'last' }), twice)).toBe(true);
    expect(headersMatch(js({ n: 'first' }), twice)).toBe(false);
  });
});

describe('x- arguments: skipped by all/any, considered by all-with-x/any-with-x', () => {
  const headers = js({ 'x-first-death-reason': 'expired', 'x-first-death-queue': 'q1', colour: 'red' });

  it('all/any ignore every x- binding argument, so they cannot route on x- headers', () => {
    expect(headersMatch(js({ 'x-match': 'all', 'x-first-death-reason': 'rejected' }), headers)).toBe(true);
    expect(headersMatch(js({ 'x-match': 'any', 'x-first-death-reason': 'expired' }), headers)).toBe(false);
  });

  it('all-with-x (dead_letter_headers_first_death_route): reason and queue must both match', () => {
    const binding = js({ 'x-match': 'all-with-x', 'x-first-death-reason': 'expired', 'x-first-death-queue': 'q1' });
    expect(headersMatch(binding, headers)).toBe(true);
    expect(headersMatch(binding, js({ 'x-first-death-reason': 'expired', 'x-first-death-queue': 'q2' }))).toBe(false);
  });

  it('any-with-x: one x- header is enough', () => {
    const binding = js({ 'x-match': 'any-with-x', 'x-first-death-reason': 'rejected', colour: 'red' });
    expect(headersMatch(binding, headers)).toBe(true);
    expect(headersMatch(js({ 'x-match': 'any-with-x', 'x-first-death-reason': 'rejected' }), headers)).toBe(false);
  });
});

describe('x-match defaults and validation (validate_binding/2)', () => {
  it('absent x-match means all', () => {
    expect(xMatchOf(js({ a: 1 }))).toBe('all');
    expect(headersMatch(js({ a: 1, b: 2 }), js({ a: 1 }))).toBe(false);
    expect(headersMatch(js({ a: 1, b: 2 }), js({ a: 1, b: 2 }))).toBe(true);
  });

  it('all with nothing to compare matches every message; any with nothing matches none', () => {
    expect(headersMatch(js({ 'x-match': 'all' }), undefined)).toBe(true);
    expect(headersMatch(js({ 'x-match': 'any' }), js({ a: 1 }))).toBe(false);
    expect(headersMatch(js({ 'x-match': 'any', 'x-other': 1 }), js({ 'x-other': 1 }))).toBe(false);
  });

  it('an unknown x-match value is a 406 with RabbitMQ’s text', () => {
    const r = validateHeadersBinding(js({ 'x-match': 'some' }));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.replyCode).toBe(406);
      expect(r.error.replyText).toBe(
        'PRECONDITION_FAILED - Invalid x-match field value <<"some">>; expected all, any, all-with-x, or any-with-x',
      );
    }
  });

  it('a non-string x-match is a 406 naming the type', () => {
    const r = validateHeadersBinding(js({ 'x-match': 1 }));
    expect(r.ok ? '' : r.error.replyText).toBe(
      'PRECONDITION_FAILED - Invalid x-match field type byte (value 1); expected longstr',
    );
  });

  it('binding a headers exchange with a bad x-match fails; other exchange types do not validate it', () => {
    const t = topology(['q'], [['d', 'direct']]);
    const bad = { source: 'amq.headers', destination: 'q', destinationKind: 'queue' as const, routingKey: '', arguments: js({ 'x-match': 'nope' }) };
    expect(t.bind(bad).ok).toBe(false);
    expect(t.bind({ ...bad, source: 'd' }).ok).toBe(true);
  });
});
