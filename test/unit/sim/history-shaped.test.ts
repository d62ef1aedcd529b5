import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hash64, hashString32, stringHash52 } from '../../../src/sim/hash';
import { DataShape, History, HISTORY_HASH_VERSION, type ShapedValue } from '../../../src/sim/history';

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

/**
 * The documented fold (`History.historyHash`), written from its description and not from the code:
 * a list of 32-bit words folded in two lanes, one multiply and one rotation a lane a word.
 */
function fold(words: readonly number[]): { h1: number; h2: number; n: number } {
  const rot = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
  return words.reduce(
    (f, k) => ({ h1: rot(Math.imul(f.h1 ^ k, 0x9e3779b1), 15), h2: rot(Math.imul(f.h2 ^ k, 0x85ebca77), 13), n: f.n + 1 }),
    { h1: 0x9747b28c | 0, h2: 0x1b873593 | 0, n: 0 },
  );
}

/** A type word and a 52-bit hash or integer as two words. */
const typed = (type: number, x: number): number[] => [type, x >>> 0, Math.floor(x / 2 ** 32) | 0];

/** A number's IEEE bits as two 32-bit words, low first. */
function bitsOf(x: number): number[] {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return [v.getInt32(0, true), v.getInt32(4, true)];
}

/** The final step: each stream's lanes and length, then the hash of the entries past the limit. */
function finalHash(streams: number[][], overflow: Hash64, overflowed: number): string {
  const h = new Hash64();
  for (const w of streams) {
    const f = fold(w);
    h.word(f.h1);
    h.word(f.h2);
    h.number(f.n);
  }
  h.word(overflow.lane1());
  h.word(overflow.lane2());
  h.number(overflowed);
  return h.hex();
}

