import { assert } from './assert';
import { Hash64, hashString32, serialIdHash52, stringHash52 } from './hash';

/**
 * One thing that happened, as readers see it. `seq` is the entry's index in the run's history.
 * `peer` is the other node of a message (receiver of a send, sender of a deliver) and `msg` the
 * network message id, so a checker or the space-time diagram can pair sends with deliveries.
 */
export interface HistoryEntry {
  seq: number;
  timeUs: number;
  kind: string;
  node: string;
  peer?: string;
  msg?: number;
  data?: unknown;
}

/** The kinds the engine itself records. Broker models and labs add their own (`kafka.produce`, …). */
export const Kinds = {
  send: 'send',
  deliver: 'deliver',
  drop: 'drop',
  duplicate: 'duplicate',
  retransmit: 'retransmit',
  timer: 'timer',
  crash: 'crash',
  restart: 'restart',
  pause: 'pause',
  resume: 'resume',
  clock: 'clock',
  log: 'log',
  error: 'error',
  fault: 'fault',
  phase: 'phase',
  diskWrite: 'disk.write',
  diskFsync: 'disk.fsync',
  diskLost: 'disk.lost',
  limit: 'limit',
} as const;

const CHUNK_BITS = 14;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/** Column storage for CHUNK entries: typed arrays for the fixed fields, strings only where there is data. */
class Chunk {
  readonly time = new Float64Array(CHUNK);
  readonly kind = new Uint16Array(CHUNK);
  readonly node = new Int32Array(CHUNK);
  readonly peer = new Int32Array(CHUNK);
  readonly msg = new Int32Array(CHUNK);
  /**
   * Where the entry's data is: -1 none, a shaped entry's offset in the history's arena (0 or
   * more), or -2 - i for the JSON text `texts[i]`. Numbers, not the texts themselves, so the
   * collector never walks a chunk.
   */
  readonly data = new Int32Array(CHUNK);
}

/**
 * A value a shaped entry holds: absent (`undefined`), a string, a number, a boolean, a list of
 * strings, or a name or list of names the history has already (`HistoryName`).
 */
export type ShapedValue = string | number | boolean | undefined | readonly string[] | HistoryName;

/**
 * A name, or a list of names, that one history has hashed and keeps once (`History.name`). A
 * shaped entry takes it in place of its text in any field: readers see the text, and the entry
 * and the hash are exactly those the text gives. A model fetches one for each long-lived name it
 * records at every message (a queue's own name) and keeps it, so the history neither looks the
 * text up nor hashes it again.
 */
export class HistoryName {
  /** The words a shaped entry mixes for it: those its text would give. */
  readonly words: Int32Array;

  /** Use `History.name`. */
  constructor(
    readonly history: History,
    readonly text: string | readonly string[],
    /** `stringHash52` of the text, or of each name of the list: only its words are kept. */
    hashes: readonly number[],
    /** Its index in the history's references. */
    readonly ref: number,
  ) {
    // A name: its type word and its hash as two words. A list: its type word, its length, then
    // each name's hash as two words (see `History.collect`).
    const list = typeof text !== 'string';
    const w = new Int32Array(list ? 2 + 2 * hashes.length : 3);
    let k = 0;
    w[k++] = list ? 7 : 1;
    if (list) w[k++] = hashes.length;
    for (const h of hashes) {
      w[k++] = h >>> 0;
      w[k++] = Math.floor(h / TWO_32) | 0;
    }
    this.words = w;
  }
}

let shapeCount = 0;

/**
 * The fixed form of a frequent entry's data: its kind and field names in order. Hot paths (a
 * broker's per-message entries) record the values with `History.recordShaped` instead of an
 * object: nothing is serialised and the hash covers the values directly, so such an entry costs a
 * fraction of a JSON one. Readers see no difference: `at()` rebuilds `{ field: value, … }` with the
 * fields in this order and absent (undefined) values left out, as `JSON.stringify` would.
 */
export class DataShape {
  /** Process-wide index; it never enters the hash (the kind and field names do). */
  readonly id = shapeCount++;
  /** The hash of the field names, mixed into every entry of this shape. */
  readonly fieldsHash: number;
  /** Bit i set: field i holds a name (see `names` in the constructor). */
  readonly nameMask: number;

