/**
 * Topic matching against RabbitMQ's own routing table (rabbitmq-server v3.13.7
 * deps/rabbit/test/routing_SUITE.erl, test case `topic1`) and the trie's edge cases
 * (deps/rabbit/src/rabbit_db_topic_exchange.erl `split_topic_key/1`, `trie_match/5`).
 * Docs: https://www.rabbitmq.com/tutorials/tutorial-five-javascript ("*" one word, "#" zero or more).
 */

import { describe, expect, it } from 'vitest';
import { routeFrom, splitTopicKey, topicMatches } from '../../../src/sim/broker/amqp/index.ts';
import { bind, topology } from './helpers.ts';

/** routing_SUITE.erl topic1: bindings t1…t27 (t27 bound twice with different args: aliasing). */
const SUITE_BINDINGS: ReadonlyArray<readonly [string, string, Record<string, unknown>?]> = [
  ['a.b.c', 't1'],
  ['a.*.c', 't2'],
  ['a.#.b', 't3'],
  ['a.b.b.c', 't4'],
  ['#', 't5'],
  ['#.#', 't6'],
  ['#.b', 't7'],
  ['*.*', 't8'],
  ['a.*', 't9'],
  ['*.b.c', 't10'],
  ['a.#', 't11'],
  ['a.#.#', 't12'],
  ['b.b.c', 't13'],
  ['a.b.b', 't14'],
  ['a.b', 't15'],
  ['b.c', 't16'],
  ['', 't17'],
  ['*.*.*', 't18'],
  ['vodka.martini', 't19'],
  ['a.b.c', 't20'],
  ['*.#', 't21'],
  ['#.*.#', 't22'],
  ['*.#.#', 't23'],
  ['#.#.#', 't24'],
  ['*', 't25'],
  ['#.b.#', 't26'],
  ['args-test', 't27', { foo: 'bar' }],
  ['args-test', 't27', { foo: 'baz' }],
];

