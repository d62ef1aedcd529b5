/**
 * TagTable stands in for the Map<number, record> of outstanding deliveries (a channel's delivery
 * tags, a queue's ack tags). Checked against a Map under random work: tags handed out in
 * increasing order with gaps (deliveries that need no ack), some far apart (past the window, so
 * records become stragglers), settled in any order, looked up with tags that were never handed
 * out (fractions, negatives, NaN, far beyond), and iterated while deleting as multiple-acks do.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TagTable } from '../../../src/sim/broker/amqp/tag-table.ts';

type Op =
  | { k: 'add'; gap: number }
  | { k: 'del'; pick: number }
  | { k: 'probe'; tag: number }
  | { k: 'upTo'; pick: number }
  | { k: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom(1, 1, 4095, 4096, 5000, 10_000)).map((gap) => ({ k: 'add' as const, gap })) },
  { weight: 4, arbitrary: fc.nat().map((pick) => ({ k: 'del' as const, pick })) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -3, max: 30_000 }), fc.constantFrom(0.5, 2.5, Number.NaN, 2 ** 53)).map((tag) => ({ k: 'probe' as const, tag })) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ k: 'upTo' as const, pick })) },
  { weight: 1, arbitrary: fc.constant({ k: 'clear' as const }) },
);

describe('TagTable (properties; fast-check prints the seed of any failure)', () => {
  it('behaves as a Map for increasing tags: get, has, delete, size and iteration order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new TagTable<string>();
        const map = new Map<number, string>();
        let next = 0;
        for (const o of ops) {
          if (o.k === 'add') {
            next += o.gap;
            table.set(next, `r${next}`);
            map.set(next, `r${next}`);
          } else if (o.k === 'del' || o.k === 'upTo') {
            const keys = [...map.keys()];
            const tag = keys.length === 0 ? next + 1 : keys[o.pick % keys.length]!;
            if (o.k === 'del') expect(table.delete(tag)).toBe(map.delete(tag));
            else {
              // basic.ack multiple: walk in order, deleting as we go, up to the tag.
              const taken: string[] = [];
              for (const [t, v] of table) {
                if (t > tag) break;
                taken.push(v);
                table.delete(t);
              }
              const expected: string[] = [];
              for (const [t, v] of map) {
                if (t > tag) break;
                expected.push(v);
                map.delete(t);
              }
              expect(taken).toEqual(expected);
            }
          } else if (o.k === 'probe') {
            expect(table.get(o.tag)).toBe(map.get(o.tag));
            expect(table.has(o.tag)).toBe(map.has(o.tag));
            expect(table.delete(o.tag)).toBe(map.delete(o.tag));
          } else {
            table.clear();
            map.clear();
          }
          expect(table.size).toBe(map.size);
        }
        expect([...table]).toEqual([...map]);
        expect([...table.values()]).toEqual([...map.values()]);
      }),
      { numRuns: 400 },
    );
  });
});