  /**
   * `names` are the fields that hold long-lived names with few distinct values, such as queue and
   * channel names, or lists of them: the history remembers the hash of each such string instead
   * of hashing its characters at every entry (the hash is the same either way). Fields whose
   * values are new at almost every entry (message ids, routing keys) should not be among them.
   */
  constructor(
    readonly kind: string,
    readonly fields: readonly string[],
    names: readonly string[] = [],
  ) {
    assert(fields.length >= 1 && fields.length <= 6, 'a data shape has 1 to 6 fields');
    this.fieldsHash = hashString32(fields.join('\u0000'));
    let mask = 0;
    for (const n of names) {
      const i = fields.indexOf(n);
      assert(i >= 0, `a name field of a data shape is one of its fields (${n})`);
      mask |= 1 << i;
    }
    this.nameMask = mask;
  }
}

const floatBits = new DataView(new ArrayBuffer(8));
const TWO_32 = 4294967296;

/**
 * Writes a value's type word and a number below 2^53 as two words (low, then high, as
 * `Hash64.number` mixes it) from `w[k]` on; returns where the next words go.
 */
function typedWords(w: Int32Array, k: number, type: number, x: number): number {
  w[k] = type;
  w[k + 1] = x >>> 0;
  w[k + 2] = Math.floor(x / TWO_32) | 0;
  return k + 3;
}
const ARENA_BLOCK = 1 << 16;

/** What a shaped entry's value slot holds (its tag in the arena). */
const enum Slot {
  Absent = 0,
  /** A string or a list: the slot's number is its index in `refs`. */
  Ref = 1,
  Number = 2,
  True = 3,
  False = 4,
  /** A serial id (`recordShapedSerial`): the origin's name id times 2^32 plus the serial. */
  Serial = 5,
}
const NAME_MEMO_MAX = 4096;
/**
 * Room for a shaped entry's words (`History.words`): 10 of header, at most 3 a value, except a list,
 * which mixes what has been collected whenever fewer than ROOM_AFTER_LIST words would be left.
 */
const WORDS = 64;
/** The words the values after a list may still need (five values of three words). */
const ROOM_AFTER_LIST = 15;

export type HistorySubscriber = (batch: HistoryEntry[]) => void;

/**
 * The run's append-only record. It stores entries column-wise in chunks (26 bytes an entry
 * plus the JSON of its data), keeps a 64-bit hash that is updated with every entry, and hands
 * entries to subscribers in batches so a worker can stream them to the page.
 */
export class History {
  private readonly chunks: Chunk[] = [];
  /** The JSON of entries recorded with `record` and data, in order (`Chunk.data`). */
  private readonly texts: string[] = [];
  private count = 0;
  private readonly names: string[] = [''];
  private readonly nameIds = new Map<string, number>([['', 0]]);
  private readonly nameHashes: number[] = [0];
  private readonly hash = new Hash64();
  private lastTimeUs = 0;
  private readonly subscribers: { fn: HistorySubscriber; batchSize: number; next: number }[] = [];
  /** Entries beyond this many are not stored (the run reports the limit); the hash still covers them. */
  readonly entriesMax: number;
  private overflowed = 0;
  /**
   * Values of shaped entries in blocks of ARENA_BLOCK slots, a number and a tag each: at an
   * entry's offset its shape's id, then one slot per field (an entry never straddles two blocks).
   * Typed arrays rather than an array of the values: the collector never scans them, and a run
   * holds millions of values (an array of pointers measured about a fifth of the instructions of
   * amqp-e2e with history on, most of it the collector going over the history again and again).
   * Strings and lists are kept once in `refs` and slots refer to them by index.
   */
  private readonly vals: Float64Array[] = [];
  private readonly tags: Uint8Array[] = [];
  private arenaUsed = ARENA_BLOCK;
  /** The strings and lists of shaped entries; a value recorded again next is not kept twice. */
  private readonly refs: (string | readonly string[])[] = [];
  private lastRef: string | readonly string[] | undefined = undefined;
  /** The shapes used here, by shape id. */
  private readonly shapes: DataShape[] = [];
  /** Strings of name fields seen lately, by text: their index in `nameRef` and `nameHash52`. */
  private nameMemo = new Map<string, number>();
  /** A name's index in `refs`. */
  private readonly nameRef: number[] = [];
  private readonly nameHash52: number[] = [];
  /** The node of the last entry and its name id (`nodeId`). */
  private lastNode = '';
  private lastNodeId = 0;
  /** The origin of the last serial id and its name id (`originId`). */
  private lastOrigin = '';
  private lastOriginId = 0;
  /** Kind ids of the shapes used here, by shape id. */
  private readonly shapeKinds: number[] = [];
  /**
   * The words of the shaped entry being appended, mixed in one call at its end (`Hash64.words`):
   * the same words in the same order as mixing them one call at a time.
   */
  private readonly words = new Int32Array(WORDS);

