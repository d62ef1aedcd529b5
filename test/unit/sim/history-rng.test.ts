import { describe, expect, it } from 'vitest';
import { History } from '../../../src/sim/history';
import { Rng, sampleLatencyUs } from '../../../src/sim/rng';

describe('history', () => {
  const fill = (h: History, tweak = false): void => {
    h.record(0, 'send', 'a', 'b', 1, { x: 1 });
    h.record(5, 'deliver', 'b', 'a', 1);
    h.record(9, 'log', 'b', undefined, undefined, { text: tweak ? 'hello!' : 'hello' });
  };

  it('hashes identical histories identically and any change differently', () => {
    const a = new History();
    const b = new History();
    const c = new History();
    fill(a);
    fill(b);
    fill(c, true);
    expect(a.historyHash()).toMatch(/^[0-9a-f]{16}$/);
    expect(a.historyHash()).toBe(b.historyHash());
    expect(c.historyHash()).not.toBe(a.historyHash());
  });

  it('distinguishes the fields of an entry (node vs peer swapped changes the hash)', () => {
    const a = new History();
    const b = new History();
    a.record(0, 'send', 'a', 'b');
    b.record(0, 'send', 'b', 'a');
    expect(a.historyHash()).not.toBe(b.historyHash());
  });

  it('reads entries back as recorded, across chunk boundaries', () => {
    const h = new History();
    for (let i = 0; i < 40_000; i++) h.record(i, i % 2 ? 'send' : 'timer', `n${i % 3}`, i % 2 ? 'x' : undefined, i % 2 ? i : undefined, i % 5 === 0 ? { i } : undefined);
    expect(h.length).toBe(40_000);
    expect(h.at(33_335)).toEqual({ seq: 33_335, timeUs: 33_335, kind: 'send', node: 'n2', peer: 'x', msg: 33_335, data: { i: 33_335 } });
    expect(h.at(20_000)).toEqual({ seq: 20_000, timeUs: 20_000, kind: 'timer', node: 'n2', data: { i: 20_000 } });
    expect([...h.ofKind('send')]).toHaveLength(20_000);
  });

  it('streams to subscribers in batches and flushes the remainder', () => {
    const h = new History();
    const batches: number[] = [];
    h.subscribe((b) => batches.push(b.length), 100);
    for (let i = 0; i < 250; i++) h.record(i, 'timer', 'n');
    h.flush();
    expect(batches).toEqual([100, 100, 50]);
  });

  it('refuses to go back in time (an engine bug)', () => {
    const h = new History();
    h.record(10, 'timer', 'n');
    expect(() => h.record(9, 'timer', 'n')).toThrow(/history time moves forward/);
  });

  it('stops storing at its limit but keeps hashing and counts the overflow', () => {
    const h = new History({ entriesMax: 10 });
    const g = new History({ entriesMax: 10 });
    for (let i = 0; i < 15; i++) h.record(i, 'timer', 'n');
    for (let i = 0; i < 14; i++) g.record(i, 'timer', 'n');
    expect(h.length).toBe(10);
    expect(h.overflow).toBe(5);
    expect(h.historyHash()).not.toBe(g.historyHash());
  });
});

describe('rng', () => {
  it('gives the same stream for the same seed and a different one for another seed', () => {
    const a = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(42)));
    const b = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(42)));
    const c = Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(43)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('forks are independent of how much the parent or siblings drew', () => {
    const r1 = new Rng(7);
    const r2 = new Rng(7);
    for (let i = 0; i < 100; i++) r2.next();
    r2.fork('consumer').next();
    expect(r1.fork('network').next()).toBe(r2.fork('network').next());
    expect(r1.fork('network').fork('link').next()).toBe(r2.fork('network').fork('link').next());
    expect(r1.fork('a').next()).not.toBe(r1.fork('b').next());
  });

  it('samples distributions with the right centre', () => {
    const r = new Rng(1);
    const mean = (f: () => number): number => {
      let s = 0;
      for (let i = 0; i < 20_000; i++) s += f();
      return s / 20_000;
    };
    expect(mean(() => sampleLatencyUs(r, { kind: 'constant', us: 300 }))).toBe(300);
    expect(mean(() => sampleLatencyUs(r, { kind: 'uniform', minUs: 100, maxUs: 300 }))).toBeCloseTo(200, -1);
    expect(mean(() => sampleLatencyUs(r, { kind: 'normal', meanUs: 1000, stddevUs: 100 }))).toBeCloseTo(1000, -1);
    expect(mean(() => sampleLatencyUs(r, { kind: 'exponential', meanUs: 500 }))).toBeGreaterThan(480);
    const logn: number[] = Array.from({ length: 20_001 }, () => sampleLatencyUs(r, { kind: 'lognormal', medianUs: 800, sigma: 0.5 })).sort((a, b) => a - b);
    expect(logn[10_000]!).toBeGreaterThan(770);
    expect(logn[10_000]!).toBeLessThan(830);
  });

  it('weighted choice follows the weights', () => {
    const r = new Rng(3);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (r.weighted([{ value: 'h', weight: 9 }, { value: 'l', weight: 1 }]) === 'h') heavy++;
    expect(heavy).toBeGreaterThan(8800);
    expect(heavy).toBeLessThan(9200);
  });
});
