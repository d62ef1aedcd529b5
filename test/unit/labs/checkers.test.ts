import { describe, expect, it } from 'vitest';
import {
  causalOrder,
  checkInputFromEntries,
  dlqHasReasons,
  exactlyOnceEffect,
  globalOrder,
  lagBoundedAfterHeal,
  latencySlo,
  noDuplicateEffect,
  noLoss,
  perKeyOrder,
  throughputFloor,
  WL,
} from '../../../src/labs/checkers';
import { History } from '../../../src/sim/history';

/** A tiny story-writer for histories: each call appends an entry at the given millisecond. */
function story() {
  const h = new History();
  const api = {
    h,
    at(ms: number, kind: string, node: string, data: unknown) {
      h.record(ms * 1000, kind, node, undefined, undefined, data);
      return api;
    },
    produce: (ms: number, id: string, key?: string, vc?: Record<string, number>) => api.at(ms, WL.produce, 'producer', { id, key, vc }),
    ack: (ms: number, id: string) => api.at(ms, WL.ack, 'producer', { id }),
    effect: (ms: number, id: string, node = 'consumer', extra: Record<string, unknown> = {}) => api.at(ms, WL.effect, node, { id, ...extra }),
    input: (healMs = 0) => checkInputFromEntries(h.slice(), healMs * 1000),
  };
  return api;
}

describe('delivery checkers', () => {
  it('noLoss passes when every acked message took effect, and names the first lost one otherwise', () => {
    const s = story().produce(1, 'a').ack(2, 'a').produce(3, 'b').ack(4, 'b').produce(5, 'c').effect(6, 'a');
    const v = noLoss()(s.input());
    expect(v.passed).toBe(false);
    expect(v.summary).toBe('1 of 2 acked messages were lost');
    expect(v.evidence[0]).toMatchObject({ ids: ['b'], timeUs: 4000, node: 'producer' });
    expect(noLoss({ of: 'produced' })(s.input()).summary).toBe('2 of 3 produced messages were lost');
    s.effect(7, 'b');
    expect(noLoss()(s.input()).passed).toBe(true);
  });

  it('noLoss fails a run in which nothing was acknowledged: an idle workload proves nothing', () => {
    const v = noLoss()(story().produce(1, 'a').input());
    expect(v.passed).toBe(false);
    expect(v.summary).toBe('no message was acked, so nothing shows that messages survive');
  });

  it('noDuplicateEffect points at the second effect of the first duplicated message', () => {
    const s = story().effect(1, 'a').effect(2, 'b', 'c1').effect(3, 'b', 'c2').effect(4, 'a');
    const v = noDuplicateEffect()(s.input());
    expect(v.passed).toBe(false);
    expect(v.evidence[0]).toMatchObject({ ids: ['b'], node: 'c2', timeUs: 3000 });
    expect(v.evidence[0]!.message).toBe('message b took effect at 2ms on c1 and again at 3ms on c2');
  });

  it('exactlyOnceEffect fails on either loss or duplication and passes on neither', () => {
    expect(exactlyOnceEffect()(story().ack(1, 'a').effect(2, 'a').input()).passed).toBe(true);
    expect(exactlyOnceEffect()(story().ack(1, 'a').input()).passed).toBe(false);
    expect(exactlyOnceEffect()(story().ack(1, 'a').effect(2, 'a').effect(3, 'a').input()).summary).toMatch(/duplicate/);
  });
});