  constructor(opts: { entriesMax?: number } = {}) {
    this.entriesMax = opts.entriesMax ?? 20_000_000;
  }

  /** Number of entries recorded. */
  get length(): number {
    return this.count;
  }

  /** Entries dropped because the history was full. */
  get overflow(): number {
    return this.overflowed;
  }

  /**
   * Appends an entry. `data` must be plain JSON data; it is serialised once, here, and that text
   * is what the hash covers, so key order is part of the record.
   */
  record(timeUs: number, kind: string, node: string, peer?: string, msg?: number, data?: unknown): void {
    const kindId = this.intern(kind);
    assert(kindId < 65536, 'fewer than 65536 distinct kinds and names');
    const nodeId = this.nodeId(node);
    const peerId = peer === undefined ? 0 : this.intern(peer);
    const msgId = msg ?? -1;
    const json = data === undefined ? undefined : JSON.stringify(data);
    this.mixHeader(timeUs, kindId, nodeId, peerId, msgId);
    if (json !== undefined) this.hash.string(json);
    else this.hash.word(0x5bd1e995);

    if (this.count >= this.entriesMax) {
      this.overflowed++;
      return;
    }
    let where = -1;
    if (json !== undefined) {
      where = -2 - this.texts.length;
      this.texts.push(json);
    }
    this.store(timeUs, kindId, nodeId, peerId, msgId, where);
  }

  /** Checks time goes forward and mixes what every entry has: time, kind, node, peer, message id. */
  private mixHeader(timeUs: number, kindId: number, nodeId: number, peerId: number, msgId: number): void {
    assert(timeUs >= this.lastTimeUs, 'history time moves forward');
    this.lastTimeUs = timeUs;
    const h = this.hash;
    h.number(timeUs);
    h.word(this.nameHashes[kindId]!);
    h.word(this.nameHashes[nodeId]!);
    h.word(this.nameHashes[peerId]!);
    h.word(msgId);
  }

  private store(timeUs: number, kindId: number, nodeId: number, peerId: number, msgId: number, data: number): void {
    const i = this.count++;
    let c = this.chunks[i >>> CHUNK_BITS];
    if (!c) {
      c = new Chunk();
      this.chunks.push(c);
    }
    const j = i & CHUNK_MASK;
    c.time[j] = timeUs;
    c.kind[j] = kindId;
    c.node[j] = nodeId;
    c.peer[j] = peerId;
    c.msg[j] = msgId;
    c.data[j] = data;
    if (this.subscribers.length > 0) for (const s of this.subscribers) if (this.count - s.next >= s.batchSize) this.deliver(s);
  }

  /**
   * Appends an entry whose data has a fixed shape, without building or serialising an object:
   * `a`…`f` are the values of `shape.fields` in order (`undefined` leaves a field out). Lists must
   * not be changed after they are recorded. The hash covers the kind, node, peer, message id, the
   * shape's field names and each value with its type, so it is as unambiguous as the JSON form.
   */
  recordShaped(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    a: ShapedValue,
    b?: ShapedValue,
    c?: ShapedValue,
    d?: ShapedValue,
    e?: ShapedValue,
    f?: ShapedValue,
  ): void {
    this.append(timeUs, shape, node, peer, msg, NaN, a, -1, b, c, d, e, f);
  }

