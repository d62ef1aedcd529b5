/**
 * The ready (not yet delivered) messages of one queue, in delivery order.
 *
 * Classic queues: one sub-queue per priority level, each ordered by the message's publish
 * sequence number. The head is the oldest message of the highest non-empty priority
 * (`rabbit_priority_queue`). A requeued message keeps its sequence number, so it goes back to its
 * original position (`rabbit_variable_queue:requeue/2` merges by sequence id;
 * https://www.rabbitmq.com/docs/3.13/nack — "placed to its original position in its queue").
 *
 * Quorum queues (`rabbit_fifo`): a `returns` queue served before the main `messages` queue, both
 * first-in first-out. Returned messages go to `returns`; a requeue without a delivery limit goes
 * to the back of `messages` (see `queue.ts`).
 */

import type { AmqpMessage } from './message.ts';

/** A message sitting in a queue. Immutable; requeueing builds a new one. */
export interface QueuedMessage {
  /** Queue-local publish sequence number: the message's original position. */
  readonly seqId: number;
  readonly message: AmqpMessage;
  /** Effective priority (0 when the queue has no `x-max-priority`). */
  readonly priority: number;
  /** When it expires (queue or message TTL, the lower), fixed at enqueue; kept across requeues. */
  readonly expiresAtMs: number | undefined;
  /** Classic: delivered before. Quorum: `deliveryCount > 0`. Shown as `redelivered`. */
  readonly redelivered: boolean;
  /** Quorum queues: number of returns so far (`x-delivery-count`). */
  readonly deliveryCount: number;
}

/** Which of a quorum queue's two lines a message joins. */
export type QuorumLine = 'messages' | 'returns';

/**
 * One line of messages: an array read from a moving head, so taking the head is O(1) however long
 * the line (Array.shift copies); the consumed prefix is dropped once it is half the array.
 */
class Line {
  private items: QueuedMessage[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  at(i: number): QueuedMessage {
    return this.items[this.head + i] as QueuedMessage;
  }

  push(m: QueuedMessage): void {
    this.items.push(m);
  }

  peek(): QueuedMessage | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): QueuedMessage | undefined {
    if (this.head >= this.items.length) return undefined;
    const m = this.items[this.head] as QueuedMessage;
    this.items[this.head] = undefined as never;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return m;
  }

  insert(i: number, m: QueuedMessage): void {
    this.items.splice(this.head + i, 0, m);
  }

  toArray(): QueuedMessage[] {
    return this.items.slice(this.head);
  }
}

/** The ready messages of one queue. */
export class ReadyMessages {
  /** Classic: priority → messages sorted by seqId. Quorum: 'messages' and 'returns' lines. */
  private readonly lines = new Map<number | QuorumLine, Line>();
  /** Line keys in service order, rebuilt only when a line is added. */
  private keys: Array<number | QuorumLine> = [];
  private count = 0;
  private bytes = 0;

  constructor(private readonly kind: 'classic' | 'quorum') {
    if (kind === 'quorum') this.keys = ['returns', 'messages'];
  }

  /** Number of ready messages (`messages_ready`). */
  get length(): number {
    return this.count;
  }

  /** Sum of ready message body sizes (`message_bytes_ready`). */
  get byteSize(): number {
    return this.bytes;
  }

  /** Appends a newly published message (it has the highest seqId so far). */
  append(m: QueuedMessage): void {
    this.line(this.kind === 'classic' ? m.priority : 'messages').push(m);
    this.added(m);
  }

  /** Classic requeue: back to its original position among messages of its priority. */
  insertBySeq(m: QueuedMessage): void {
    const line = this.line(m.priority);
    let lo = 0;
    let hi = line.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (line.at(mid).seqId < m.seqId) lo = mid + 1;
      else hi = mid;
    }
    line.insert(lo, m);
    this.added(m);
  }

  /** Quorum return: to the back of the `returns` line, served before new messages. */
  appendReturn(m: QueuedMessage): void {
    this.line('returns').push(m);
    this.added(m);
  }

  /** The message that would be delivered next. */
  peek(): QueuedMessage | undefined {
    if (this.count === 0) return undefined;
    return this.headLine()?.peek();
  }

  /** Removes and returns the head. */
  shift(): QueuedMessage | undefined {
    if (this.count === 0) return undefined;
    const m = this.headLine()?.shift();
    if (m !== undefined) {
      this.count -= 1;
      this.bytes -= m.message.bodySize;
    }
    return m;
  }

  /** All ready messages in delivery order, for inspectors and tests. */
  toArray(): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    for (const k of this.keys) {
      const line = this.lines.get(k);
      if (line !== undefined) for (const m of line.toArray()) out.push(m);
    }
    return out;
  }

  /** Empties the queue (`queue.purge`), returning what was removed in delivery order. */
  clear(): QueuedMessage[] {
    const all = this.toArray();
    this.lines.clear();
    if (this.kind === 'classic') this.keys = [];
    this.count = 0;
    this.bytes = 0;
    return all;
  }

  private added(m: QueuedMessage): void {
    this.count += 1;
    this.bytes += m.message.bodySize;
  }

  private line(key: number | QuorumLine): Line {
    let line = this.lines.get(key);
    if (line === undefined) {
      line = new Line();
      this.lines.set(key, line);
      // Classic: priorities high to low. Quorum: returns before messages (fixed).
      if (this.kind === 'classic') this.keys = [...this.lines.keys()].sort((a, b) => (b as number) - (a as number));
    }
    return line;
  }

  private headLine(): Line | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const line = this.lines.get(keys[i]!);
      if (line !== undefined && line.length > 0) return line;
    }
    return undefined;
  }
}