/** How an entry past the limit mixes a value: a type tag, then its content. */
function referenceValue(ref: Hash64, v: ShapedValue): void {
  if (typeof v === 'string') {
    ref.word(1);
    ref.number(stringHash52(v));
  } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
    ref.word(2);
    ref.number(v);
  } else if (typeof v === 'number') {
    ref.word(3);
    for (const w of bitsOf(v)) ref.word(w);
  } else if (v === undefined) ref.word(4);
  else if (v === true) ref.word(5);
  else if (v === false) ref.word(6);
  else {
    const list = v as readonly string[];
    ref.word(7);
    ref.word(list.length);
    for (const x of list) ref.number(stringHash52(x));
  }
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

  it('folds exactly the documented streams: the entries\' columns, the arena\'s words, then what they refer to', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `publisher/1/${i % 2 === 0 ? i : 19_999 - i}`);
    const h = new History();
    const one = new DataShape('test.one', ['id']);
    ids.forEach((id, t) => h.recordShaped(t, one, 'n', undefined, undefined, id));
    // Names are interned in order of first use: '' (0), the kind (1), the node (2).
    // Time enters as its IEEE bits (a Float64Array column read as words); the kind (1) with its
    // data's class (1: shaped) in the high half; node 2, no peer, no message id.
    const entries = ids.flatMap((_, t) => [...bitsOf(t), 1 | (1 << 16), 2, 0, -1]);
    // A string is kept as a reference, once when the same one comes again next (ids 9,999 and
    // 10,000 are the same string).
    const kept: string[] = [];
    const refOf = ids.map((id) => (kept[kept.length - 1] === id ? kept.length - 1 : kept.push(id) - 1));
    expect(kept.length).toBe(ids.length - 1);
    // Each entry's two words: its head (shape index 0, then its one field's tag, 1 for a
    // reference, from bit 14), then the id's reference.
    const arena = ids.flatMap((_, t) => [0 | (1 << 14), refOf[t]!]);
    const refs = kept.flatMap((id) => typed(1, stringHash52(id)));
    const names = ['', 'test.one', 'n'].flatMap((n) => typed(1, stringHash52(n)));
    const shapes = [1, hashString32('id')];
    expect(h.historyHash()).toBe(finalHash([entries, arena, refs, names, shapes, []], new Hash64(), 0));
    expect(h.at(19_999).data).toEqual({ id: ids[19_999] });
    expect(HISTORY_HASH_VERSION).toBe(3);
  });

  it('stores each kind of value in the documented words: none for absent and booleans, one for an int32 or a reference, two for other numbers and serial ids', () => {
    const six = new DataShape('test.six', ['a', 'b', 'c', 'd', 'e', 'f']);
    const h = new History();
    h.recordShaped(0, six, 'n', undefined, undefined, 7, 1.5, true, undefined, false, ['x', 'y']);
    h.recordShapedSerial(1, six, 'n', undefined, undefined, 'pub', 42, -0, 2 ** 31, -(2 ** 31), 2 ** 32 - 1);
    // A field's tag, three bits from bit 14 + 3i: absent 0, reference 1, other number 2, true 3,
    // false 4, serial id 5, int32 6.
    const head = (...tags: number[]): number => tags.reduce((w, tag, i) => w | (tag << (14 + 3 * i)), 0);
    const arena = [
      ...[head(6, 2, 3, 0, 4, 1), 7, ...bitsOf(1.5), 0],
      // The serial, then the origin's name id ('pub' is the fourth name: '', the kind, the node, it).
      ...[head(5, 2, 2, 6, 2), 42, 3, ...bitsOf(-0), ...bitsOf(2 ** 31), -(2 ** 31), ...bitsOf(2 ** 32 - 1)],
    ];
    const entries = [0, 1].flatMap((t) => [...bitsOf(t), 1 | (1 << 16), 2, 0, -1]);
    const refs = [7, 2, ...typed(1, stringHash52('x')), ...typed(1, stringHash52('y'))];
    const names = ['', 'test.six', 'n', 'pub'].flatMap((n) => typed(1, stringHash52(n)));
    const shapes = [1, hashString32('a\u0000b\u0000c\u0000d\u0000e\u0000f')];
    expect(h.historyHash()).toBe(finalHash([entries, arena, refs, names, shapes, []], new Hash64(), 0));
    expect(h.at(0).data).toEqual({ a: 7, b: 1.5, c: true, e: false, f: ['x', 'y'] });
    const second = h.at(1).data as Record<string, number | string>;
    expect(second).toEqual({ a: 'pub:42', b: -0, c: 2 ** 31, d: -(2 ** 31), e: 2 ** 32 - 1 });
    expect(Object.is(second.b, -0)).toBe(true);
  });

  it('gives the same hash however often and whenever it is read, across chunk and arena block boundaries', () => {
    const named = new DataShape('test.shaped', FIELDS, ['q', 'list']);
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(70_000), { maxLength: 6 }), fc.integer({ min: 1, max: 3000 }), (rows, reads, step) => {
        const once = new History();
        const often = new History();
        const at = new Set(reads);
        // Enough entries to fill more than one chunk (16,384) and one arena block (65,536 words).
        for (let i = 0; i * step < 70_000 && i < 25_000; i++) {
          const r = rows[i % rows.length]!;
          for (const h of [once, often]) {
            h.recordShaped(i, named, i % 3 ? 'rabbit1' : 'client', undefined, undefined, r[0], r[1], r[2], r[3], r[4], r[5]);
            if (i % 7 === 0) h.record(i, 'json', 'rabbit1', 'client', i, { i });
          }
          if (at.has(i) || i % step === 0) often.historyHash();
        }
        expect(often.historyHash()).toBe(once.historyHash());
        expect(often.historyHash()).toBe(once.historyHash());
      }),
      { numRuns: 25 },
    );
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
    // Which entry holds which data is part of the hash: the same JSON and shaped data in the other
    // order, at the same time and of the same kind, hash differently.
    const order = (jsonFirst: boolean): string => {
      const x = new History();
      for (const json of [jsonFirst, !jsonFirst]) {
        if (json) x.record(0, 'test.shaped', 'a', undefined, undefined, { z: 1 });
        else x.recordShaped(0, shape, 'a', undefined, undefined, 'm1');
      }
      return x.historyHash();
    };
    expect(order(true)).not.toBe(order(false));
  });

  it('hands out copies of recorded lists, so a reader cannot change the history', () => {
    const h = new History();
    record(h, 0, ['m', 'q', 1, false, ['a'], undefined]);
    (h.at(0).data as { list: string[] }).list.push('b');
    expect(h.at(0).data).toEqual({ id: 'm', q: 'q', n: 1, flag: false, list: ['a'] });
  });
  it('records the same entries when fields are marked as names, and keeps each name once', () => {
    const named = new DataShape('test.shaped', FIELDS, ['q', 'list', 'x']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), values), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const marked = new History();
        const again = new History();
        rows.forEach(([id, v], t) => {
          plain.recordShaped(t, shape, 'rabbit1', undefined, undefined, id, v[1], v[2], v[3], v[4], v[5]);
          for (const h of [marked, again]) h.recordShaped(t, named, 'rabbit1', undefined, undefined, id, v[1], v[2], v[3], v[4], v[5]);
        });
        expect(marked.slice()).toEqual(plain.slice());
        // The same calls give the same hash.
        expect(again.historyHash()).toBe(marked.historyHash());
      }),
      { numRuns: 300 },
    );
    // A name field keeps a string once; a plain field keeps it at every entry where it changes.
    const plain = new History();
    const marked = new History();
    for (let i = 0; i < 1000; i++) {
      plain.recordShaped(i, shape, 'n', undefined, undefined, `m${i}`, `q${i % 2}`);
      marked.recordShaped(i, new DataShape('test.shaped', FIELDS, ['q']), 'n', undefined, undefined, `m${i}`, `q${i % 2}`);
    }
    expect(marked.approxBytes()).toBeLessThan(plain.approxBytes());
  });

  it('keeps names right when more names than the memo holds come and go', () => {
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
    expect(memo.slice()).toEqual(plain.slice());
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

  it('still hashes entries past its limit: different ones give different hashes, and the count is kept', () => {
    const named = new DataShape('test.names', ['id', 'q', 'n'], ['q']);
    const make = (last: number): History => {
      const h = new History({ entriesMax: 5 });
      for (let i = 0; i < 50; i++) h.recordShaped(i, named, 'n', undefined, undefined, `m${i}`, `q${i % 3}`, i === 49 ? last : i);
      return h;
    };
    const a = make(49);
    expect(a.length).toBe(5);
    expect(a.overflow).toBe(45);
    expect(make(49).historyHash()).toBe(a.historyHash());
    expect(make(50).historyHash()).not.toBe(a.historyHash());
    // One more entry past the limit, even an empty one, changes the hash.
    const b = make(49);
    b.record(50, 'json', 'n');
    expect(b.historyHash()).not.toBe(a.historyHash());
  });

  it('records a serial id as the string origin:serial, with the same entries as recordShaped (recordShapedSerial)', () => {
    const named = new DataShape('test.shaped', FIELDS, ['q']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('publisher', 'p', 'app-2', ''), fc.nat(2 ** 32 - 1), values), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const serial = new History();
        const other = new History();
        rows.forEach(([origin, n, v], t) => {
          // Entries alternate between nodes, as a publisher's and a broker's do.
          const node = t % 2 ? 'rabbit1' : origin || 'client';
          plain.recordShaped(t, shape, node, undefined, undefined, `${origin}:${n}`, v[1], v[2], v[3], v[4], v[5]);
          serial.recordShapedSerial(t, named, node, undefined, undefined, origin, n, v[1], v[2], v[3], v[4], v[5]);
          // The last serial one more: the hash sees it.
          other.recordShapedSerial(t, named, node, undefined, undefined, origin, t === rows.length - 1 ? (n + 1) % 2 ** 32 : n, v[1], v[2], v[3], v[4], v[5]);
        });
        expect(serial.slice()).toEqual(plain.slice());
        expect(other.historyHash()).not.toBe(serial.historyHash());
      }),
      { numRuns: 300 },
    );
  });

  it('records a HistoryName handle as the entry its text gives, names and lists of names alike, and refuses one from another history', () => {
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
        expect(named.slice()).toEqual(plain.slice());
      }),
      { numRuns: 300 },
    );
    // Handles in any field, the first included, among values of every kind.
    fc.assert(
      fc.property(fc.array(fc.tuple(values, fc.array(fc.boolean(), { minLength: 6, maxLength: 6 })), { minLength: 1, maxLength: 30 }), (rows) => {
        const plain = new History();
        const named = new History();
        rows.forEach(([v, asHandle], t) => {
          const given = v.map((x, i) => (asHandle[i] && (typeof x === 'string' || Array.isArray(x)) ? named.name(x as string | string[]) : x));
          plain.recordShaped(t, shape, 'rabbit1', undefined, undefined, v[0], v[1], v[2], v[3], v[4], v[5]);
          named.recordShaped(t, shape, 'rabbit1', undefined, undefined, given[0], given[1], given[2], given[3], given[4], given[5]);
        });
        expect(named.slice()).toEqual(plain.slice());
      }),
      { numRuns: 300 },
    );
    const a = new History();
    const b = new History();
    expect(() => b.recordShaped(0, shape, 'n', undefined, undefined, 'm1', a.name('q'))).toThrow(/only in the history that made it/);
    // Past the limit a handle is hashed as its text (the limit's own test checks every value): the
    // same hash as the text when both histories hold the same handle.
    const byText = new History({ entriesMax: 0 });
    const byHandle = new History({ entriesMax: 0 });
    byText.name(['q1', 'q2']);
    byText.recordShaped(0, shape, 'n', undefined, undefined, 'm', ['q1', 'q2']);
    byHandle.recordShaped(0, shape, 'n', undefined, undefined, 'm', byHandle.name(['q1', 'q2']));
    expect(byHandle.historyHash()).toBe(byText.historyHash());
  });

  it('refuses a serial that is not an integer in [0, 2^32), and hashes serial ids past its limit as their text', () => {
    const h = new History();
    for (const bad of [-1, 1.5, 2 ** 32, NaN]) expect(() => h.recordShapedSerial(0, shape, 'n', undefined, undefined, 'p', bad)).toThrow(/serial/);
    const capped = new History({ entriesMax: 3 });
    for (let i = 0; i < 20; i++) capped.recordShapedSerial(i, shape, 'n', undefined, undefined, `p${i % 2}`, i, 'q');
    expect(capped.overflow).toBe(17);
    expect(capped.at(2).data).toEqual({ id: 'p0:2', q: 'q' });
    // With nothing stored, a serial id and its text give the same hash; one serial more does not.
    const bySerial = (last: number): string => {
      const h = new History({ entriesMax: 0 });
      for (let i = 0; i < 20; i++) h.recordShapedSerial(i, shape, 'n', undefined, undefined, `p${i % 2}`, i === 19 ? last : i, 'q');
      return h.historyHash();
    };
    const text = new History({ entriesMax: 0 });
    for (let i = 0; i < 20; i++) text.recordShaped(i, shape, 'n', undefined, undefined, `p${i % 2}:${i}`, 'q');
    expect(bySerial(19)).toBe(text.historyHash());
    expect(bySerial(20)).not.toBe(text.historyHash());
  });

  it('mixes exactly the documented words for every kind of value past its limit, long lists, handles and serial ids included', () => {
    const longList = fc.array(fc.string({ maxLength: 3 }), { minLength: 10, maxLength: 60 });
    const anyValue = fc.oneof(value, longList);
    const named = new DataShape('test.words', [...FIELDS], ['q', 'list']);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.tuple(anyValue, anyValue, anyValue, anyValue, anyValue, anyValue), fc.boolean(), fc.nat(2 ** 32 - 1)), { minLength: 1, maxLength: 12 }), (rows) => {
        const h = new History({ entriesMax: 0 });
        const ref = new Hash64();
        // Handles are kept even when nothing is stored: a name once, a list at every call.
        const kept: number[] = [];
        const names = new Set<string>();
        rows.forEach(([v, asHandles, serial], t) => {
          // Lists and names as handles in some rows, as text in others; a serial id in those rows.
          const given = v.map((x, i) => (asHandles && i > 0 && (typeof x === 'string' || Array.isArray(x)) ? h.name(x as string | string[]) : x));
          if (asHandles) h.recordShapedSerial(t, named, 'rabbit1', undefined, undefined, 'pub', serial, given[1], given[2], given[3], given[4], given[5]);
          else h.recordShaped(t, named, 'rabbit1', undefined, undefined, given[0], given[1], given[2], given[3], given[4], given[5]);
          if (asHandles) {
            for (const x of v.slice(1)) {
              if (typeof x === 'string' && !names.has(x)) {
                names.add(x);
                kept.push(...typed(1, stringHash52(x)));
              } else if (Array.isArray(x)) kept.push(7, x.length, ...x.flatMap((y: string) => typed(1, stringHash52(y))));
            }
          }
          ref.number(t);
          ref.word(hashString32('test.words'));
          ref.word(hashString32('rabbit1'));
          ref.word(0);
          ref.word(-1);
          ref.word(hashString32(FIELDS.join('\u0000')));
          referenceValue(ref, asHandles ? `pub:${serial}` : v[0]);
          v.slice(1).forEach((x) => referenceValue(ref, x));
        });
        expect(h.length).toBe(0);
        // Nothing stored; the handles kept, the names interned (kind, node) and the shape are folded.
        const interned = ['', 'test.words', 'rabbit1'].flatMap((n) => typed(1, stringHash52(n)));
        expect(h.historyHash()).toBe(finalHash([[], [], kept, interned, [1, hashString32(FIELDS.join('\u0000'))], []], ref, rows.length));
      }),
      { numRuns: 300 },
    );
  });
});