  /**
   * `recordShaped` for an entry whose first value is a string its caller has hashed already:
   * `aHash` must be `stringHash52(a)`. A message id is recorded at every step of the message
   * (published, routed, delivered, acknowledged); its hash travels with the message, so its
   * characters are read once, not at every step. The entry and the history hash are exactly those
   * `recordShaped` gives. A NaN `aHash` means not hashed yet.
   */
  recordShapedHashed(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    aHash: number,
    a: string,
    b?: ShapedValue,
    c?: ShapedValue,
    d?: ShapedValue,
    e?: ShapedValue,
    f?: ShapedValue,
  ): void {
    this.append(timeUs, shape, node, peer, msg, aHash, a, -1, b, c, d, e, f);
  }

  /**
   * `recordShaped` for an entry whose first value is a serial id, the string `origin:serial`
   * (a message id such as `publisher:42`), given as its two parts: the entry and the history hash
   * are exactly those `recordShaped` gives for that string, but the history neither builds nor
   * keeps it (it stores the origin's name id and the serial as one number) and never reads its
   * characters. `idHash` is `serialIdHash52(origin, serial)` if the caller has it, else NaN.
   * `serial` is an integer in [0, 2^32).
   */
  recordShapedSerial(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    idHash: number,
    origin: string,
    serial: number,
    b?: ShapedValue,
    c?: ShapedValue,
    d?: ShapedValue,
    e?: ShapedValue,
    f?: ShapedValue,
  ): void {
    assert(serial >>> 0 === serial, 'a serial id\'s serial is an integer in [0, 2^32)');
    this.append(timeUs, shape, node, peer, msg, idHash === idHash ? idHash : serialIdHash52(origin, serial), origin, serial, b, c, d, e, f);
  }

  private append(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    aHash: number,
    a: ShapedValue,
    serial: number,
    b: ShapedValue,
    c: ShapedValue,
    d: ShapedValue,
    e: ShapedValue,
    f: ShapedValue,
  ): void {
    let kindId = this.shapeKinds[shape.id];
    if (kindId === undefined) {
      kindId = this.intern(shape.kind);
      assert(kindId < 65536, 'fewer than 65536 distinct kinds and names');
      this.shapeKinds[shape.id] = kindId;
      this.shapes[shape.id] = shape;
    }
    const nodeId = node === this.lastNode ? this.lastNodeId : this.nodeId(node);
    const peerId = peer === undefined ? 0 : this.intern(peer);
    const msgId = msg ?? -1;
    const n = shape.fields.length;
    const names = shape.nameMask;
    // What `mixHeader` mixes, then the shape's field names.
    assert(timeUs >= this.lastTimeUs, 'history time moves forward');
    this.lastTimeUs = timeUs;
    const w = this.words;
    w[0] = timeUs >>> 0;
    w[1] = Math.floor(timeUs / TWO_32) | 0;
    w[2] = this.nameHashes[kindId]!;
    w[3] = this.nameHashes[nodeId]!;
    w[4] = this.nameHashes[peerId]!;
    w[5] = msgId;
    w[6] = shape.fieldsHash;
    let k = 7;
    // A first value that comes hashed (always so for a serial id) is mixed as `collect` mixes a string.
    const preHashed = aHash === aHash;
    if (preHashed) {
      // `typedWords`, written out as in `put`.
      w[7] = 1;
      w[8] = aHash >>> 0;
      w[9] = Math.floor(aHash / TWO_32) | 0;
      k = 10;
    }
    if (this.count >= this.entriesMax) {
      // Hashed, not kept: names are hashed afresh (the same hash) so nothing new is referenced.
      this.overflowed++;
      if (!preHashed) k = this.collect(a, 0, k);
      if (n > 1) k = this.collect(b, 0, k);
      if (n > 2) k = this.collect(c, 0, k);
      if (n > 3) k = this.collect(d, 0, k);
      if (n > 4) k = this.collect(e, 0, k);
      if (n > 5) k = this.collect(f, 0, k);
      this.hash.words(w, k);
      return;
    }
    if (this.arenaUsed + n + 1 > ARENA_BLOCK) {
      this.vals.push(new Float64Array(ARENA_BLOCK));
      this.tags.push(new Uint8Array(ARENA_BLOCK));
      this.arenaUsed = 0;
    }
    const blockNo = this.vals.length - 1;
    const vals = this.vals[blockNo]!;
    const tags = this.tags[blockNo]!;
    const at = this.arenaUsed;
    vals[at] = shape.id;
    if (serial >= 0) {
      tags[at + 1] = Slot.Serial;
      vals[at + 1] = this.originId(a as string) * TWO_32 + serial;
    } else if (preHashed) {
      tags[at + 1] = Slot.Ref;
      vals[at + 1] = this.ref(a as string);
    } else k = this.put(vals, tags, at + 1, a, names & 1, k);
    if (n > 1) k = this.put(vals, tags, at + 2, b, names & 2, k);
    if (n > 2) k = this.put(vals, tags, at + 3, c, names & 4, k);
    if (n > 3) k = this.put(vals, tags, at + 4, d, names & 8, k);
    if (n > 4) k = this.put(vals, tags, at + 5, e, names & 16, k);
    if (n > 5) k = this.put(vals, tags, at + 6, f, names & 32, k);
    this.arenaUsed = at + n + 1;
    this.hash.words(w, k);
    this.store(timeUs, kindId, nodeId, peerId, msgId, blockNo * ARENA_BLOCK + at);
  }

