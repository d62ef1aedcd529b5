/**
 * A 64-bit incremental hash built from two independent 32-bit lanes of murmur3-style mixing.
 * Plain integer arithmetic (Math.imul), so every JavaScript engine computes the same bits.
 */
export class Hash64 {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x1b873593 | 0;

  /** Mixes one 32-bit word into both lanes. */
  word(k: number): void {
    let a = Math.imul(k | 0, 0xcc9e2d51);
    a = (a << 15) | (a >>> 17);
    a = Math.imul(a, 0x1b873593);
    let h1 = this.h1 ^ a;
    h1 = (h1 << 13) | (h1 >>> 19);
    this.h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;

    let b = Math.imul(k | 0, 0x85ebca6b);
    b = (b << 17) | (b >>> 15);
    b = Math.imul(b, 0xc2b2ae35);
    let h2 = this.h2 ^ b;
    h2 = (h2 << 11) | (h2 >>> 21);
    this.h2 = (Math.imul(h2, 9) + 0x38495ab5) | 0;
  }

  /** Mixes a non-negative integer below 2^53 as two words. */
  number(n: number): void {
    this.word(n >>> 0);
    this.word(Math.floor(n / 4294967296) | 0);
  }

  /**
   * Mixes a string's UTF-16 code units, two to a word, then its length (so "ab"+"c" differs from
   * "a"+"bc"). The same bits as calling `word` per pair; written out with the lanes in locals
   * because the history hashes every string it keeps this way.
   */
  string(s: string): void {
    const n = s.length;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < n; i += 2) {
      const k = i + 1 < n ? s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16) : s.charCodeAt(i);
      let a = Math.imul(k, 0xcc9e2d51);
      a = (a << 15) | (a >>> 17);
      h1 ^= Math.imul(a, 0x1b873593);
      h1 = (h1 << 13) | (h1 >>> 19);
      h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
      let b = Math.imul(k, 0x85ebca6b);
      b = (b << 17) | (b >>> 15);
      h2 ^= Math.imul(b, 0xc2b2ae35);
      h2 = (h2 << 11) | (h2 >>> 21);
      h2 = (Math.imul(h2, 9) + 0x38495ab5) | 0;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.word(n);
  }

  /** The two lanes (the history mixes the hash of its entries past the limit into its own). */
  lane1(): number {
    return this.h1;
  }

  lane2(): number {
    return this.h2;
  }

  /** Back to the initial state. */
  reset(): void {
    this.h1 = 0x9747b28c | 0;
    this.h2 = 0x1b873593 | 0;
  }

  /** Both lanes fmixed, 32 + 20 bits, as one non-negative integer below 2^52. */
  lanes52(): number {
    return fmix(this.h1) * 1048576 + (fmix(this.h2) >>> 12);
  }

  /** The current value as 16 hex digits; reading it does not change the state. */
  hex(): string {
    return fmix(this.h1 ^ this.h2).toString(16).padStart(8, '0') + fmix(this.h2 + this.h1).toString(16).padStart(8, '0');
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string, for precomputing the hash of interned names. */
export function hashString32(s: string): number {
  const h = new Hash64();
  h.string(s);
  return parseInt(h.hex().slice(0, 8), 16) | 0;
}

/** The one-string hasher `stringHash52` reuses (the simulation is single-threaded). */
const scratch = new Hash64();

/**
 * A 52-bit hash of a string (`Hash64.string` from the initial lanes, each lane fmixed: 32 + 20
 * bits), as a non-negative integer that `Hash64.number` mixes exactly. Used where a value is
 * hashed on its own and then mixed as a number (the history's shaped entries).
 */
export function stringHash52(s: string): number {
  scratch.reset();
  scratch.string(s);
  return scratch.lanes52();
}

