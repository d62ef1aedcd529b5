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

/** The ready messages of one queue. */
export class ReadyMessages {
  /** Classic: priority → messages sorted by seqId. Quorum: 'messages' and 'returns' lines. */
  private readonly lines = new Map<number | QuorumLine, QueuedMessage[]>();
  private count = 0;
  private bytes = 0;

  constructor(private readonly kind: 'classic' | 'quorum') {}

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
      if ((line[mid] as QueuedMessage).seqId < m.seqId) lo = mid + 1;
      else hi = mid;
    }
    line.splice(lo, 0, m);
    this.added(m);
  }

  /** Quorum return: to the back of the `returns` line, served before new messages. */
  appendReturn(m: QueuedMessage): void {
    this.line('returns').push(m);
    this.added(m);
  }

  /** The message that would be delivered next. */
  peek(): QueuedMessage | undefined {
    const line = this.headLine();
    return line?.[0];
  }

  /** Removes and returns the head. */
  shift(): QueuedMessage | undefined {
    const line = this.headLine();
    const m = line?.shift();
    if (m !== undefined) {
      this.count -= 1;
      this.bytes -= m.message.bodySize;
    }
    return m;
  }

  /** All ready messages in delivery order, for inspectors and tests. */
  toArray(): QueuedMessage[] {
    return this.orderedKeys().flatMap((k) => [...(this.lines.get(k) ?? [])]);
  }

  /** Empties the queue (`queue.purge`), returning what was removed in delivery order. */
  clear(): QueuedMessage[] {
    const all = this.toArray();
    this.lines.clear();
    this.count = 0;
    this.bytes = 0;
    return all;
  }

  private added(m: QueuedMessage): void {
    this.count += 1;
    this.bytes += m.message.bodySize;
  }

  private line(key: number | QuorumLine): QueuedMessage[] {
    let line = this.lines.get(key);
    if (line === undefined) {
      line = [];
      this.lines.set(key, line);
    }
    return line;
  }

  private headLine(): QueuedMessage[] | undefined {
    for (const key of this.orderedKeys()) {
      const line = this.lines.get(key);
      if (line !== undefined && line.length > 0) return line;
    }
    return undefined;
  }

  /** Classic: priorities high to low. Quorum: returns before messages. */
  private orderedKeys(): Array<number | QuorumLine> {
    if (this.kind === 'quorum') return ['returns', 'messages'];
    return [...this.lines.keys()].sort((a, b) => (b as number) - (a as number));
  }
}
