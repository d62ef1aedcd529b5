import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { murmur2, murmur2String, toPositive, utf8Bytes } from '../../../src/sim/broker/kafka/murmur2.ts';
import { defaultPartition } from '../../../src/sim/broker/kafka/partitioner.ts';

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('murmur2 matches Kafka bit for bit', () => {
  // Source: apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java,
  // method testMurmur2. Inputs are "…".getBytes() (ASCII here) and new byte[]{'a','b','c'}.
  const kafkaVectors: Array<[Uint8Array, number, string]> = [
    [ascii('21'), -973932308, '"21"'],
    [ascii('foobar'), -790332482, '"foobar"'],
    [ascii('a-little-bit-long-string'), -985981536, '"a-little-bit-long-string"'],
    [ascii('a-little-bit-longer-string'), -1486304829, '"a-little-bit-longer-string"'],
    [ascii('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971, '"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"'],
    [Uint8Array.of(0x61, 0x62, 0x63), 479470107, "byte[]{'a','b','c'}"],
  ];
  for (const [bytes, expected, label] of kafkaVectors) {
    it(`UtilsTest.testMurmur2: murmur2(${label}) = ${expected}`, () => {
      expect(murmur2(bytes)).toBe(expected);
    });
  }

  // Source: tulios/kafkajs src/producer/partitioners/defaultJava/murmur2.spec.js, whose header says
  // "Generated with src/producer/partitioners/defaultJava/Test.java", i.e. by running Kafka's
  // Utils.murmur2 in Java. (The same repo's legacy `default/` spec holds hashes of KafkaJS's older,
  // non-Java-compatible murmur2 and must not be used.) The keys cover every tail length.
  const javaGenerated: Record<string, number> = {
    '0': 971027396,
    '1': -1993445489,
    '128': -326012175,
    '2187': -1508407203,
    '16384': -325739742,
    '78125': -1654490814,
    '279936': 1462227128,
    '823543': -2014198330,
    '2097152': 607668903,
    '4782969': -1182699775,
    '10000000': -1830336757,
    '19487171': -1603849305,
    '35831808': -857013643,
    '62748517': -1167431028,
    '105413504': -381294639,
    '170859375': -1658323481,
    '100:48069': 1009543857,
  };
  it('agrees with hashes produced by the Java client (kafkajs defaultJava vectors)', () => {
    for (const [key, expected] of Object.entries(javaGenerated)) {
      expect(murmur2(utf8Bytes(key)), `key ${key}`).toBe(expected);
    }
  });

  it('always returns a signed 32-bit integer, like a Java int', () => {
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: n % 37 }, (_, i) => (i * 97 + n * 13) & 0xff);
      const h = murmur2(bytes);
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBe(h | 0);
    }
  });

  it('toPositive clears only the sign bit, as Utils.toPositive does', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(479470107)).toBe(479470107);
  });
});

describe('key → partition mapping matches the Java producer', () => {
  // Source: dpkp/kafka-python test/test_partitioner.py, test_murmur2_java_compatibility:
  // "compare with output from Kafka's org.apache.kafka.clients.producer.Partitioner", 1000 partitions.
  const cases: Array<[Uint8Array, number, string]> = [
    [new Uint8Array(0), 681, "b''"],
    [ascii('a'), 524, "b'a'"],
    [ascii('ab'), 434, "b'ab'"],
    [ascii('abc'), 107, "b'abc'"],
    [ascii('123456789'), 566, "b'123456789'"],
    [Uint8Array.of(0x00, 0x20), 742, "b'\\x00 '"],
  ];
  for (const [bytes, partition, label] of cases) {
    it(`key ${label} goes to partition ${partition} of 1000`, () => {
      expect(defaultPartition(bytes, 1000)).toBe(partition);
    });
  }

  it('the same key always lands on the same partition (DefaultPartitionerTest.testKeyPartitionIsStable)', () => {
    // Source: apache/kafka clients/src/test/java/org/apache/kafka/clients/producer/internals/DefaultPartitionerTest.java
    const key = utf8Bytes('key');
    const p = defaultPartition(key, 3);
    expect(defaultPartition(key, 3)).toBe(p);
    expect(p).toBe(toPositive(murmur2(key)) % 3);
  });

  it('rejects a topic with no partitions instead of returning NaN', () => {
    expect(() => defaultPartition(utf8Bytes('k'), 0)).toThrow(RangeError);
  });
});

describe('murmur2String (the producer hashes keys without encoding them)', () => {
  it('equals murmur2 of the UTF-8 bytes, for ASCII and non-ASCII keys of every tail length', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', 'key-17', 'lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', 'clé', 'ключ', '鍵-42', '😀x'];
    for (const k of keys) expect(murmur2String(k), k).toBe(murmur2(utf8Bytes(k)));
  });

  it('agrees with murmur2 on random strings (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (k) => murmur2String(k) === murmur2(utf8Bytes(k))));
  });
});
