import { assert } from './assert';
import { Hash64, hashString32 } from './hash';

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
  readonly data: (string | undefined)[] = new Array(CHUNK);
}

export type HistorySubscriber = (batch: HistoryEntry[]) => void;

/**
 * The run's append-only record. It stores entries column-wise in chunks (about 30 bytes an entry
 * plus the JSON of its data), keeps a 64-bit hash that is updated with every entry, and hands
 * entries to subscribers in batches so a worker can stream them to the page.
 */
export class History {
  private readonly chunks: Chunk[] = [];
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
    assert(timeUs >= this.lastTimeUs, 'history time moves forward');
    this.lastTimeUs = timeUs;
    const kindId = this.intern(kind);
    assert(kindId < 65536, 'fewer than 65536 distinct kinds and names');
    const nodeId = this.intern(node);
    const peerId = peer === undefined ? 0 : this.intern(peer);
    const msgId = msg ?? -1;
    const json = data === undefined ? undefined : JSON.stringify(data);

    const h = this.hash;
    h.number(timeUs);
    h.word(this.nameHashes[kindId]!);
    h.word(this.nameHashes[nodeId]!);
    h.word(this.nameHashes[peerId]!);
    h.word(msgId);
    if (json !== undefined) h.string(json);
    else h.word(0x5bd1e995);

    if (this.count >= this.entriesMax) {
      this.overflowed++;
      return;
    }
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
    c.data[j] = json;
    for (const s of this.subscribers) if (this.count - s.next >= s.batchSize) this.deliver(s);
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
    const json = c.data[j];
    if (json !== undefined) e.data = JSON.parse(json);
    return e;
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
    let bytes = this.chunks.length * CHUNK * (8 + 2 + 4 + 4 + 4 + 8);
    for (const c of this.chunks) for (const d of c.data) if (d !== undefined) bytes += 16 + d.length * 2;
    return bytes;
  }

  private deliver(s: { fn: HistorySubscriber; next: number }): void {
    const batch = this.slice(s.next, this.count);
    s.next = this.count;
    s.fn(batch);
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
