/**
 * Java's `HashMap` iteration order, reproduced.
 *
 * Kafka's assignors iterate `HashMap`s and `HashSet`s in a few places where the order changes the
 * result: which member keeps its partitions when quotas are tight, which partition of a topic is
 * moved first, the order of partitions in a range assignment. Java's order is not random; it is
 * the bucket order of the hash table, which depends only on the keys' `hashCode()`, the table
 * capacity (which grows by doubling and never shrinks) and, inside one bucket, insertion order.
 * This class keeps a real bucket table with the same growth rule, so iterating it yields the
 * order the Java client would see for the same keys inserted in the same order.
 *
 * Not reproduced: "treeified" buckets (Java converts a bucket with 8 or more colliding keys into a
 * red-black tree once the table has 64 buckets; its iteration order then differs). That takes
 * eight keys in one bucket, which the names used by Kafka groups practically never produce.
 */

const DEFAULT_INITIAL_CAPACITY = 16;
const LOAD_FACTOR = 0.75;
const MAXIMUM_CAPACITY = 1 << 30;

/**
 * `String.hashCode()` from Java: `s[0]*31^(n-1) + … + s[n-1]` over UTF-16 code units, wrapping
 * at 32 bits. JavaScript strings are UTF-16 too, so the code units are the same.
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  }
  return h;
}

/** `TopicPartition.hashCode()` from Kafka: `31 * (31 + partition) + topic.hashCode()`. */
export function topicPartitionHashCode(topic: string, partition: number): number {
  return (Math.imul(31, (31 + partition) | 0) + javaStringHashCode(topic)) | 0;
}

/** Java's `HashMap.tableSizeFor`: the smallest power of two that is at least `capacity`. */
function tableSizeFor(capacity: number): number {
  let n = 1;
  while (n < capacity && n < MAXIMUM_CAPACITY) n *= 2;
  return n;
}

/** Java's `HashMap.hash`: mixes the high bits into the low ones before masking. */
function spread(hashCode: number): number {
  return (hashCode ^ (hashCode >>> 16)) | 0;
}

interface Entry<K, V> {
  readonly key: K;
  readonly id: string;
  readonly hash: number;
  value: V;
}

/**
 * A map whose iteration order is that of `java.util.HashMap` for the same keys and operations.
 * Keys are compared by `idOf(key)` (a string), hashed by `hashOf(key)` (the Java `hashCode`).
 */
export class JavaHashMap<K, V> {
  private table: Entry<K, V>[][] | null = null;
  private threshold: number;
  private readonly byId = new Map<string, Entry<K, V>>();

  /**
   * `initialCapacity` mirrors `new HashMap<>(initialCapacity)`; leave it out for `new HashMap<>()`.
   */
  constructor(
    private readonly hashOf: (key: K) => number,
    private readonly idOf: (key: K) => string,
    initialCapacity?: number,
  ) {
    this.threshold = initialCapacity === undefined ? 0 : tableSizeFor(Math.max(1, initialCapacity));
  }

  get size(): number {
    return this.byId.size;
  }

  has(key: K): boolean {
    return this.byId.has(this.idOf(key));
  }

  get(key: K): V | undefined {
    return this.byId.get(this.idOf(key))?.value;
  }

  /** `put`: a new key goes to the end of its bucket; an existing key keeps its place. */
  set(key: K, value: V): this {
    const id = this.idOf(key);
    const existing = this.byId.get(id);
    if (existing !== undefined) {
      existing.value = value;
      return this;
    }
    if (this.table === null) this.resize();
    const entry: Entry<K, V> = { key, id, hash: spread(this.hashOf(key)), value };
    this.bucketFor(entry.hash).push(entry);
    this.byId.set(id, entry);
    if (this.byId.size > this.threshold) this.resize();
    return this;
  }

