import { assert } from './assert';
import { flat } from './flat-string';
import { Hash64, hashString32, stringHash52 } from './hash';

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

// The engine's sizes are const enums, not constants: the compiler writes their values into the
// code, where a module's `const` is loaded (and checked) at every use on the hot path.

/** Entries a chunk holds. */
const enum Chunks {
  Bits = 14,
  Size = 1 << Bits,
  Mask = Size - 1,
}

/** Column storage for Chunks.Size entries: typed arrays for the fixed fields, strings only where there is data. */
class Chunk {
  readonly time = new Float64Array(Chunks.Size);
  /** `time`'s IEEE bits as 32-bit words, low word first (the host is little-endian): what the hash folds. */
  readonly timeWords = new Int32Array(this.time.buffer);
  readonly kind = new Uint16Array(Chunks.Size);
  readonly node = new Int32Array(Chunks.Size);
  readonly peer = new Int32Array(Chunks.Size);
  readonly msg = new Int32Array(Chunks.Size);
  /**
   * Where the entry's data is: -1 none, a shaped entry's offset in the history's arena (0 or
   * more), or -2 - i for the JSON text `texts[i]`. Numbers, not the texts themselves, so the
   * collector never walks a chunk.
   */
  readonly data = new Int32Array(Chunks.Size);
}

/**
 * A value a shaped entry holds: absent (`undefined`), a string, a number, a boolean, a list of
 * strings, or a name or list of names the history has already (`HistoryName`).
 */
export type ShapedValue = string | number | boolean | undefined | readonly string[] | HistoryName;

/**
 * A name, or a list of names, that one history keeps once (`History.name`). A shaped entry takes
 * it in place of its text in any field: readers see the text, and the entry stores the handle's
 * reference, exactly what a name field stores for the same string. A model fetches one for each
 * long-lived name it records at every message (a queue's own name) and keeps it, so the history
 * does not look the text up at every entry.
 */
export class HistoryName {
  /** Use `History.name`. */
  constructor(
    readonly history: History,
    readonly text: string | readonly string[],
    /** Its index in the history's references. */
    readonly ref: number,
  ) {}
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
  /** Process-wide index; it never enters the hash (each history numbers the shapes it uses). */
  readonly id = shapeCount++;
  /** The hash of the field names, which the history hash covers once per shape used. */
  readonly fieldsHash: number;
  /** Bit i set: field i holds a name (see `names` in the constructor). */
  readonly nameMask: number;

