import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tableFromJs } from '../../../src/sim/broker/amqp/field-value';
import { RouteCache } from '../../../src/sim/broker/amqp/route-cache';
import { routePublish } from '../../../src/sim/broker/amqp/router';
import { topology } from './helpers';

/**
 * The route memo must change nothing a learner can observe: whatever the topology does between
 * publishes (bindings added and removed, exchanges declared and deleted), every publish through
 * the memo routes exactly as routing afresh does, headers exchanges included (never memoised).
 */
const words = ['a', 'b', 'c'];
const key = fc.array(fc.constantFrom(...words, ''), { maxLength: 3 }).map((w) => w.join('.'));
const pattern = fc.array(fc.constantFrom(...words, '*', '#'), { minLength: 1, maxLength: 3 }).map((w) => w.join('.'));
const exchange = fc.constantFrom('topic-x', 'direct-x', 'headers-x', 'internal-x', 'missing-x', '');
const step = fc.oneof(
  fc.record({ op: fc.constant('bind' as const), source: fc.constantFrom('topic-x', 'direct-x'), queue: fc.constantFrom('q1', 'q2', 'q3'), pattern }),
  fc.record({ op: fc.constant('bindHeaders' as const), queue: fc.constantFrom('q1', 'q2', 'q3'), color: fc.constantFrom('red', 'blue') }),
  fc.record({ op: fc.constant('unbindAll' as const), source: fc.constantFrom('topic-x', 'direct-x', 'headers-x') }),
  fc.record({ op: fc.constant('publish' as const), exchange, keys: fc.array(key, { minLength: 1, maxLength: 2 }), color: fc.constantFrom('red', 'blue', undefined), mandatory: fc.boolean() }),
);

describe('RouteCache (properties; fast-check prints the seed of any failure)', () => {
  it('routes every publish exactly as routing afresh does, whatever the topology does in between', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const t = topology(['q1', 'q2', 'q3'], [['topic-x', 'topic'], ['direct-x', 'direct'], ['headers-x', 'headers']]);
        const internal = t.declareExchange({ name: 'internal-x', type: 'fanout', durable: true, autoDelete: false, internal: true, arguments: [] });
        expect(internal.ok).toBe(true);
        const memo = new RouteCache(t);
        for (const s of steps) {
          if (s.op === 'bind') t.bind({ source: s.source, destination: s.queue, destinationKind: 'queue', routingKey: s.pattern, arguments: [] });
          else if (s.op === 'bindHeaders') t.bind({ source: 'headers-x', destination: s.queue, destinationKind: 'queue', routingKey: '', arguments: tableFromJs({ 'x-match': 'all', color: s.color }) });
          else if (s.op === 'unbindAll') for (const b of t.bindingsFrom(s.source)) t.unbind(b);
          else {
            const input = { routingKeys: s.keys, headers: s.color === undefined ? undefined : tableFromJs({ color: s.color }) };
            const fresh = routePublish(t, s.exchange, input, { mandatory: s.mandatory });
            const viaMemo = memo.publish(s.exchange, input, s.mandatory);
            expect(viaMemo.kind).toBe(fresh.kind);
            if (fresh.kind === 'routed' || fresh.kind === 'unroutable') {
              const m = viaMemo as typeof fresh;
              expect(m.trace.queues).toEqual(fresh.trace.queues);
              expect(m.trace.exchangesVisited).toEqual(fresh.trace.exchangesVisited);
              expect('basicReturn' in m ? m.basicReturn : undefined).toEqual('basicReturn' in fresh ? fresh.basicReturn : undefined);
            } else expect(viaMemo).toEqual(fresh);
            // And the dead-letter path (no permission checks) agrees with the publish path's trace.
            if (fresh.kind === 'routed') expect(memo.trace(s.exchange, input).queues).toEqual(fresh.trace.queues);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hands out the same outcome for a route it remembers, so a hit allocates nothing', () => {
    const t = topology(['q1'], [['topic-x', 'topic']]);
    t.bind({ source: 'topic-x', destination: 'q1', destinationKind: 'queue', routingKey: 'a.#', arguments: [] });
    const memo = new RouteCache(t);
    const input = { routingKeys: ['a.b'], headers: undefined };
    const first = memo.publish('topic-x', input, false);
    expect(first.kind).toBe('routed');
    expect(memo.publish('topic-x', { routingKeys: [`a.${'b'}`], headers: undefined }, false)).toBe(first);
    // A topology change drops the memo: the next outcome is new, and right.
    t.declareQueue('q2');
    t.bind({ source: 'topic-x', destination: 'q2', destinationKind: 'queue', routingKey: '#', arguments: [] });
    const after = memo.publish('topic-x', input, false);
    expect(after).not.toBe(first);
    expect(after.kind === 'routed' && after.trace.queues).toEqual(['q1', 'q2']);
  });

  it('never remembers a route that depended on headers: the same key with other headers routes afresh', () => {
    const t = topology(['q1'], [['headers-x', 'headers']]);
    t.bind({ source: 'headers-x', destination: 'q1', destinationKind: 'queue', routingKey: '', arguments: tableFromJs({ 'x-match': 'all', color: 'red' }) });
    const memo = new RouteCache(t);
    const red = memo.publish('headers-x', { routingKeys: ['k'], headers: tableFromJs({ color: 'red' }) }, false);
    const blue = memo.publish('headers-x', { routingKeys: ['k'], headers: tableFromJs({ color: 'blue' }) }, false);
    expect(red.kind === 'routed' && red.trace.queues).toEqual(['q1']);
    expect(blue.kind).toBe('unroutable');
  });
});
