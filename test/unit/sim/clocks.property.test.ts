import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HLC_ZERO, hlcCompare, hlcReceive, hlcTick, type Hlc } from '../../../src/sim/clocks/hlc';
import { LamportClock } from '../../../src/sim/clocks/lamport';
import { PhysicalClock } from '../../../src/sim/clocks/physical';
import { happenedBefore, vcCompare, vcIncrement, vcMerge, type VectorClock } from '../../../src/sim/clocks/vector';

const NODES = ['a', 'b', 'c', 'd'];
const vc = fc.dictionary(fc.constantFrom(...NODES), fc.integer({ min: 0, max: 6 })) as fc.Arbitrary<VectorClock>;

describe('vector clocks (properties)', () => {
  it('merge is commutative', () => fc.assert(fc.property(vc, vc, (a, b) => {
      expect(vcCompare(vcMerge(a, b), vcMerge(b, a))).toBe('equal');
    })));
  it('merge is associative', () =>
    fc.assert(fc.property(vc, vc, vc, (a, b, c) => {
      expect(vcCompare(vcMerge(vcMerge(a, b), c), vcMerge(a, vcMerge(b, c)))).toBe('equal');
    })));
  it('merge is idempotent', () => fc.assert(fc.property(vc, (a) => {
      expect(vcCompare(vcMerge(a, a), a)).toBe('equal');
    })));
  it('merge is an upper bound of both', () =>
    fc.assert(
      fc.property(vc, vc, (a, b) => {
        const m = vcMerge(a, b);
        expect(['before', 'equal']).toContain(vcCompare(a, m));
        expect(['before', 'equal']).toContain(vcCompare(b, m));
      }),
    ));
  it('happened-before is irreflexive', () => fc.assert(fc.property(vc, (a) => {
      expect(happenedBefore(a, a)).toBe(false);
    })));
  it('happened-before is asymmetric', () => fc.assert(fc.property(vc, vc, (a, b) => {
      expect(happenedBefore(a, b) && happenedBefore(b, a)).toBe(false);
    })));
  it('happened-before is transitive', () =>
    fc.assert(
      fc.property(vc, vc, vc, (a, b, c) => {
        // Build a chain a ≤ b' ≤ c' so the premise holds often enough to matter.
        const b2 = vcMerge(a, b);
        const c2 = vcMerge(b2, c);
        if (happenedBefore(a, b2) && happenedBefore(b2, c2)) expect(happenedBefore(a, c2)).toBe(true);
      }),
    ));
  it('an increment happens after the clock it came from', () =>
    fc.assert(fc.property(vc, fc.constantFrom(...NODES), (a, n) => {
      expect(vcCompare(a, vcIncrement(a, n))).toBe('before');
    })));
  it('compare is antisymmetric in its answer', () =>
    fc.assert(
      fc.property(vc, vc, (a, b) => {
        const flip = { before: 'after', after: 'before', concurrent: 'concurrent', equal: 'equal' } as const;
        expect(vcCompare(b, a)).toBe(flip[vcCompare(a, b)]);
      }),
    ));
  it('names two independent increments as concurrent', () => {
    const base = { a: 1 };
    expect(vcCompare(vcIncrement(base, 'a'), vcIncrement(base, 'b'))).toBe('concurrent');
  });
  it('serialises equal clocks identically regardless of construction order', () => {
    expect(JSON.stringify(vcMerge({ b: 1 }, { a: 2 }))).toBe(JSON.stringify(vcMerge({ a: 2 }, { b: 1 })));
  });
});

describe('Lamport clocks', () => {
  it('a receive moves past the sender’s timestamp', () => {
    const a = new LamportClock();
    const b = new LamportClock();
    a.tick();
    a.tick();
    const sent = a.tick();
    expect(b.receive(sent)).toBeGreaterThan(sent);
  });
});

describe('hybrid logical clocks (properties)', () => {
  it('every tick and receive is strictly greater than what came before and than the message', () =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(1000), fc.nat(1000), fc.nat(3)), { maxLength: 100 }), (steps) => {
        let h: Hlc = HLC_ZERO;
        for (const [isReceive, pt, ml, mc] of steps) {
          const m = { l: ml, c: mc };
          const next = isReceive ? hlcReceive(h, m, pt) : hlcTick(h, pt);
          expect(hlcCompare(next, h)).toBeGreaterThan(0);
          if (isReceive) expect(hlcCompare(next, m)).toBeGreaterThan(0);
          expect(next.l).toBeGreaterThanOrEqual(pt);
          h = next;
        }
      }),
    ));
});

describe('physical clocks', () => {
  it('read true time plus offset and accumulated drift; a step can move them backwards', () => {
    const c = new PhysicalClock();
    expect(c.readUs(1_000_000)).toBe(1_000_000);
    c.setDrift(100, 1_000_000); // 100 ppm fast from t=1s
    expect(c.readUs(11_000_000)).toBe(11_001_000);
    c.step(-5_000);
    expect(c.readUs(11_000_000)).toBe(10_996_000);
    c.setDrift(0, 11_000_000);
    expect(c.readUs(21_000_000)).toBe(20_996_000);
  });
});