  /**
   * `names` are the fields that hold long-lived names with few distinct values, such as queue and
   * channel names: the history keeps each such string once and stores its index, instead of
   * keeping it again at every entry (a list is kept as given; a model that records one often
   * passes a `HistoryName`). Fields whose values are new at almost every entry (message ids)
   * should not be among them.
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

/**
 * A number's IEEE bits as two words, low first (the host is little-endian, asserted below): how
 * the arena, and the hash of entries past the limit, take a number that is not an int32.
 */
const floatScratch = new Float64Array(1);
const floatScratchWords = new Int32Array(floatScratch.buffer);
const TWO_32 = 4294967296;
const enum Arena {
  /** Words in one block of the arena. */
  Bits = 16,
  Block = 1 << Bits,
  Mask = Block - 1,
  /** The most words one shaped entry takes: its head and two words for each of six fields. */
  EntryWordsMax = 13,
  /** Data shapes one history may use: an entry's head word is its shape's index, then its tags. */
  ShapeBits = 14,
  ShapesMax = 1 << ShapeBits,
  ShapeMask = ShapesMax - 1,
}

// The hash folds typed arrays as 32-bit words in the platform's byte order; Node and every
// browser we run on are little-endian, and a big-endian host would give other hashes.
assert(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, 'the history hash assumes a little-endian host');

/**
 * Which definition of the history hash this engine computes (see `History.historyHash`). Files that
 * carry hashes (`grades.json`) say it, so a hash is compared only with one made the same way.
 * 1: every entry's words were mixed as it was recorded (up to November 2026). 2: the stored record
 * is folded when the hash is read. 3: shaped entries' values are stored as 32-bit words, and a
 * field that is absent or a boolean takes none (November 2026).
 */
export const HISTORY_HASH_VERSION = 3;

/**
 * What a shaped entry's field holds (its tag, three bits of the entry's head) and so how many of
 * the arena's words follow for it (`SlotWords`).
 */
const enum Slot {
  /** No word. */
  Absent = 0,
  /** A string or a list: one word, its index in `refs`. */
  Ref = 1,
  /** A number that is not an int32: two words, its IEEE bits (low word first). */
  Float = 2,
  /** No word. */
  True = 3,
  /** No word. */
  False = 4,
  /** A serial id (`recordShapedSerial`): two words, the serial (as int32 bits), then the origin's name id. */
  Serial = 5,
  /** An int32 (not -0): one word. */
  Int = 6,
}

/** Words each `Slot` takes, two bits a tag: `(SlotWords.Packed >>> (2 * tag)) & 3`. */
const enum SlotWords {
  Packed = (1 << (2 * Slot.Ref)) | (2 << (2 * Slot.Float)) | (2 << (2 * Slot.Serial)) | (1 << (2 * Slot.Int)),
}
const NAME_MEMO_MAX = 4096;

export type HistorySubscriber = (batch: HistoryEntry[]) => void;

/**
 * A 64-bit fold of a stream of 32-bit words, in two lanes. Each step is a bijection of each lane
 * for a given word (xor, multiply by an odd constant, rotate), so two streams that differ in one
 * word end in different lanes, whatever follows. Cheaper than `Hash64.word` (one multiply a lane,
 * not three): the history folds tens of millions of words in a long run. Only the lanes' final
 * values are avalanched, once, by `Hash64` in `History.historyHash`.
 */
class Fold {
  h1 = 0x9747b28c | 0;
  h2 = 0x1b873593 | 0;
  /** Words folded so far. */
  n = 0;

  word(k: number): void {
    this.h1 = step1(this.h1, k);
    this.h2 = step2(this.h2, k);
    this.n++;
  }

  /** A type word, then a non-negative integer below 2^53 as two words (low first). */
  typed(type: number, x: number): void {
    this.word(type);
    this.word(x >>> 0);
    this.word(Math.floor(x / TWO_32) | 0);
  }