  /**
   * Stores one value in slot `i` of an arena block and collects its words (as `collect`) from
   * `words[k]` on; returns where the next value's words go.
   */
  private put(vals: Float64Array, tags: Uint8Array, i: number, v: ShapedValue, name: number, k: number): number {
    if (v instanceof HistoryName) {
      tags[i] = Slot.Ref;
      vals[i] = v.ref;
      return this.collectName(v, k);
    }
    if (typeof v === 'string') {
      tags[i] = Slot.Ref;
      let h: number;
      if (name === 0) {
        h = stringHash52(v);
        vals[i] = this.ref(v);
      } else {
        const m = this.nameIndex(v);
        h = this.nameHash52[m]!;
        vals[i] = this.nameRef[m]!;
      }
      // `typedWords` written out: on this path the call measured 1 % more instructions a message.
      const w = this.words;
      w[k] = 1;
      w[k + 1] = h >>> 0;
      w[k + 2] = Math.floor(h / TWO_32) | 0;
      return k + 3;
    }
    if (v === undefined) {
      tags[i] = Slot.Absent;
      this.words[k] = 4;
      return k + 1;
    }
    if (typeof v === 'number') {
      tags[i] = Slot.Number;
      vals[i] = v;
    } else if (v === true) tags[i] = Slot.True;
    else if (v === false) tags[i] = Slot.False;
    else {
      tags[i] = Slot.Ref;
      vals[i] = this.ref(v);
    }
    return this.collect(v, name, k);
  }

  /** The index of a string or list in `refs`, added unless it is the value added last. */
  private ref(v: string | readonly string[]): number {
    if (v !== this.lastRef) {
      this.refs.push(v);
      this.lastRef = v;
    }
    return this.refs.length - 1;
  }

  /** The history hash so far: 16 hex digits, identical for identical histories in any engine. */
  historyHash(): string {
    return this.hash.hex();
  }

  /** The entry at index `seq`, with its data parsed. */
  at(seq: number): HistoryEntry {
    assert(seq >= 0 && seq < this.count, 'history index in range');
    const c = this.chunks[seq >>> CHUNK_BITS]!;
    const j = seq & CHUNK_MASK;
    const e: HistoryEntry = { seq, timeUs: c.time[j]!, kind: this.names[c.kind[j]!]!, node: this.names[c.node[j]!]! };
    if (c.peer[j] !== 0) e.peer = this.names[c.peer[j]!];
    if (c.msg[j] !== -1) e.msg = c.msg[j];
    const data = c.data[j]!;
    if (data >= 0) e.data = this.shapedData(data);
    else if (data !== -1) e.data = JSON.parse(this.texts[-2 - data]!);
    return e;
  }