  /** `remove`: unlinks the key; Java never shrinks the table, and neither do we. */
  delete(key: K): boolean {
    const id = this.idOf(key);
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    const bucket = this.bucketFor(entry.hash);
    bucket.splice(bucket.indexOf(entry), 1);
    this.byId.delete(id);
    return true;
  }

  /** Entries in Java iteration order (bucket by bucket). */
  *entries(): IterableIterator<[K, V]> {
    if (this.table === null) return;
    for (const bucket of this.table) {
      for (const entry of bucket.slice()) yield [entry.key, entry.value];
    }
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  private bucketFor(hash: number): Entry<K, V>[] {
    const table = this.table!;
    return table[(table.length - 1) & hash]!;
  }

  /** Java's `HashMap.resize`, including its threshold arithmetic for small tables. */
  private resize(): void {
    const oldTable = this.table;
    const oldCap = oldTable === null ? 0 : oldTable.length;
    const oldThr = this.threshold;
    let newCap: number;
    let newThr = 0;
    if (oldCap > 0) {
      if (oldCap >= MAXIMUM_CAPACITY) {
        this.threshold = Number.MAX_SAFE_INTEGER;
        return;
      }
      newCap = oldCap * 2;
      if (newCap < MAXIMUM_CAPACITY && oldCap >= DEFAULT_INITIAL_CAPACITY) newThr = oldThr * 2;
    } else if (oldThr > 0) {
      newCap = oldThr;
    } else {
      newCap = DEFAULT_INITIAL_CAPACITY;
      newThr = Math.floor(DEFAULT_INITIAL_CAPACITY * LOAD_FACTOR);
    }
    if (newThr === 0) newThr = Math.floor(newCap * LOAD_FACTOR);
    this.threshold = newThr;
    const table: Entry<K, V>[][] = Array.from({ length: newCap }, () => []);
    // Java splits each old bucket into a "lo" and a "hi" list, keeping relative order; moving the
    // entries bucket by bucket in iteration order gives exactly the same lists.
    if (oldTable !== null) {
      for (const bucket of oldTable) {
        for (const entry of bucket) table[(newCap - 1) & entry.hash]!.push(entry);
      }
    }
    this.table = table;
  }
}

/** A set with `java.util.HashSet` iteration order (a HashSet is a HashMap with dummy values). */
export class JavaHashSet<K> {
  private readonly map: JavaHashMap<K, true>;

  constructor(hashOf: (key: K) => number, idOf: (key: K) => string, initialCapacity?: number) {
    this.map = new JavaHashMap(hashOf, idOf, initialCapacity);
  }

  /**
   * `new HashSet<>(collection)`: Java sizes the table for the collection first
   * (`max(size / .75 + 1, 16)`), then adds the elements in the collection's order.
   */
  static copyOf<K>(hashOf: (key: K) => number, idOf: (key: K) => string, items: Iterable<K>): JavaHashSet<K> {
    const list = [...items];
    const set = new JavaHashSet(hashOf, idOf, Math.max(Math.floor(list.length / LOAD_FACTOR) + 1, 16));
    for (const item of list) set.add(item);
    return set;
  }

  get size(): number {
    return this.map.size;
  }

  add(key: K): this {
    this.map.set(key, true);
    return this;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  [Symbol.iterator](): IterableIterator<K> {
    return this.map.keys();
  }

  /** The first element in Java iteration order (`set.iterator().next()`). */
  first(): K | undefined {
    for (const key of this.map.keys()) return key;
    return undefined;
  }
}

/** A `HashMap<String, V>` as Kafka declares them. */
export function javaStringMap<V>(initialCapacity?: number): JavaHashMap<string, V> {
  return new JavaHashMap<string, V>(javaStringHashCode, (s) => s, initialCapacity);
}

/** A `HashSet<String>` as Kafka declares them. */
export function javaStringSet(initialCapacity?: number): JavaHashSet<string> {
  return new JavaHashSet<string>(javaStringHashCode, (s) => s, initialCapacity);
}