  /**
   * Entries `from`…`to - 1` of a chunk: time (its bits, two words), kind with what its data is
   * (`kind | class << 16`: 0 none, 1 shaped, 2 JSON), node, peer, message id. Where the data is
   * follows from the order: shaped entries take the arena's entries in turn, JSON ones the texts.
   */
  entries(c: Chunk, from: number, to: number): void {
    // The lanes in locals: this loop runs over every entry of a run.
    let h1 = this.h1;
    let h2 = this.h2;
    const { timeWords, kind, node, peer, msg, data } = c;
    // Written out, word by word and with `step1` and `step2` spelled out (their constants as
    // literals): a loop over an array of the words took 2.5 times as long, and the calls (though
    // inlined) a third more instructions.
    for (let i = from; i < to; i++) {
      const t0 = timeWords[2 * i]!;
      const t1 = timeWords[2 * i + 1]!;
      const d = data[i]!;
      const k = kind[i]! | ((d >= 0 ? 1 : d === -1 ? 0 : 2) << 16);
      const nd = node[i]!;
      const pr = peer[i]!;
      const ms = msg[i]!;
      let x = Math.imul(h1 ^ t0, 0x9e3779b1);
      let y = Math.imul(h2 ^ t0, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ t1, 0x9e3779b1);
      y = Math.imul(h2 ^ t1, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ k, 0x9e3779b1);
      y = Math.imul(h2 ^ k, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ nd, 0x9e3779b1);
      y = Math.imul(h2 ^ nd, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ pr, 0x9e3779b1);
      y = Math.imul(h2 ^ pr, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ ms, 0x9e3779b1);
      y = Math.imul(h2 ^ ms, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.n += 6 * (to - from);
  }

  /** Words `from`…`to - 1` of an arena block. */
  words(block: Int32Array, from: number, to: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    // `step1` and `step2` spelled out, two words a turn: a fifth fewer instructions than calls.
    let p = from;
    for (; p + 1 < to; p += 2) {
      const w = block[p]!;
      const v = block[p + 1]!;
      let x = Math.imul(h1 ^ w, 0x9e3779b1);
      let y = Math.imul(h2 ^ w, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
      x = Math.imul(h1 ^ v, 0x9e3779b1);
      y = Math.imul(h2 ^ v, 0x85ebca77);
      h1 = (x << 15) | (x >>> 17);
      h2 = (y << 13) | (y >>> 19);
    }
    if (p < to) {
      h1 = step1(h1, block[p]!);
      h2 = step2(h2, block[p]!);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.n += to - from;
  }

  /** Mixes the lanes and the word count into a final hash. */
  into(h: Hash64): void {
    h.word(this.h1);
    h.word(this.h2);
    h.number(this.n);
  }
}

/** One word into the first lane: xor, multiply by an odd constant, rotate (a bijection of the lane). */
function step1(h: number, k: number): number {
  const x = Math.imul(h ^ k, 0x9e3779b1);
  return (x << 15) | (x >>> 17);
}

/** The same into the second lane, with its own constant and rotation. */
function step2(h: number, k: number): number {
  const x = Math.imul(h ^ k, 0x85ebca77);
  return (x << 13) | (x >>> 19);
}

/**
 * The run's append-only record. It stores entries column-wise in chunks (26 bytes an entry
 * plus the JSON of its data), keeps what the hash needs to be read at any moment (see
 * `historyHash`), and hands entries to subscribers in batches so a worker can stream them to the
 * page.
 */
export class History {
  private readonly chunks: Chunk[] = [];
  /** The last of `chunks`, where entries go. */
  private chunk: Chunk | undefined;
  /** The JSON of entries recorded with `record` and data, in order (`Chunk.data`). */
  private readonly texts: string[] = [];
  private count = 0;
  /** Interned names (kinds, nodes, peers, serial ids' origins) by id; 0 is the empty name. */
  private readonly names: string[] = [''];
  private readonly nameIds = new Map<string, number>([['', 0]]);
  /** `hashString32` of each interned name: what entries past the limit mix. */
  private readonly nameHashes: number[] = [0];
  /** Entries past the limit, which are not stored: their content, mixed as they come. */
  private readonly overflowHash = new Hash64();
  private lastTimeUs = 0;
  private readonly subscribers: { fn: HistorySubscriber; batchSize: number; next: number }[] = [];
  /** Entries beyond this many are not stored (the run reports the limit); the hash still covers them. */
  readonly entriesMax: number;
  private overflowed = 0;
  /**
   * Values of shaped entries, as 32-bit words in blocks of `Arena.Block`: at an entry's offset its
   * head word (its shape's index here, `shapes`, then its fields' tags, three bits a field,
   * `Slot`), then the words of each field that has any (`SlotWords`): an index in `refs`, an
   * int32, a number's bits or a serial id. An entry never straddles two blocks. Typed arrays
   * rather than an array of the values: the collector never scans them, and a run holds millions
   * of values (an array of pointers measured about a fifth of the instructions of amqp-e2e with
   * history on, most of it the collector going over the history again and again). Words rather
   * than numbers: most values are indices and small integers, and an absent field or a boolean
   * takes no word, so an entry takes about half the memory, and the hash half the work.
   */
  private readonly arena: Int32Array[] = [];
  /** Words used in each full block (the rest of a block stays unused). */
  private readonly blockUsed: number[] = [];
  private arenaUsed: number = Arena.Block;
  /** The strings and lists of shaped entries; a value recorded again next is not kept twice. */
  private readonly refs: (string | readonly string[])[] = [];
  private lastRef: string | readonly string[] | undefined = undefined;
  /** The shapes used here, in order of first use: an entry's head word holds its index here. */
  private readonly shapes: DataShape[] = [];
  /** Index in `shapes` by the shape's process-wide id, and each shape's kind id. */
  private readonly shapeIndex: number[] = [];
  private readonly shapeKinds: number[] = [];
  /** Strings of name fields seen lately, by text: their index in `nameRef`. */
  private nameMemo = new Map<string, number>();
  /** A name's index in `refs`. */
  private readonly nameRef: number[] = [];
  /** The nodes of the last two entries of different nodes and their name ids (`nodeId`). */
  private lastNode = '';
  private lastNodeId = 0;
  private prevNode = '';
  private prevNodeId = 0;
  /** The origin of the last serial id and its name id (`originId`). */
  private lastOrigin = '';
  private lastOriginId = 0;
  /**
   * The hash's streams (`historyHash`), each folded up to where it was last read: the entries'
   * columns, the arena's words, then the contents of what their numbers refer to.
   */
  private readonly foldEntries = new Fold();
  private readonly foldArena = new Fold();
  private readonly foldRefs = new Fold();
  private readonly foldNames = new Fold();
  private readonly foldShapes = new Fold();
  private readonly foldTexts = new Fold();
  private entriesFolded = 0;
  /** Where the arena's fold stands: block and word. */
  private arenaFoldedBlock = 0;
  private arenaFoldedWord = 0;
  private refsFolded = 0;
  private namesFolded = 0;
  private shapesFolded = 0;
  private textsFolded = 0;

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
    // Flat, or the kept text holds the parts JSON.stringify built it from (`flat`).
    const json = data === undefined ? undefined : flat(JSON.stringify(data));
    this.forward(timeUs);
    if (this.count >= this.entriesMax) {
      this.overflowed++;
      this.mixOverflowHeader(timeUs, kindId, nodeId, peerId, msgId);
      if (json !== undefined) this.overflowHash.string(json);
      else this.overflowHash.word(0x5bd1e995);
      return;
    }
    let where = -1;
    if (json !== undefined) {
      where = -2 - this.texts.length;
      this.texts.push(json);
    }
    this.store(timeUs, kindId, nodeId, peerId, msgId, where);
  }

  /** Checks that time goes forward. */
  private forward(timeUs: number): void {
    assert(timeUs >= this.lastTimeUs, 'history time moves forward');
    this.lastTimeUs = timeUs;
  }

  /** Mixes what every entry past the limit has: time, kind, node, peer, message id. */
  private mixOverflowHeader(timeUs: number, kindId: number, nodeId: number, peerId: number, msgId: number): void {
    const h = this.overflowHash;
    h.number(timeUs);
    h.word(this.nameHashes[kindId]!);
    h.word(this.nameHashes[nodeId]!);
    h.word(this.nameHashes[peerId]!);
    h.word(msgId);
  }

  private store(timeUs: number, kindId: number, nodeId: number, peerId: number, msgId: number, data: number): void {
    const i = this.count++;
    const j = i & Chunks.Mask;
    if (j === 0) this.chunks.push((this.chunk = new Chunk()));
    const c = this.chunk!;
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
   * not be changed after they are recorded. It stores numbers only (ids of names and strings, the
   * values' own numbers, a tag each), so the hash covers the values with their types and is as
   * unambiguous as the JSON form.
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
    this.append(timeUs, shape, node, peer, msg, a, -1, b, c, d, e, f);
  }

  /**
   * `recordShaped` for an entry whose first value is a serial id, the string `origin:serial`
   * (a message id such as `publisher:42`), given as its two parts: readers see that string, but
   * the history neither builds nor keeps it (it stores the origin's name id and the serial as one
   * number). `serial` is an integer in [0, 2^32).
   */
  recordShapedSerial(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    origin: string,
    serial: number,
    b?: ShapedValue,
    c?: ShapedValue,
    d?: ShapedValue,
    e?: ShapedValue,
    f?: ShapedValue,
  ): void {
    assert(serial >>> 0 === serial, 'a serial id\'s serial is an integer in [0, 2^32)');
    this.append(timeUs, shape, node, peer, msg, origin, serial, b, c, d, e, f);
  }

  private append(
    timeUs: number,
    shape: DataShape,
    node: string,
    peer: string | undefined,
    msg: number | undefined,
    a: ShapedValue,
    serial: number,
    b: ShapedValue,
    c: ShapedValue,
    d: ShapedValue,
    e: ShapedValue,
    f: ShapedValue,
  ): void {
    let index = this.shapeIndex[shape.id];
    if (index === undefined) index = this.addShape(shape);
    const kindId = this.shapeKinds[index]!;
    const nodeId = this.nodeId(node);
    const peerId = peer === undefined ? 0 : this.intern(peer);
    const msgId = msg ?? -1;
    const n = shape.fields.length;
    const names = shape.nameMask;
    this.forward(timeUs);
    if (this.count >= this.entriesMax) {
      this.overflowed++;
      this.mixOverflowHeader(timeUs, kindId, nodeId, peerId, msgId);
      this.overflowHash.word(shape.fieldsHash);
      this.mixValue(serial >= 0 ? `${a as string}:${serial}` : a);
      if (n > 1) this.mixValue(b);
      if (n > 2) this.mixValue(c);
      if (n > 3) this.mixValue(d);
      if (n > 4) this.mixValue(e);
      if (n > 5) this.mixValue(f);
      return;
    }
    if (this.arenaUsed > Arena.Block - Arena.EntryWordsMax) {
      if (this.arena.length > 0) this.blockUsed.push(this.arenaUsed);
      this.arena.push(new Int32Array(Arena.Block));
      this.arenaUsed = 0;
    }
    const blockNo = this.arena.length - 1;
    const block = this.arena[blockNo]!;
    const at = this.arenaUsed;
    let p = at + 1;
    let tags: number = Slot.Serial;
    // Each field written out rather than through a helper: a model's hot path passes handles
    // (`HistoryName`) and absent values, stored here in a few instructions, and the compiler
    // would inline only the first few of six calls. Anything else goes to `put`.
    let t: Slot;
    if (serial >= 0) {
      block[p] = serial | 0;
      block[p + 1] = this.originId(a as string);
      p += 2;
    } else if (a instanceof HistoryName && a.history === this) {
      block[p++] = a.ref;
      tags = Slot.Ref;
    } else {
      tags = this.put(block, p, a, names & 1);
      p += (SlotWords.Packed >>> (2 * tags)) & 3;
    }
    if (b === undefined || n < 2) {
      // Absent, or past the shape's fields: no word, tag 0.
    } else if (b instanceof HistoryName && b.history === this) {
      block[p++] = b.ref;
      tags |= Slot.Ref << 3;
    } else {
      t = this.put(block, p, b, names & 2);
      p += (SlotWords.Packed >>> (2 * t)) & 3;
      tags |= t << 3;
    }
    if (c === undefined || n < 3) {
      // Absent.
    } else if (c instanceof HistoryName && c.history === this) {
      block[p++] = c.ref;
      tags |= Slot.Ref << 6;
    } else {
      t = this.put(block, p, c, names & 4);
      p += (SlotWords.Packed >>> (2 * t)) & 3;
      tags |= t << 6;
    }
    if (d === undefined || n < 4) {
      // Absent.
    } else if (d instanceof HistoryName && d.history === this) {
      block[p++] = d.ref;
      tags |= Slot.Ref << 9;
    } else {
      t = this.put(block, p, d, names & 8);
      p += (SlotWords.Packed >>> (2 * t)) & 3;
      tags |= t << 9;
    }
    if (e === undefined || n < 5) {
      // Absent.
    } else if (e instanceof HistoryName && e.history === this) {
      block[p++] = e.ref;
      tags |= Slot.Ref << 12;
    } else {
      t = this.put(block, p, e, names & 16);
      p += (SlotWords.Packed >>> (2 * t)) & 3;
      tags |= t << 12;
    }
    if (f === undefined || n < 6) {
      // Absent.
    } else if (f instanceof HistoryName && f.history === this) {
      block[p++] = f.ref;
      tags |= Slot.Ref << 15;
    } else {
      t = this.put(block, p, f, names & 32);
      p += (SlotWords.Packed >>> (2 * t)) & 3;
      tags |= t << 15;
    }
    block[at] = index | (tags << Arena.ShapeBits);
    this.arenaUsed = p;
    this.store(timeUs, kindId, nodeId, peerId, msgId, blockNo * Arena.Block + at);
  }

  /** Gives a shape its index here on first use. */
  private addShape(shape: DataShape): number {
    const kindId = this.intern(shape.kind);
    assert(kindId < 65536, 'fewer than 65536 distinct kinds and names');
    const index = this.shapes.length;
    assert(index < Arena.ShapesMax, `fewer than ${Arena.ShapesMax} data shapes in one history`);
    this.shapes.push(shape);
    this.shapeKinds.push(kindId);
    this.shapeIndex[shape.id] = index;
    return index;
  }

  /**
   * Stores one value at word `i` of an arena block and returns its tag (`SlotWords` says how many
   * words it took). `name` (non-zero) marks a name field: its strings are kept once in `refs`
   * (`nameIndex`), not once per entry.
   */
  private put(block: Int32Array, i: number, v: ShapedValue, name: number): Slot {
    if (typeof v === 'string') {
      block[i] = name === 0 ? this.ref(v) : this.nameRef[this.nameIndex(v)]!;
      return Slot.Ref;
    }
    if (v === undefined) return Slot.Absent;
    if (v instanceof HistoryName) {
      assert(v.history === this, 'a HistoryName is recorded only in the history that made it');
      block[i] = v.ref;
      return Slot.Ref;
    }
    if (typeof v === 'number') {
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        block[i] = v;
        return Slot.Int;
      }
      floatScratch[0] = v;
      block[i] = floatScratchWords[0]!;
      block[i + 1] = floatScratchWords[1]!;
      return Slot.Float;
    }
    if (v === true) return Slot.True;
    if (v === false) return Slot.False;
    block[i] = this.ref(v);
    return Slot.Ref;
  }

  /** The index of a string or list in `refs`, added unless it is the value added last. */
  private ref(v: string | readonly string[]): number {
    if (v !== this.lastRef) {
      this.refs.push(v);
      this.lastRef = v;
    }
    return this.refs.length - 1;
  }

  /**
   * Mixes one value of an entry past the limit, with a type tag so `"1"`, `1`, `true` and absent
   * all differ (a string as its 52-bit hash, a list as its length and each string's hash).
   */
  private mixValue(v: ShapedValue): void {
    const h = this.overflowHash;
    if (v instanceof HistoryName) v = v.text;
    if (typeof v === 'string') {
      h.word(1);
      h.number(stringHash52(v));
    } else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) {
        h.word(2);
        h.number(v);
      } else {
        floatScratch[0] = v;
        h.word(3);
        h.word(floatScratchWords[0]!);
        h.word(floatScratchWords[1]!);
      }
    } else if (v === undefined) h.word(4);
    else if (v === true) h.word(5);
    else if (v === false) h.word(6);
    else {
      h.word(7);
      h.word(v.length);
      for (const x of v) h.number(stringHash52(x));
    }
  }

  /**
   * The history hash so far: 16 hex digits, the same for the same run in any engine. Reading it
   * changes nothing, and it is the same however often it was read before.
   *
   * It covers the record as stored: recording costs no hashing, and reading the hash folds (`Fold`)
   * whatever was stored since it was last read. Six streams are folded, each in order:
   * - the entries: time (its IEEE bits, two words), kind id with whether the data is absent,
   *   shaped or JSON, node id, peer id, message id;
   * - the arena's words: an entry's head (shape index and its fields' type tags), then each
   *   field's words (a reference's index, an int32, a number's bits, a serial and origin id);
   * - what the numbers refer to: each reference (a string as type 1 and its 52-bit hash, a list as
   *   type 7, its length and each string's type and hash), each interned name (kinds, nodes,
   *   peers, origins) and each JSON text (as a string is), and each shape on first use (its kind's
   *   id and its field names' hash).
   * Then `Hash64` mixes each stream's lanes and length, and the hash of the entries past the limit,
   * which are mixed by content as they come because they are not stored.
   *
   * So the hash depends on how values were recorded as well as on what readers see: a field marked
   * as a name keeps its strings once, and a serial id is stored as its parts, and either gives
   * other numbers than the plain string would. The same code and seed always record the same way.
   */
  historyHash(): string {
    this.foldStored();
    const h = new Hash64();
    this.foldEntries.into(h);
    this.foldArena.into(h);
    this.foldRefs.into(h);
    this.foldNames.into(h);
    this.foldShapes.into(h);
    this.foldTexts.into(h);
    h.word(this.overflowHash.lane1());
    h.word(this.overflowHash.lane2());
    h.number(this.overflowed);
    return h.hex();
  }

  /** Folds what was stored since the hash was last read (`historyHash`). */
  private foldStored(): void {
    const stored = this.count;
    while (this.entriesFolded < stored) {
      const i = this.entriesFolded;
      const j = i & Chunks.Mask;
      const to = Math.min(Chunks.Size, j + (stored - i));
      this.foldEntries.entries(this.chunks[i >>> Chunks.Bits]!, j, to);
      this.entriesFolded += to - j;
    }
    while (this.arenaFoldedBlock < this.arena.length) {
      const b = this.arenaFoldedBlock;
      const full = b < this.blockUsed.length;
      const end = full ? this.blockUsed[b]! : this.arenaUsed;
      this.foldArena.words(this.arena[b]!, this.arenaFoldedWord, end);
      if (!full) {
        this.arenaFoldedWord = end;
        break;
      }
      this.arenaFoldedBlock++;
      this.arenaFoldedWord = 0;
    }
    for (; this.refsFolded < this.refs.length; this.refsFolded++) {
      const r = this.refs[this.refsFolded]!;
      if (typeof r === 'string') this.foldRefs.typed(1, stringHash52(r));
      else {
        this.foldRefs.word(7);
        this.foldRefs.word(r.length);
        for (const x of r) this.foldRefs.typed(1, stringHash52(x));
      }
    }
    for (; this.namesFolded < this.names.length; this.namesFolded++) this.foldNames.typed(1, stringHash52(this.names[this.namesFolded]!));
    for (; this.shapesFolded < this.shapes.length; this.shapesFolded++) {
      this.foldShapes.word(this.shapeKinds[this.shapesFolded]!);
      this.foldShapes.word(this.shapes[this.shapesFolded]!.fieldsHash);
    }
    for (; this.textsFolded < this.texts.length; this.textsFolded++) this.foldTexts.typed(1, stringHash52(this.texts[this.textsFolded]!));
  }
  /** The entry at index `seq`, with its data parsed. */
  at(seq: number): HistoryEntry {
    assert(seq >= 0 && seq < this.count, 'history index in range');
    const c = this.chunks[seq >>> Chunks.Bits]!;
    const j = seq & Chunks.Mask;
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
    const block = this.arena[off >>> Arena.Bits]!;
    let p = off & Arena.Mask;
    const head = block[p++]!;
    const fields = this.shapes[head & Arena.ShapeMask]!.fields;
    const tags = head >>> Arena.ShapeBits;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const tag = ((tags >>> (3 * i)) & 7) as Slot;
      const w = block[p]!;
      switch (tag) {
        case Slot.Absent:
          break;
        case Slot.Ref: {
          const r = this.refs[w]!;
          out[fields[i]!] = typeof r === 'string' ? r : r.slice();
          break;
        }
        case Slot.Int:
          out[fields[i]!] = w;
          break;
        case Slot.Float:
          floatScratchWords[0] = w;
          floatScratchWords[1] = block[p + 1]!;
          out[fields[i]!] = floatScratch[0];
          break;
        case Slot.True:
          out[fields[i]!] = true;
          break;
        case Slot.False:
          out[fields[i]!] = false;
          break;
        case Slot.Serial:
          out[fields[i]!] = `${this.names[block[p + 1]!]!}:${w >>> 0}`;
          break;
      }
      p += (SlotWords.Packed >>> (2 * tag)) & 3;
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
      if (ids.has(this.chunks[i >>> Chunks.Bits]!.kind[i & Chunks.Mask]!)) yield this.at(i);
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
    let bytes = this.chunks.length * Chunks.Size * (8 + 2 + 4 + 4 + 4 + 4) + this.texts.length * 8;
    for (const t of this.texts) bytes += 16 + t.length * 2;
    // The arena's words and the pointers to strings and lists (the strings are mostly the
    // model's own: ids, queue names).
    bytes += this.arena.length * Arena.Block * 4 + this.refs.length * 8;
    return bytes;
  }

  private deliver(s: { fn: HistorySubscriber; next: number }): void {
    const batch = this.slice(s.next, this.count);
    s.next = this.count;
    s.fn(batch);
  }

  /**
   * A handle on a name or list of names for shaped entries (see `HistoryName`), kept once, now.
   * For names a model keeps: a name is kept once however often it is asked for (through the name
   * memo, as a name field's string is), but each call for a list keeps that list again. A list
   * must not change afterwards.
   */
  name(text: string | readonly string[]): HistoryName {
    if (typeof text === 'string') return new HistoryName(this, text, this.nameRef[this.nameIndex(text)]!);
    this.refs.push(text);
    this.lastRef = text;
    return new HistoryName(this, text, this.refs.length - 1);
  }

  /**
   * The memo index of a name, added if new: the string goes into `refs` once (the memo starts
   * afresh when it reaches NAME_MEMO_MAX; what is in `refs` stays).
   */
  private nameIndex(s: string): number {
    const k = this.nameMemo.get(s);
    return k === undefined ? this.addName(s) : k;
  }

  private addName(s: string): number {
    if (this.nameRef.length >= NAME_MEMO_MAX) {
      this.nameMemo = new Map();
      this.nameRef.length = 0;
    }
    const k = this.nameRef.length;
    this.refs.push(s);
    this.lastRef = s;
    this.nameRef.push(this.refs.length - 1);
    this.nameMemo.set(s, k);
    return k;
  }

  /** `intern` for a serial id's origin, remembering the last one. */
  private originId(origin: string): number {
    if (origin !== this.lastOrigin) {
      this.lastOriginId = this.intern(origin);
      this.lastOrigin = origin;
    }
    return this.lastOriginId;
  }

  /** `intern` for an entry's node, remembering the last one: entries come in runs from one node. */
  /**
   * `intern` for an entry's node, remembering the last two (a run's entries mostly alternate
   * between a client and its broker).
   */
  private nodeId(node: string): number {
    if (node === this.lastNode) return this.lastNodeId;
    const id = node === this.prevNode ? this.prevNodeId : this.intern(node);
    this.prevNode = this.lastNode;
    this.prevNodeId = this.lastNodeId;
    this.lastNode = node;
    this.lastNodeId = id;
    return id;
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
