import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hash64, hashString32, serialIdHash52, stringHash52 } from '../../../src/sim/hash';
import { DataShape, History, type ShapedValue } from '../../../src/sim/history';

const FIELDS = ['id', 'q', 'n', 'flag', 'list', 'x'] as const;
const shape = new DataShape('test.shaped', FIELDS);
const other = new DataShape('test.shaped', ['id', 'q', 'n', 'flag', 'list', 'y']);

const value: fc.Arbitrary<ShapedValue> = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 4 }),
);
const values = fc.tuple(value, value, value, value, value, value);

function record(h: History, t: number, v: readonly ShapedValue[], s = shape): void {
  h.recordShaped(t, s, 'rabbit1', undefined, undefined, v[0], v[1], v[2], v[3], v[4], v[5]);
}

/** What `History.record` would have stored for the same data: JSON, absent fields left out. */
function asJson(v: readonly ShapedValue[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  FIELDS.forEach((f, i) => {
    if (v[i] !== undefined) o[f] = v[i];
  });
  return JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
}

describe('History.recordShaped (properties; fast-check prints the seed of any failure)', () => {
  it('reads back exactly the object JSON would have recorded, fields in shape order, absent ones left out', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 30 }), (rows) => {
        const h = new History();
        rows.forEach((r, i) => record(h, i, r));
        rows.forEach((r, i) => {
          const e = h.at(i);
          expect(e.kind).toBe('test.shaped');
          expect(e.node).toBe('rabbit1');
          expect(e.data).toEqual(asJson(r));
          expect(Object.keys(e.data as object)).toEqual(Object.keys(asJson(r)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('gives equal hashes for equal entries and different ones when any value, its type, or the field names differ', () => {
    fc.assert(
      fc.property(values, values, (a, b) => {
        const ha = new History();
        const hb = new History();
        record(ha, 5, a);
        record(hb, 5, b);
        const same = JSON.stringify(a.map((x) => [typeof x, x])) === JSON.stringify(b.map((x) => [typeof x, x]));
        expect(ha.historyHash() === hb.historyHash()).toBe(same);
        const hc = new History();
        record(hc, 5, a, other);
        expect(hc.historyHash()).not.toBe(ha.historyHash());
      }),
      { numRuns: 500 },
    );
  });

  it('tells apart the values the JSON form would confuse less obviously: "1" and 1, absent and false, [] and ""', () => {
    const hashOf = (v: ShapedValue): string => {
      const h = new History();
      h.recordShaped(0, shape, 'n', undefined, undefined, v);
      return h.historyHash();
    };
    const hashes = ['1', 1, undefined, false, true, [], '', ['a', 'b'], ['ab'], 1.5].map(hashOf);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('mixes exactly the documented words: each string value as its 52-bit hash after a type tag', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `publisher/1/${i % 2 === 0 ? i : 19_999 - i}`);
    const h = new History();
    const ref = new Hash64();
    const one = new DataShape('test.one', ['id']);
    ids.forEach((id, t) => {
      h.recordShaped(t, one, 'n', undefined, undefined, id);
      ref.number(t);
      ref.word(hashString32('test.one'));
      ref.word(hashString32('n'));
      ref.word(0);
      ref.word(-1);
      ref.word(hashString32('id'));
      ref.word(1);
      ref.number(stringHash52(id));
    });
    expect(h.historyHash()).toBe(ref.hex());
    expect(h.at(19_999).data).toEqual({ id: ids[19_999] });
  });

  it('keeps shaped and JSON entries in one order, and streams both to subscribers', () => {
    const h = new History();
    const seen: unknown[] = [];
    h.subscribe((batch) => seen.push(...batch.map((e) => e.data)), 2);
    h.record(0, 'json', 'a', undefined, undefined, { z: 1 });
    record(h, 1, ['m1', 'q1', 3, true, ['x'], undefined]);
    h.record(2, 'json', 'a');
    h.flush();
    expect(seen).toEqual([{ z: 1 }, { id: 'm1', q: 'q1', n: 3, flag: true, list: ['x'] }, undefined]);
    expect([...h.ofKind('test.shaped')].map((e) => e.seq)).toEqual([1]);
  });

  it('hands out copies of recorded lists, so a reader cannot change the history', () => {
    const h = new History();
    record(h, 0, ['m', 'q', 1, false, ['a'], undefined]);
    (h.at(0).data as { list: string[] }).list.push('b');
    expect(h.at(0).data).toEqual({ id: 'm', q: 'q', n: 1, flag: false, list: ['a'] });
  });
  it('records the same entries and hash when the first value comes hashed (recordShapedHashed), or fields are marked as names', () => {
    const named = new DataShape('test.shaped', FIELDS, ['q', 'list', 'x']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), values), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const hashed = new History();
        rows.forEach(([id, v], t) => {
          plain.recordShaped(t, shape, 'rabbit1', undefined, undefined, id, v[1], v[2], v[3], v[4], v[5]);
          hashed.recordShapedHashed(t, named, 'rabbit1', undefined, undefined, stringHash52(id), id, v[1], v[2], v[3], v[4], v[5]);
        });
        expect(hashed.historyHash()).toBe(plain.historyHash());
        expect(hashed.slice()).toEqual(plain.slice());
      }),
      { numRuns: 300 },
    );
    // A NaN hash means "not hashed yet": the history hashes the string itself.
    const a = new History();
    const b = new History();
    a.recordShaped(0, shape, 'n', undefined, undefined, 'm1', 'q');
    b.recordShapedHashed(0, shape, 'n', undefined, undefined, NaN, 'm1', 'q');
    expect(b.historyHash()).toBe(a.historyHash());
  });

  it('keeps name hashes right when more names than the memo holds come and go', () => {
    const named = new DataShape('test.names', ['id', 'q'], ['q']);
    const plainShape = new DataShape('test.names', ['id', 'q']);
    const plain = new History();
    const memo = new History();
    // 10,000 distinct names (the memo starts afresh at 4,096), each seen again later, some as new string objects.
    for (let i = 0; i < 20_000; i++) {
      const q = i < 10_000 ? `queue-${i}` : ['queue', (i * 7919) % 10_000].join('-');
      plain.recordShaped(i, plainShape, i % 2 ? 'a' : 'b', undefined, undefined, `m${i}`, q);
      memo.recordShaped(i, named, i % 2 ? 'a' : 'b', undefined, undefined, `m${i}`, q);
    }
    expect(memo.historyHash()).toBe(plain.historyHash());
    expect(memo.at(19_999)).toEqual(plain.at(19_999));
  });

  it('refuses a name that is not one of the shape\'s fields', () => {
    expect(() => new DataShape('test.bad', ['id', 'q'], ['queue'])).toThrow(/name field .*queue/);
  });
  it('reads back every value of a run long enough to fill several arena blocks', () => {
    const h = new History();
    const rows: ShapedValue[][] = [];
    const list = ['q1', 'q2'];
    for (let i = 0; i < 40_000; i++) {
      // Strings, names, numbers (negative, fractional, large), booleans, absent values and lists.
      const row: ShapedValue[] = [`m${i}`, `q${i % 7}`, i % 3 === 0 ? -(i + 1) / 4 : i * 2 ** 33, i % 2 === 0, i % 5 === 0 ? list : undefined, i % 11 === 0 ? '' : undefined];
      rows.push(row);
      record(h, i, row);
    }
    for (let i = 0; i < rows.length; i += 997) expect(h.at(i).data).toEqual(asJson(rows[i]!));
    expect(h.at(39_999).data).toEqual(asJson(rows[39_999]!));
  });

  it('hashes entries past its limit exactly as stored ones, names and pre-hashed ids included', () => {
    const named = new DataShape('test.names', ['id', 'q', 'n'], ['q']);
    const full = new History();
    const capped = new History({ entriesMax: 5 });
    for (let i = 0; i < 50; i++) {
      for (const h of [full, capped]) h.recordShapedHashed(i, named, 'n', undefined, undefined, stringHash52(`m${i}`), `m${i}`, `q${i % 3}`, i);
    }
    expect(capped.length).toBe(5);
    expect(capped.overflow).toBe(45);
    expect(capped.historyHash()).toBe(full.historyHash());
  });

  it('hashes a serial id by its parts exactly as stringHash52 hashes the string (serialIdHash52)', () => {
    // Origins of even and odd length (the ':' pairs with the last letter or with the first digit),
    // outside Latin-1, and interleaved so the remembered prefix is replaced again and again.
    const origin = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('publisher', 'p', 'ab'));
    const serial = fc.oneof(fc.nat(20), fc.nat(), fc.maxSafeInteger().map(Math.abs), fc.constantFrom(9, 10, 99, 100, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER));
    fc.assert(
      fc.property(fc.array(fc.tuple(origin, serial), { minLength: 1, maxLength: 20 }), (ids) => {
        for (const [o, n] of ids) expect(serialIdHash52(o, n)).toBe(stringHash52(`${o}:${n}`));
      }),
      { numRuns: 500 },
    );
  });

  it('records a serial id as the string origin:serial, with the same entries and hash as recordShaped (recordShapedSerial)', () => {
    const named = new DataShape('test.shaped', FIELDS, ['q']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('publisher', 'p', 'app-2', ''), fc.nat(2 ** 32 - 1), fc.boolean(), values), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const serial = new History();
        rows.forEach(([origin, n, known, v], t) => {
          // Entries alternate between nodes, as a publisher's and a broker's do.
          const node = t % 2 ? 'rabbit1' : origin || 'client';
          plain.recordShaped(t, shape, node, undefined, undefined, `${origin}:${n}`, v[1], v[2], v[3], v[4], v[5]);
          serial.recordShapedSerial(t, named, node, undefined, undefined, known ? serialIdHash52(origin, n) : NaN, origin, n, v[1], v[2], v[3], v[4], v[5]);
        });
        expect(serial.historyHash()).toBe(plain.historyHash());
        expect(serial.slice()).toEqual(plain.slice());
      }),
      { numRuns: 300 },
    );
  });

  it('records a HistoryName handle exactly as its text, names and lists of names alike, and refuses one from another history', () => {
    const text = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), text, values), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const named = new History();
        // Handles fetched before anything is recorded, as a model fetches them, and the first one
        // recorded again at the end: a handle stands for its text however often it is used.
        const handles = rows.map(([, q]) => named.name(q));
        rows.forEach(([id, q, v], t) => {
          plain.recordShaped(t, shape, 'rabbit1', undefined, undefined, id, q, v[2], v[3], v[4], v[5]);
          named.recordShaped(t, shape, 'rabbit1', undefined, undefined, id, handles[t], v[2], v[3], v[4], v[5]);
        });
        plain.recordShaped(rows.length, shape, 'rabbit1', undefined, undefined, 'again', rows[0]![1]);
        named.recordShaped(rows.length, shape, 'rabbit1', undefined, undefined, 'again', handles[0]);
        expect(named.historyHash()).toBe(plain.historyHash());
        expect(named.slice()).toEqual(plain.slice());
      }),
      { numRuns: 300 },
    );
    const a = new History();
    const b = new History();
    expect(() => b.recordShaped(0, shape, 'n', undefined, undefined, 'm1', a.name('q'))).toThrow(/only in the history that made it/);
    // Past the limit a handle is hashed as its text, too.
    const full = new History();
    const capped = new History({ entriesMax: 1 });
    for (const h of [full, capped]) for (let i = 0; i < 3; i++) h.recordShaped(i, shape, 'n', undefined, undefined, 'm', h.name(['q1', 'q2']));
    expect(capped.historyHash()).toBe(full.historyHash());
  });

  it('refuses a serial that is not an integer in [0, 2^32), and hashes serial ids past its limit as stored ones', () => {
    const h = new History();
    for (const bad of [-1, 1.5, 2 ** 32, NaN]) expect(() => h.recordShapedSerial(0, shape, 'n', undefined, undefined, NaN, 'p', bad)).toThrow(/serial/);
    const full = new History();
    const capped = new History({ entriesMax: 3 });
    for (let i = 0; i < 20; i++) for (const x of [full, capped]) x.recordShapedSerial(i, shape, 'n', undefined, undefined, NaN, `p${i % 2}`, i, 'q');
    expect(capped.overflow).toBe(17);
    expect(capped.historyHash()).toBe(full.historyHash());
    expect(full.at(19).data).toEqual({ id: 'p1:19', q: 'q' });
  });

  it('mixes exactly the documented words for every kind of value, long lists and handles of lists included, stored or past the limit', () => {
    // The definition, one `word` at a time: the header, the field names, then each value with its type tag.
    const referenceValue = (ref: Hash64, v: ShapedValue): void => {
      if (typeof v === 'string') {
        ref.word(1);
        ref.number(stringHash52(v));
      } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
        ref.word(2);
        ref.word(v >>> 0);
        ref.word(Math.floor(v / 2 ** 32) | 0);
      } else if (typeof v === 'number') {
        const bits = new DataView(new ArrayBuffer(8));
        bits.setFloat64(0, v, true);
        ref.word(3);
        ref.word(bits.getInt32(0, true));
        ref.word(bits.getInt32(4, true));
      } else if (v === undefined) ref.word(4);
      else if (v === true) ref.word(5);
      else if (v === false) ref.word(6);
      else {
        const list = v as readonly string[];
        ref.word(7);
        ref.word(list.length);
        for (const x of list) ref.number(stringHash52(x));
      }
    };
    const longList = fc.array(fc.string({ maxLength: 3 }), { minLength: 10, maxLength: 60 });
    const anyValue = fc.oneof(value, longList);
    const named = new DataShape('test.words', [...FIELDS], ['q', 'list']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.tuple(anyValue, anyValue, anyValue, anyValue, anyValue, anyValue), fc.boolean()), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 12 }), (rows, limit) => {
        const h = new History({ entriesMax: limit });
        const ref = new Hash64();
        rows.forEach(([v, asHandles], t) => {
          // Lists and names as handles in some rows, as text in others: the words are the same.
          const given = v.map((x, i) => (asHandles && i > 0 && (typeof x === 'string' || Array.isArray(x)) ? h.name(x as string | string[]) : x));
          h.recordShaped(t, named, 'rabbit1', undefined, undefined, given[0], given[1], given[2], given[3], given[4], given[5]);
          ref.number(t);
          ref.word(hashString32('test.words'));
          ref.word(hashString32('rabbit1'));
          ref.word(0);
          ref.word(-1);
          ref.word(hashString32(FIELDS.join('\u0000')));
          v.forEach((x) => referenceValue(ref, x));
        });
        expect(h.historyHash()).toBe(ref.hex());
        for (let i = 0; i < h.length; i++) expect(h.at(i).data).toEqual(asJson(rows[i]![0]));
      }),
      { numRuns: 300 },
    );
  });
});