  /** Rebuilds a shaped entry's data as the object its JSON form would parse to. */
  private shapedData(off: number): Record<string, unknown> {
    const blockNo = Math.floor(off / ARENA_BLOCK);
    const vals = this.vals[blockNo]!;
    const tags = this.tags[blockNo]!;
    const at = off % ARENA_BLOCK;
    const fields = this.shapes[vals[at]!]!.fields;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const v = vals[at + 1 + i]!;
      switch (tags[at + 1 + i] as Slot) {
        case Slot.Absent:
          break;
        case Slot.Ref: {
          const r = this.refs[v]!;
          out[fields[i]!] = typeof r === 'string' ? r : r.slice();
          break;
        }
        case Slot.Number:
          out[fields[i]!] = v;
          break;
        case Slot.True:
          out[fields[i]!] = true;
          break;
        case Slot.False:
          out[fields[i]!] = false;
          break;
        case Slot.Serial:
          out[fields[i]!] = `${this.names[Math.floor(v / TWO_32)]!}:${v % TWO_32}`;
          break;
      }
    }
    return out;
  }

  /** Entries in [from, to) as plain objects. */
  slice(from = 0, to = this.count): HistoryEntry[] {
    const out: HistoryEntry[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.count); i++) out.push(this.at(i));
    return out;
  }

  /** Iterates every entry in order without building them all at once. */
  *entries(from = 0): IterableIterator<HistoryEntry> {
    for (let i = from; i < this.count; i++) yield this.at(i);
  }

  /** Iterates only the entries of the given kinds, skipping the others without parsing their data. */
  *ofKind(...kinds: string[]): IterableIterator<HistoryEntry> {
    const ids = new Set<number>();
    for (const k of kinds) {
      const id = this.nameIds.get(k);
      if (id !== undefined) ids.add(id);
    }
    if (ids.size === 0) return;
    for (let i = 0; i < this.count; i++) {
      if (ids.has(this.chunks[i >>> CHUNK_BITS]!.kind[i & CHUNK_MASK]!)) yield this.at(i);
    }
  }

  /**
   * Calls `fn` with every new entry, in batches of `batchSize` and on `flush()`. Entries already
   * recorded are delivered in the first batch, so a late subscriber misses nothing.
   */
  subscribe(fn: HistorySubscriber, batchSize = 2048): () => void {
    assert(batchSize >= 1, 'batch size is positive');
    const s = { fn, batchSize, next: 0 };
    this.subscribers.push(s);
    return () => {
      const i = this.subscribers.indexOf(s);
      if (i >= 0) this.subscribers.splice(i, 1);
    };
  }

  /** Delivers whatever subscribers have not yet seen. The engine calls it when a run stops. */
  flush(): void {
    for (const s of this.subscribers) if (s.next < this.count) this.deliver(s);
  }

  /** Approximate bytes held: the typed-array columns, the data pointers and the data text. */
  approxBytes(): number {
    let bytes = this.chunks.length * CHUNK * (8 + 2 + 4 + 4 + 4 + 4) + this.texts.length * 8;
    for (const t of this.texts) bytes += 16 + t.length * 2;
    // A shaped entry's slots (a number and a tag each) and its pointers to strings and lists
    // (the strings are mostly the model's own: ids, queue names).
    bytes += this.vals.length * ARENA_BLOCK * 9 + this.refs.length * 8;
    return bytes;
  }

  private deliver(s: { fn: HistorySubscriber; next: number }): void {
    const batch = this.slice(s.next, this.count);
    s.next = this.count;
    s.fn(batch);
  }

  /**
   * Collects the words of one shaped value from `words[k]` on, with a type tag so `"1"`, `1`,
   * `true` and absent all differ; returns where the next value's words go. A string enters as
   * its 52-bit hash (`stringHash52`). `name` (non-zero) marks a name field: its strings' hashes
   * are remembered (`nameIndex`), and a name is kept once in `refs`, not once per entry. A memo
   * for every string was measured and dropped: message ids are new at almost every entry, and the
   * Map cost more than hashing them again. A `HistoryName` gives exactly the words of its text.
   */
  private collect(v: ShapedValue, name: number, k: number): number {
    const w = this.words;
    if (typeof v === 'string') {
      return typedWords(w, k, 1, name === 0 ? stringHash52(v) : this.nameHash52[this.nameIndex(v)]!);
    }
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return typedWords(w, k, 2, v);
      // Fixed little-endian order, so every engine mixes the same words.
      floatBits.setFloat64(0, v, true);
      w[k] = 3;
      w[k + 1] = floatBits.getInt32(0, true);
      w[k + 2] = floatBits.getInt32(4, true);
      return k + 3;
    }
    if (v === undefined) w[k] = 4;
    else if (v === true) w[k] = 5;
    else if (v === false) w[k] = 6;
    else if (v instanceof HistoryName) return this.collectName(v, k);
    else {
      // A list: mixed as it goes whenever the values after it might not fit.
      if (k > WORDS - ROOM_AFTER_LIST - 2) k = this.mixCollected(k);
      w[k++] = 7;
      w[k++] = v.length;
      for (let i = 0; i < v.length; i++) {
        if (k > WORDS - ROOM_AFTER_LIST - 2) k = this.mixCollected(k);
        const h = name === 0 ? stringHash52(v[i]!) : this.nameHash52[this.nameIndex(v[i]!)]!;
        w[k++] = h >>> 0;
        w[k++] = Math.floor(h / TWO_32) | 0;
      }
      return k;
    }
    return k + 1;
  }

  /** Collects a `HistoryName`'s words (a long list is mixed at once, after what was collected). */
  private collectName(v: HistoryName, k: number): number {
    assert(v.history === this, 'a HistoryName is recorded only in the history that made it');
    const src = v.words;
    const m = src.length;
    if (k + m > WORDS - ROOM_AFTER_LIST) {
      this.mixCollected(k);
      this.hash.words(src, m);
      return 0;
    }
    const w = this.words;
    for (let i = 0; i < m; i++) w[k + i] = src[i]!;
    return k + m;
  }

  /** Mixes the words collected so far (`words[0]`…`words[k - 1]`); the next go from 0. */
  private mixCollected(k: number): number {
    this.hash.words(this.words, k);
    return 0;
  }

  /**
   * A handle on a name or list of names for shaped entries (see `HistoryName`): hashed and kept
   * once, now. For names a model keeps: a name is kept once however often it is asked for, but
   * each call for a list keeps that list again. A list must not change afterwards.
   */
  name(text: string | readonly string[]): HistoryName {
    // Through the name memo, so a model that fetches handles often (a route cache that churns)
    // reads each name's characters once.
    if (typeof text === 'string') {
      const k = this.nameIndex(text);
      return new HistoryName(this, text, [this.nameHash52[k]!], this.nameRef[k]!);
    }
    const hashes = text.map((t) => this.nameHash52[this.nameIndex(t)]!);
    this.refs.push(text);
    this.lastRef = text;
    return new HistoryName(this, text, hashes, this.refs.length - 1);
  }

  /**
   * The memo index of a name, added if new: the string goes into `refs` once (the memo starts
   * afresh when it reaches NAME_MEMO_MAX; what is in `refs` stays).
   */
  private nameIndex(s: string): number {
    let k = this.nameMemo.get(s);
    if (k === undefined) {
      if (this.nameRef.length >= NAME_MEMO_MAX) {
        this.nameMemo = new Map();
        this.nameRef.length = 0;
        this.nameHash52.length = 0;
      }
      k = this.nameRef.length;
      this.refs.push(s);
      this.lastRef = s;
      this.nameRef.push(this.refs.length - 1);
      this.nameHash52.push(stringHash52(s));
      this.nameMemo.set(s, k);
    }
    return k;
  }

  /** `intern` for a serial id's origin, remembering the last one. */
  private originId(origin: string): number {
    if (origin !== this.lastOrigin) {
      this.lastOriginId = this.intern(origin);
      assert(this.lastOriginId < 2097152, 'fewer than 2^21 distinct names');
      this.lastOrigin = origin;
    }
    return this.lastOriginId;
  }

  /** `intern` for an entry's node, remembering the last one: entries come in runs from one node. */
  private nodeId(node: string): number {
    if (node !== this.lastNode) {
      this.lastNodeId = this.intern(node);
      this.lastNode = node;
    }
    return this.lastNodeId;
  }

  private intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
      this.nameHashes.push(hashString32(name));
    }
    return id;
  }
}