const SUITE_EXPECTED_ALL: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['a.b.c', ['t1', 't2', 't5', 't6', 't10', 't11', 't12', 't18', 't20', 't21', 't22', 't23', 't24', 't26']],
  ['a.b', ['t3', 't5', 't6', 't7', 't8', 't9', 't11', 't12', 't15', 't21', 't22', 't23', 't24', 't26']],
  ['a.b.b', ['t3', 't5', 't6', 't7', 't11', 't12', 't14', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['', ['t5', 't6', 't17', 't24']],
  ['b.c.c', ['t5', 't6', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['a.a.a.a.a', ['t5', 't6', 't11', 't12', 't21', 't22', 't23', 't24']],
  ['vodka.gin', ['t5', 't6', 't8', 't21', 't22', 't23', 't24']],
  ['vodka.martini', ['t5', 't6', 't8', 't19', 't21', 't22', 't23', 't24']],
  ['b.b.c', ['t5', 't6', 't10', 't13', 't18', 't21', 't22', 't23', 't24', 't26']],
  ['nothing.here.at.all', ['t5', 't6', 't21', 't22', 't23', 't24']],
  ['oneword', ['t5', 't6', 't21', 't22', 't23', 't24', 't25']],
  ['args-test', ['t5', 't6', 't21', 't22', 't23', 't24', 't25', 't27']],
];

/** After removing bindings number 1, 5, 11, 19, 21 and 28 (1-based), as the suite does. */
const SUITE_EXPECTED_AFTER_REMOVAL: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['a.b.c', ['t2', 't6', 't10', 't12', 't18', 't20', 't22', 't23', 't24', 't26']],
  ['a.b', ['t3', 't6', 't7', 't8', 't9', 't12', 't15', 't22', 't23', 't24', 't26']],
  ['a.b.b', ['t3', 't6', 't7', 't12', 't14', 't18', 't22', 't23', 't24', 't26']],
  ['', ['t6', 't17', 't24']],
  ['b.c.c', ['t6', 't18', 't22', 't23', 't24', 't26']],
  ['a.a.a.a.a', ['t6', 't12', 't22', 't23', 't24']],
  ['vodka.gin', ['t6', 't8', 't22', 't23', 't24']],
  ['vodka.martini', ['t6', 't8', 't22', 't23', 't24']],
  ['b.b.c', ['t6', 't10', 't13', 't18', 't22', 't23', 't24', 't26']],
  ['nothing.here.at.all', ['t6', 't22', 't23', 't24']],
  ['oneword', ['t6', 't22', 't23', 't24', 't25']],
  ['args-test', ['t6', 't22', 't23', 't24', 't25', 't27']],
];

function suiteTopology() {
  const queues = [...new Set(SUITE_BINDINGS.map(([, q]) => q))];
  const t = topology(queues, [['topic_matching-exchange', 'topic']]);
  for (const [key, q, args] of SUITE_BINDINGS) bind(t, 'topic_matching-exchange', q, key, args ?? {});
  return t;
}

const sortByName = (xs: readonly string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('topic exchange: routing_SUITE.erl topic1 table', () => {
  it.each(SUITE_EXPECTED_ALL)('routing key %j reaches exactly the suite’s queues', (rk, expected) => {
    const trace = routeFrom(suiteTopology(), 'topic_matching-exchange', { routingKeys: [rk], headers: undefined });
    expect(trace.queues).toEqual(sortByName(expected));
  });

  it.each(SUITE_EXPECTED_AFTER_REMOVAL)('after unbinding 1,5,11,19,21,28: %j', (rk, expected) => {
    const t = suiteTopology();
    for (const n of [1, 5, 11, 19, 21, 28]) {
      const [key, q, args] = SUITE_BINDINGS[n - 1] as readonly [string, string, Record<string, unknown>?];
      const r = t.unbind({
        source: 'topic_matching-exchange',
        destination: q,
        destinationKind: 'queue',
        routingKey: key,
        arguments: args === undefined ? [] : [{ name: 'foo', value: { type: 'longstr', value: String(args['foo']) } }],
      });
      expect(r).toEqual({ ok: true, value: true });
    }
    const trace = routeFrom(t, 'topic_matching-exchange', { routingKeys: [rk], headers: undefined });
    expect(trace.queues).toEqual(sortByName(expected));
  });

  it('deleting the exchange leaves nothing to route to (suite: "none should match now")', () => {
    const t = suiteTopology();
    expect(t.deleteExchange('topic_matching-exchange').ok).toBe(true);
    expect(routeFrom(t, 'topic_matching-exchange', { routingKeys: ['a.b.c'], headers: undefined }).queues).toEqual([]);
  });
});

describe('topic trie edge cases (rabbit_db_topic_exchange.erl)', () => {
  it('split_topic_key: the empty key has zero words; every dot separates, empty words included', () => {
    expect(splitTopicKey('')).toEqual([]);
    expect(splitTopicKey('a..b')).toEqual(['a', '', 'b']);
    expect(splitTopicKey('.a')).toEqual(['', 'a']);
    expect(splitTopicKey('a.')).toEqual(['a', '']);
    expect(splitTopicKey('.')).toEqual(['', '']);
  });

  // [binding key, routing key, matches?]
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    // "" vs "#": the empty routing key has zero words.
    ['', '', true],
    ['#', '', true],
    ['#.#', '', true],
    ['*', '', false],
    ['', 'a', false],
    ['#', 'a.b.c', true],
    // `*` is exactly one word, and an empty word is a word.
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.*.b', 'a..b', true],
    ['a..b', 'a..b', true],
    ['a.b', 'a..b', false],
    ['*.*', '.', true],
    ['*', '.', false],
    ['#', '.', true],
    // Leading and trailing dots make empty first / last words.
    ['*.a', '.a', true],
    ['a', '.a', false],
    ['#.a', '.a', true],
    ['a.*', 'a.', true],
    ['a', 'a.', false],
    ['a.#', 'a.', true],
    ['a.#', 'a', true],
    // `#` in the middle matches zero or more words.
    ['a.#.b', 'a.b', true],
    ['a.#.b', 'a.x.b', true],
    ['a.#.b', 'a.x.y.b', true],
    ['a.#.b', 'a.b.c', false],
    ['a.#.b', 'b.a.b', false],
    ['#.#', 'a', true],
    ['*.#', '', false],
    ['#.*', 'a', true],
    ['#.*.#', '', false],
    // Wildcards only count as whole words.
    ['a*', 'ab', false],
    ['a#', 'ab', false],
    ['a*', 'a*', true],
    // A routing key containing `*` or `#` literally is just a word.
    ['*', '#', true],
    ['a.b', 'a.*', false],
  ];

  it.each(cases)('binding %j vs routing key %j → %s', (bindingKey, routingKey, expected) => {
    expect(topicMatches(bindingKey, routingKey)).toBe(expected);
  });

  it('stays fast on keys full of # (memoised, not exponential)', () => {
    const binding = Array.from({ length: 40 }, () => '#').join('.') + '.z';
    const routing = Array.from({ length: 60 }, () => 'a').join('.');
    expect(topicMatches(binding, routing)).toBe(false);
    expect(topicMatches(binding, `${routing}.z`)).toBe(true);
  });

  it('a queue bound twice with overlapping patterns gets one copy (Routing.java doubleBinding)', () => {
    // rabbitmq-java-client src/test/java/com/rabbitmq/client/test/functional/Routing.java doubleBinding
    const t = topology(['Q1']);
    bind(t, 'amq.topic', 'Q1', 'x.#');
    bind(t, 'amq.topic', 'Q1', '#.x');
    for (const rk of ['x.y', 'y.x', 'x.x']) {
      expect(routeFrom(t, 'amq.topic', { routingKeys: [rk], headers: undefined }).queues).toEqual(['Q1']);
    }
  });

  it('100+ queues bound with # all receive a message with the empty key (Routing.java topicRouting)', () => {
    const names = Array.from({ length: 120 }, (_, i) => `q${String(i).padStart(3, '0')}`);
    const t = topology(names);
    for (const q of names) bind(t, 'amq.topic', q, '#');
    expect(routeFrom(t, 'amq.topic', { routingKeys: [''], headers: undefined }).queues).toEqual(names);
  });
});
