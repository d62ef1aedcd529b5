import type { LatencyModel } from './rng';

/** A disk write or fsync failed (for example the disk is full); the callback gets this instead of nothing. */
export interface DiskError {
  code: 'ENOSPC';
  message: string;
}

type Op = { kind: 'put'; key: string; value: unknown } | { kind: 'del'; key: string } | { kind: 'append'; log: string; entry: unknown } | { kind: 'truncate'; log: string; length: number };

/** Disk timing: a write lands in the page cache after `writeLatency`; fsync makes it durable after `fsyncLatency`. */
export interface DiskConfig {
  writeLatency: LatencyModel;
  fsyncLatency: LatencyModel;
}

export const DEFAULT_DISK: DiskConfig = {
  writeLatency: { kind: 'constant', us: 20 },
  fsyncLatency: { kind: 'lognormal', medianUs: 2_000, sigma: 0.3 },
};

/**
 * A node's disk: key-value entries and append-only logs. Reads see every write at once (the page
 * cache); only what an fsync covered survives a crash. Timing is applied by the owning node, which
 * schedules the callbacks; the disk itself only keeps the two views and the journal between them.
 * Values are shared between the views, so callers treat what they write as immutable.
 */
export class Disk {
  private kv = new Map<string, unknown>();
  private logs = new Map<string, unknown[]>();
  private durableKv = new Map<string, unknown>();
  private durableLogs = new Map<string, unknown[]>();
  /** Writes not yet durable, in order; journal[0] is write number `durableCount`. */
  private journal: Op[] = [];
  /** How many writes, counted since the disk was made, are durable. */
  private durableCount = 0;
  /** When true every write fails with ENOSPC (the `diskFull` fault). */
  full = false;
  /** Multiplies write and fsync latency (the `slowDisk` fault). */
  slowFactor = 1;

  get(key: string): unknown {
    return this.kv.get(key);
  }

  /** A copy of the log's entries; logs that were never written are empty. */
  readLog(log: string): readonly unknown[] {
    return this.logs.get(log) ?? [];
  }

  logLength(log: string): number {
    return this.logs.get(log)?.length ?? 0;
  }

  /** Writes that an fsync has not yet covered. */
  get unsynced(): number {
    return this.journal.length;
  }

  /** Applies a write to the page cache and journals it. Returns an error when the disk is full. */
  apply(op: Op): DiskError | undefined {
    if (this.full) return { code: 'ENOSPC', message: 'no space left on device' };
    applyOp(this.kv, this.logs, op);
    this.journal.push(op);
    return undefined;
  }

  /** Marks the start of an fsync: returns the write count it will make durable. */
  beginSync(): number {
    return this.durableCount + this.journal.length;
  }

  /**
   * Completes an fsync that began at write count `upTo`. An fsync that finishes after a later one
   * has nothing left to do: the later one covered its writes too.
   */
  completeSync(upTo: number): number {
    const n = Math.min(this.journal.length, upTo - this.durableCount);
    if (n <= 0) return 0;
    const done = this.journal.splice(0, n);
    this.durableCount += n;
    for (const op of done) applyOp(this.durableKv, this.durableLogs, op);
    return n;
  }

  /**
   * A crash: the page cache is lost. Returns the number of writes that were not yet durable.
   * Durable state is copied back into the live view so later writes cannot alter it.
   */
  crash(): number {
    const lost = this.journal.length;
    // Lost writes never happened: the count of writes restarts from what is durable.
    this.journal = [];
    this.kv = new Map(this.durableKv);
    this.logs = new Map();
    for (const [k, v] of this.durableLogs) this.logs.set(k, v.slice());
    return lost;
  }
}

function applyOp(kv: Map<string, unknown>, logs: Map<string, unknown[]>, op: Op): void {
  switch (op.kind) {
    case 'put':
      kv.set(op.key, op.value);
      return;
    case 'del':
      kv.delete(op.key);
      return;
    case 'append': {
      let l = logs.get(op.log);
      if (!l) logs.set(op.log, (l = []));
      l.push(op.entry);
      return;
    }
    case 'truncate': {
      const l = logs.get(op.log);
      if (l) l.length = Math.min(l.length, op.length);
      return;
    }
  }
}

export type { Op as DiskOp };
