/**
 * Kafka's murmur2 hash, bit for bit.
 *
 * Kafka's default partitioner maps a record key to a partition with
 * `toPositive(murmur2(keyBytes)) % numPartitions`. Learners compare the partition a key lands on
 * with what a real producer would pick, so this must match
 * `org.apache.kafka.common.utils.Utils.murmur2` exactly, including its seed and its handling of
 * the last 1–3 bytes. Java does all of this in wrapping 32-bit `int` arithmetic; `Math.imul` and
 * the `| 0` / `>>>` operators give us the same wrapping in JavaScript.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * Hashes bytes the way Kafka's Java client does and returns a signed 32-bit integer, so a key
 * lands on the same partition here as on a real cluster.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k =
      (data[i4]! & 0xff) |
      ((data[i4 + 1]! & 0xff) << 8) |
      ((data[i4 + 2]! & 0xff) << 16) |
      ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }

  // Java's switch falls through from case 3 to case 1; the tail bytes start at length & ~3.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * `murmur2(utf8Bytes(s))` without encoding: for an ASCII string the UTF-8 bytes are the char
 * codes, read in place; other strings are encoded first. The producer hashes every keyed record,
 * so this saves an allocation per record.
 */
export function murmur2String(s: string): number {
  const length = s.length;
  for (let i = 0; i < length; i++) if (s.charCodeAt(i) >= 0x80) return murmur2(utf8Bytes(s));
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = s.charCodeAt(i4) | (s.charCodeAt(i4 + 1) << 8) | (s.charCodeAt(i4 + 2) << 16) | (s.charCodeAt(i4 + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= s.charCodeAt(tail + 2) << 16;
  if (rest >= 2) h ^= s.charCodeAt(tail + 1) << 8;
  if (rest >= 1) {
    h ^= s.charCodeAt(tail);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Clears the sign bit, as Kafka's `Utils.toPositive` does. Kafka uses this instead of `Math.abs`
 * because `abs(Integer.MIN_VALUE)` is still negative in Java.
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

const utf8 = new TextEncoder();

/**
 * Encodes a string as UTF-8 bytes, which is what Kafka's `StringSerializer` (the usual key
 * serializer) produces by default.
 */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}
