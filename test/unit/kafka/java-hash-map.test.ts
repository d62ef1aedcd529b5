/**
 * The assignors depend on Java's HashMap iteration order. These expectations follow from the
 * java.util.HashMap source (JDK 8+): bucket index = (h ^ (h >>> 16)) & (capacity - 1), new keys
 * append to their bucket, the table starts at 16 buckets and doubles once size > 0.75 * capacity,
 * and a resize keeps the relative order of keys that stay together.
 */
import { describe, expect, it } from 'vitest';
import { javaStringHashCode, javaStringMap, topicPartitionHashCode } from '../../../src/sim/broker/kafka/java-hash-map.ts';

describe('Java hash codes', () => {
  it('String.hashCode matches well-known Java values', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('a')).toBe(97);
    expect(javaStringHashCode('abc')).toBe(96354);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // The classic collision pair, and overflow wrapping to a negative int.
    expect(javaStringHashCode('Aa')).toBe(javaStringHashCode('BB'));
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  it('TopicPartition.hashCode is 31 * (31 + partition) + topic.hashCode()', () => {
    expect(topicPartitionHashCode('a', 0)).toBe(31 * 31 + 97);
    expect(topicPartitionHashCode('abc', 5)).toBe(31 * 36 + 96354);
  });
});

describe('JavaHashMap iteration order', () => {
  it('iterates by bucket, not by insertion', () => {
    const m = javaStringMap<number>();
    m.set('b', 1).set('a', 2).set('c', 3); // hashes 98, 97, 99 → buckets 2, 1, 3
    expect([...m.keys()]).toEqual(['a', 'b', 'c']);
  });

  it('keeps insertion order inside one bucket', () => {
    const m = javaStringMap<number>();
    m.set('BB', 1).set('Aa', 2);
    expect([...m.keys()]).toEqual(['BB', 'Aa']);
    const n = javaStringMap<number>();
    n.set('Aa', 1).set('BB', 2);
    expect([...n.keys()]).toEqual(['Aa', 'BB']);
  });

  it('re-buckets on resize: keys sharing bucket 1 of 16 split into buckets 1 and 17 of 32', () => {
    const m = javaStringMap<number>();
    m.set('\u0011', 0).set('\u0001', 1); // hashes 17 and 1: same bucket while capacity is 16
    const fillers = ['\u0002', '\u0003', '\u0004', '\u0005', '\u0006', '\u0007', '\u0008', '\u0009', '\u000a', '\u000b'];
    for (const f of fillers) m.set(f, 9);
    expect(m.size).toBe(12); // threshold 12 not exceeded: still 16 buckets
    expect([...m.keys()].slice(0, 2)).toEqual(['\u0011', '\u0001']);
    m.set('\u000c', 9); // 13 > 12: resize to 32 buckets
    const keys = [...m.keys()];
    expect(keys.indexOf('\u0001')).toBe(0);
    expect(keys[keys.length - 1]).toBe('\u0011');
  });

  it('never shrinks: removing keys keeps the larger table order', () => {
    const m = javaStringMap<number>();
    for (let i = 0; i < 13; i++) m.set(String.fromCharCode(i + 1), i);
    m.set('\u0011', 99);
    for (let i = 2; i < 14; i++) m.delete(String.fromCharCode(i));
    // Capacity is still 32, so '\u0011' (bucket 17) stays after '\u0001' (bucket 1).
    expect([...m.keys()]).toEqual(['\u0001', '\u0011']);
  });
});