describe('order checkers', () => {
  it('perKeyOrder allows interleaving across keys but not overtaking within one', () => {
    const ok = story().produce(1, 'a1', 'A').produce(2, 'b1', 'B').produce(3, 'a2', 'A').effect(4, 'b1', 'c', { key: 'B' }).effect(5, 'a1', 'c', { key: 'A' }).effect(6, 'a2', 'c', { key: 'A' });
    expect(perKeyOrder()(ok.input()).passed).toBe(true);
    expect(globalOrder()(ok.input()).passed).toBe(false);
    const bad = story().produce(1, 'a1', 'A').produce(2, 'a2', 'A').effect(3, 'a2', 'c', { key: 'A' }).effect(4, 'a1', 'c', { key: 'A' });
    const v = perKeyOrder()(bad.input());
    expect(v.passed).toBe(false);
    expect(v.evidence[0]).toMatchObject({ ids: ['a2', 'a1'], timeUs: 4000 });
  });

  it('ignores redelivered duplicates when judging order (duplicates are their own check)', () => {
    const s = story().produce(1, 'a', 'K').produce(2, 'b', 'K').effect(3, 'a', 'c', { key: 'K' }).effect(4, 'b', 'c', { key: 'K' }).effect(5, 'a', 'c', { key: 'K' });
    expect(perKeyOrder()(s.input()).passed).toBe(true);
  });

  it('causalOrder flags an effect applied after one it happened before, and allows concurrent ones in any order', () => {
    const s = story()
      .produce(1, 'x', undefined, { s1: 1 })
      .produce(2, 'y', undefined, { s1: 1, s2: 1 }) // y saw x
      .produce(3, 'z', undefined, { s3: 1 }) // concurrent with both
      .effect(4, 'z', 'n1')
      .effect(5, 'x', 'n1')
      .effect(6, 'y', 'n1');
    expect(causalOrder()(s.input()).passed).toBe(true);
    const bad = story().produce(1, 'x', undefined, { s1: 1 }).produce(2, 'y', undefined, { s1: 1, s2: 1 }).effect(3, 'y', 'n2').effect(4, 'x', 'n2');
    const v = causalOrder()(bad.input());
    expect(v.passed).toBe(false);
    expect(v.evidence[0]).toMatchObject({ node: 'n2', ids: ['x', 'y'] });
  });
});

describe('liveness and DLQ checkers', () => {
  it('lag bounded after heal reads only the heal phase', () => {
    const s = story().at(1, WL.lag, 'g', { consumer: 'c1', lag: 500 }).at(12, WL.lag, 'g', { consumer: 'c1', lag: 3 });
    expect(lagBoundedAfterHeal({ lagMessagesMax: 5 })(s.input(10)).passed).toBe(true);
    expect(lagBoundedAfterHeal({ lagMessagesMax: 2 })(s.input(10)).summary).toBe('consumer c1 was still 3 messages behind');
    s.at(13, WL.lag, 'g', { consumer: 'c2', lag: 0 });
    // c2 is fine; c1 sampled only before the 2 ms deadline fails.
    expect(lagBoundedAfterHeal({ lagMessagesMax: 5, withinUs: 2_500 })(s.input(10)).passed).toBe(false);
  });

  it('a consumer silent after the heal fails', () => {
    const s = story().at(1, WL.lag, 'g', { consumer: 'c1', lag: 0 });
    expect(lagBoundedAfterHeal({ lagMessagesMax: 5 })(s.input(10)).summary).toMatch(/c1 reported no lag/);
  });

  it('every DLQ entry must carry a reason', () => {
    expect(dlqHasReasons()(story().at(1, WL.dlq, 'q', { id: 'a', reason: 'rejected' }).input()).passed).toBe(true);
    const v = dlqHasReasons()(story().at(1, WL.dlq, 'q', { id: 'a', reason: 'rejected' }).at(2, WL.dlq, 'q', { id: 'b' }).input());
    expect(v.passed).toBe(false);
    expect(v.evidence[0]).toMatchObject({ ids: ['b'] });
  });
});

describe('performance checkers', () => {
  it('latency SLO uses production-to-first-effect times and names the slowest', () => {
    const s = story();
    for (let i = 0; i < 100; i++) {
      s.produce(i, `m${i}`);
      if (i !== 42) s.effect(i + 1, `m${i}`);
    }
    s.effect(150, 'm42');
    const v = latencySlo({ p50UsMax: 2_000, p99UsMax: 2_000 })(s.input());
    expect(v.summary).toBe('p50 1ms, p99 1ms over 100 messages');
    expect(v.passed).toBe(true);
    const strict = latencySlo({ p50UsMax: 500 })(s.input());
    expect(strict.passed).toBe(false);
    expect(strict.evidence[0]).toMatchObject({ ids: ['m42'] });
  });

  it('throughput floor counts first effects per simulated second of the chaos phase', () => {
    const s = story();
    for (let i = 0; i < 50; i++) s.effect(i * 10, `m${i}`);
    s.effect(600, 'm0');
    expect(throughputFloor({ perSecondMin: 90 })(s.input(500)).passed).toBe(true);
    expect(throughputFloor({ perSecondMin: 150 })(s.input(500)).summary).toBe('100 messages/s over 500ms; the floor is 150/s');
  });
});
