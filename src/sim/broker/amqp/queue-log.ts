/**
 * A durable classic queue's persistent messages on its node's disk: an append-only log of
 * publishes and removals, replayed on restart. Only persistent messages (`deliveryMode` 2) of
 * durable queues are written, so a restart loses transient messages and every message of a
 * non-durable queue (https://www.rabbitmq.com/docs/queues#durability,
 * https://www.rabbitmq.com/docs/persistence-conf).
 *
 * A restart after a crash is a dirty recovery: RabbitMQ 3.13's classic queues then mark every
 * recovered message as delivered, so consumers see `redelivered = true`
 * (`rabbit_variable_queue`, "On dirty recovery … effectively marking all messages as delivered").
 *
 * Replay is idempotent (publish sets a sequence number, remove deletes it), so compaction can
 * write a snapshot and then truncate the log without an atomic rename.
 */

import type { SimNode } from '../../node.ts';
import type { AmqpMessage } from './message.ts';

type LogEntry = { readonly p: number; readonly m: AmqpMessage; readonly at: number } | { readonly d: number };

interface Snapshot {
  readonly entries: ReadonlyArray<{ readonly s: number; readonly m: AmqpMessage; readonly at: number }>;
  readonly next: number;
}

/** A recovered message: what was published, and when (its TTL counts from then). */
export interface RecoveredMessage {
  readonly message: AmqpMessage;
  readonly publishedAtMs: number;
}

/** Log entries beyond this many, and beyond four per live message, trigger a compaction. */
const COMPACT_AFTER = 5_000;

export class QueueLog {
  private readonly logName: string;
  private readonly snapKey: string;
  private nextSeq = 1;
  private readonly live = new Map<number, { readonly m: AmqpMessage; readonly at: number }>();

  constructor(
    private readonly node: SimNode,
    queue: string,
  ) {
    this.logName = `cq:${queue}:log`;
    this.snapKey = `cq:${queue}:snap`;
  }

  /** Reads what the disk holds (after a restart, only what an fsync covered). */
  recover(): RecoveredMessage[] {
    const snap = this.node.disk.get(this.snapKey) as Snapshot | undefined;
    if (snap !== undefined) {
      for (const e of snap.entries) this.live.set(e.s, { m: e.m, at: e.at });
      this.nextSeq = snap.next;
    }
    for (const raw of this.node.disk.readLog(this.logName)) {
      const e = raw as LogEntry;
      if ('p' in e) {
        this.live.set(e.p, { m: e.m, at: e.at });
        if (e.p >= this.nextSeq) this.nextSeq = e.p + 1;
      } else this.live.delete(e.d);
    }
    return [...this.live.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => ({ message: v.m, publishedAtMs: v.at }));
  }

  /** The log sequence of every recovered message, in the order `recover` returned them. */
  recoveredSeqs(): number[] {
    return [...this.live.keys()].sort((a, b) => a - b);
  }

  /** Writes a publish; returns its sequence number for the later removal. */
  publish(message: AmqpMessage, publishedAtMs: number): number {
    const s = this.nextSeq++;
    this.live.set(s, { m: message, at: publishedAtMs });
    this.node.diskAppend(this.logName, { p: s, m: message, at: publishedAtMs } satisfies LogEntry);
    return s;
  }

  /** Writes a removal (ack, dead-letter, drop, purge). */
  remove(seq: number): void {
    if (!this.live.delete(seq)) return;
    this.node.diskAppend(this.logName, { d: seq } satisfies LogEntry);
    const length = this.node.disk.logLength(this.logName);
    if (length > COMPACT_AFTER && length > 4 * this.live.size) this.compact();
  }

  /** The queue was deleted: nothing of it may come back with a later queue of the same name. */
  destroy(): void {
    this.live.clear();
    this.node.diskPut(this.snapKey, { entries: [], next: this.nextSeq } satisfies Snapshot);
    this.node.diskTruncate(this.logName, 0);
  }

  private compact(): void {
    const entries = [...this.live.entries()].map(([s, v]) => ({ s, m: v.m, at: v.at }));
    this.node.diskPut(this.snapKey, { entries, next: this.nextSeq } satisfies Snapshot);
    this.node.diskTruncate(this.logName, 0);
  }
}
