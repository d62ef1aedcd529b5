import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Hash64 } from '../../../src/sim/hash';

/** The definition `Hash64.string` is written out from: two UTF-16 code units a word, then the length. */
function referenceString(h: Hash64, s: string): void {
  let i = 0;
  for (; i + 1 < s.length; i += 2) h.word(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < s.length) h.word(s.charCodeAt(i));
  h.word(s.length);
}

describe('Hash64 (properties; fast-check prints the seed of any failure)', () => {
  it('string() mixes the same bits as word() per pair of code units, for any strings in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }))), fc.integer(), (strings, n) => {
        const fast = new Hash64();
        const slow = new Hash64();
        fast.word(n);
        slow.word(n);
        for (const s of strings) {
          fast.string(s);
          referenceString(slow, s);
        }
        expect(fast.hex()).toBe(slow.hex());
      }),
      { numRuns: 500 },
    );
  });

  it('splitting a string differently changes the hash', () => {
    const a = new Hash64();
    a.string('ab');
    a.string('c');
    const b = new Hash64();
    b.string('a');
    b.string('bc');
    expect(a.hex()).not.toBe(b.hex());
  });
});
