/**
 * One queue's pure message store and delivery logic: ready messages, unacknowledged deliveries,
 * consumers with prefetch, TTL, length limits, priorities, requeue and dead-letter candidates.
 * Modelled on RabbitMQ 3.13.7: `rabbit_amqqueue_process` + `rabbit_variable_queue` +
 * `rabbit_priority_queue` for classic queues, `rabbit_fifo` for quorum queues.
 *
 * It has no clock and no timers. Every operation takes `nowMs` (the broker node's clock) and
 * returns what should happen next: deliveries to send, messages to dead-letter (the node drops
 * them when the queue has no usable dead-letter exchange), whether a publish was accepted. The
 * node asks {@link QueueStore.nextExpiryAtMs} and {@link QueueStore.expiresAtMs} to schedule the
 * message-TTL and `x-expires` timers, and calls {@link QueueStore.expire} when they fire.
 *
 * Rules (sources in the tests):
 * - Message TTL is the lower of `x-message-ttl` and the message's `expiration`, fixed at enqueue
 *   and kept across requeues. A message expires when `now >= expiry`, but *only at the head of the
 *   queue*: expired messages behind a live one stay (and count) until they reach the head
 *   (https://www.rabbitmq.com/docs/3.13/ttl#message-ttl-applied-retroactively). Expired messages
 *   are never delivered. A TTL of 0 expires the message at once unless a consumer can take it
 *   immediately; a quorum queue gives it until the next millisecond (`update_expiry_header/3`).
 * - A new message goes straight to a consumer when the queue has no ready messages and a consumer
 *   can take it; otherwise it is enqueued, and only then are limits and TTL applied.
 * - `x-max-length` / `x-max-length-bytes` count ready messages only (unacked ones do not; bytes are
 *   body bytes). `drop-head` (default) enqueues and then drops or dead-letters (reason `maxlen`)
 *   from the head while over the limit — including after a requeue. `reject-publish` refuses a
 *   publish that would go over (publisher confirm: nack); `reject-publish-dlx` also dead-letters
 *   the refused message. Quorum queues' `reject-publish` is looser: the publish that crosses the
 *   limit is accepted, later ones are refused until the queue is back to 80 % of the limit.
 * - Classic priority queues: head = oldest message of the highest priority; priority absent = 0,
 *   above the maximum = the maximum. TTL and `drop-head` act on that head.
 * - Requeue (nack/reject with requeue, channel closed): classic queues put the message back at
 *   its original position with `redelivered = true`. Quorum queues count a delivery attempt;
 *   without `x-delivery-limit` a nack/reject-requeue goes to the *back* of the queue, with a limit
 *   (and always on channel close) to the returns line served first; a message returned more than
 *   `x-delivery-limit` times is dead-lettered with reason `delivery_limit`. RabbitMQ 3.13 has no
 *   default delivery limit (4.0 made it 20).
 * - Reject/nack without requeue dead-letters with reason `rejected`.
 */

import type { AmqpMessage } from './message.ts';
import { isBelowSoftLimit, isOverLimit, wouldOverflow } from './length-limit.ts';
import { messageExpiryAtMs } from './message-ttl.ts';
import { ConsumerRing, type ChannelCanSend, type ConsumerState } from './prefetch.ts';
import type { QueueConfig } from './queue-args.ts';
import { QueueLease } from './queue-lease.ts';
import {
  StepBuilder,
  type ConsumeRequest,
  type ConsumeStep,
  type Delivery,
  type GetStep,
  type PublishStep,
  type QueueStep,
} from './queue-step.ts';
import { ReadyMessages, type QueuedMessage } from './ready-messages.ts';
import { TagTable } from './tag-table.ts';

/** Upper bounds (STYLE §5): reaching one is a refused publish or consume, never unbounded growth. */
export interface QueueLimits {
  /** Ready plus unacknowledged messages. */
  readonly messagesMax: number;
  readonly consumersMax: number;
}

/** Defaults far above any lab's needs. */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { messagesMax: 1_000_000, consumersMax: 10_000 };

interface Unacked {
  readonly ackTag: number;
  readonly entry: QueuedMessage;
  readonly consumerTag: string | undefined;
  readonly channelId: string;
  /** The ring's record of the consumer it went to (undefined for `basic.get`). */
  readonly consumer: ConsumerState | undefined;
}

/** One queue. */
export class QueueStore {
  private readonly ready: ReadyMessages;
  /** By ack tag (handed out in increasing order); see tag-table.ts for why not a Map. */
  private readonly unacked = new TagTable<Unacked>();
  private readonly ring = new ConsumerRing();
  private readonly lease: QueueLease;
  private nextSeqId = 1;
  private nextAckTag = 1;
  /** Quorum `reject-publish`: enqueuers have been told to refuse publishes. */
  private rejectingPublishes = false;
  private unackedBytes = 0;

  constructor(
    readonly config: QueueConfig,
    createdAtMs: number,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
    /** Optional channel-wide (global) prefetch gate; see prefetch.ts. */
    private readonly channelCanSend?: ChannelCanSend,
  ) {
    this.ready = new ReadyMessages(config.type);
    this.lease = new QueueLease(config.expiresMs, config.type, createdAtMs);
  }

  get name(): string {
    return this.config.name;
  }

  /** `messages_ready`. */
  get messagesReady(): number {
    return this.ready.length;
  }

  /** `message_bytes_ready`. */
  get messageBytesReady(): number {
    return this.ready.byteSize;
  }

  /** Body bytes of unacknowledged deliveries. */
  get messageBytesUnacknowledged(): number {
    return this.unackedBytes;
  }

  /** `messages_unacknowledged`. */
  get messagesUnacknowledged(): number {
    return this.unacked.size;
  }

  /** Consumers currently registered. */
  get consumerCount(): number {
    return this.ring.size;
  }

  /** Ready messages in delivery order, for inspectors and tests. */
  readyMessages(): readonly QueuedMessage[] {
    return this.ready.toArray();
  }

  /** One unacknowledged delivery by its ack tag (what a settle is about to settle). */
  unackedDelivery(ackTag: number): { readonly entry: QueuedMessage; readonly channelId: string; readonly consumerTag: string | undefined } | undefined {
    return this.unacked.get(ackTag);
  }

  /** Unacknowledged deliveries in delivery order: ack tag, consumer, channel, message. */
  unackedDeliveries(): ReadonlyArray<{ ackTag: number; consumerTag: string | undefined; channelId: string; message: AmqpMessage }> {
    return [...this.unacked].map(([ackTag, u]) => ({
      ackTag,
      consumerTag: u.consumerTag,
      channelId: u.channelId,
      message: u.entry.message,
    }));
  }

  /** Registered consumers in registration order, with their prefetch and unacked counts. */
  consumers(): readonly { readonly channelId: string; readonly consumerTag: string; readonly prefetchCount: number; readonly unacked: number }[] {
    return this.ring.all();
  }

  /** The consumer line, in service order (prefetch-blocked consumers excluded). */
  consumerServiceOrder(): readonly string[] {
    return this.ring.serviceOrder().map((c) => c.consumerTag);
  }

  /** Unacked deliveries held by a consumer. */
  consumerUnacked(channelId: string, consumerTag: string): number {
    return this.ring.get(channelId, consumerTag)?.unacked ?? 0;
  }

  /** When the message at the head expires (the only one RabbitMQ sets a timer for). */
  nextExpiryAtMs(): number | undefined {
    return this.ready.peek()?.expiresAtMs;
  }

  /** The earliest time this queue may be deleted for `x-expires`. */
  expiresAtMs(): number | undefined {
    return this.lease.expiresAtMs();
  }

  /** A `queue.declare` of this existing queue (renews a classic queue's `x-expires` lease). */
  redeclared(nowMs: number): void {
    this.lease.redeclared(nowMs);
  }

  /** A message routed to this queue. */
  publish(message: AmqpMessage, nowMs: number): PublishStep {
    const step = new StepBuilder();
    if (this.ready.length + this.unacked.size >= this.limits.messagesMax) {
      return { deliveries: step.deliveries, deadLetters: step.deadLetters, accepted: false, rejectedBecause: 'store-limit' };
    }
    const { type, overflow } = this.config;
    if (type === 'classic' && overflow !== 'drop-head' && wouldOverflow(this.config, this.ready, message.bodySize)) {
      // maybe_deliver_or_enqueue/3: refused before any delivery attempt.
      if (overflow === 'reject-publish-dlx') step.deadLetter(message, 'maxlen');
      return { deliveries: step.deliveries, deadLetters: step.deadLetters, accepted: false, rejectedBecause: 'overflow' };
    }
    if (type === 'quorum' && overflow === 'reject-publish' && this.rejectingPublishes) {
      return { deliveries: step.deliveries, deadLetters: step.deadLetters, accepted: false, rejectedBecause: 'overflow' };
    }
    const entry: QueuedMessage = {
      seqId: this.nextSeqId++,
      message,
      priority: this.priorityOf(message),
      expiresAtMs: messageExpiryAtMs(this.config, message, nowMs),
      redelivered: false,
      deliveryCount: 0,
    };
    if (type === 'classic') {
      // attempt_delivery/4: only possible when nothing is waiting ahead of it.
      if (this.ready.length === 0) {
        const consumer = this.ring.take(this.channelCanSend);
        if (consumer !== undefined) {
          this.deliver(entry, consumer, consumer.channelId, consumer.ackRequired, step);
          return { deliveries: step.deliveries, deadLetters: step.deadLetters, accepted: true };
        }
      }
      this.ready.append(entry);
      this.dropHeadWhileOver(step);
      this.dropExpiredAtHead(nowMs, step);
    } else {
      // rabbit_fifo: enqueue, check out to consumers, then evaluate the limit.
      this.ready.append(entry);
      this.dispatch(nowMs, step);
      this.evaluateQuorumLimit(step);
    }
    return { deliveries: step.deliveries, deadLetters: step.deadLetters, accepted: true };
  }

  /**
   * Recovery: puts messages back as ready, in the order given, after a broker restart (classic
   * queues, from disk) or a quorum leader change. No consumers exist yet, so nothing is delivered;
   * limits and TTL are applied as when the queue resumes (`drop_expired_msgs` on init). Each
   * entry keeps its expiry instant, its redelivered flag and its delivery count.
   */
  restore(
    entries: ReadonlyArray<{ readonly message: AmqpMessage; readonly expiresAtMs?: number; readonly redelivered: boolean; readonly deliveryCount: number }>,
    nowMs: number,
  ): QueueStep {
    const step = new StepBuilder();
    for (const e of entries) {
      this.ready.append({
        seqId: this.nextSeqId++,
        message: e.message,
        priority: this.priorityOf(e.message),
        expiresAtMs: e.expiresAtMs,
        redelivered: e.redelivered,
        deliveryCount: e.deliveryCount,
      });
    }
    if (this.config.type === 'classic') this.dropHeadWhileOver(step);
    else this.evaluateQuorumLimit(step);
    this.dropExpiredAtHead(nowMs, step);
    return step.result();
  }

  /** The channel-wide (global) prefetch of this channel has room again: its consumers rejoin. */
  channelResumed(channelId: string, nowMs: number): QueueStep {
    const step = new StepBuilder();
    if (this.ring.resumeChannel(channelId)) this.dispatch(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** `basic.consume`: registers the consumer and delivers what it can. */
  consume(req: ConsumeRequest, nowMs: number): ConsumeStep {
    if (this.ring.get(req.channelId, req.consumerTag) !== undefined) return { ok: false, reason: 'duplicate-tag' };
    if (this.ring.size >= this.limits.consumersMax) return { ok: false, reason: 'consumer-limit' };
    this.ring.add({
      consumerTag: req.consumerTag,
      channelId: req.channelId,
      ackRequired: !req.noAck,
      prefetchCount: req.prefetchCount,
      priority: req.priority ?? 0,
    });
    this.updateLease(nowMs);
    const step = new StepBuilder();
    this.dispatch(nowMs, step);
    this.afterChange(step);
    return { deliveries: step.deliveries, deadLetters: step.deadLetters, ok: true };
  }

  /** `basic.cancel`: the consumer stops receiving; its unacked deliveries stay unacked. */
  cancel(channelId: string, consumerTag: string, nowMs: number): QueueStep {
    this.ring.remove(channelId, consumerTag);
    this.updateLease(nowMs);
    return new StepBuilder().result();
  }

  /** `basic.get`: the head message, or nothing. Not limited by prefetch. */
  get(req: { readonly channelId: string; readonly noAck: boolean }, nowMs: number): GetStep {
    const step = new StepBuilder();
    this.lease.basicGet(nowMs);
    this.dropExpiredAtHead(nowMs, step);
    const entry = this.ready.shift();
    let delivery: Delivery | undefined;
    if (entry !== undefined) {
      delivery = this.deliver(entry, undefined, req.channelId, !req.noAck, step);
      this.dropExpiredAtHead(nowMs, step);
    }
    this.afterChange(step);
    return { deliveries: step.deliveries, deadLetters: step.deadLetters, delivery, messageCount: this.ready.length };
  }

  /** `basic.ack` of these ack tags (unknown tags are ignored; the channel validates tags). */
  ack(ackTags: readonly number[], nowMs: number): QueueStep {
    const step = new StepBuilder();
    for (let i = 0; i < ackTags.length; i++) this.settleOne(ackTags[i]!);
    this.updateLease(nowMs);
    this.dispatch(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** `basic.ack` of one ack tag: {@link ack} without the arrays. */
  ackOne(ackTag: number, nowMs: number): QueueStep {
    const step = new StepBuilder();
    this.settleOne(ackTag);
    this.updateLease(nowMs);
    this.dispatch(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** Removes one unacked record and frees its consumer's prefetch slot. */
  private settleOne(tag: number): void {
    const u = this.unacked.get(tag);
    if (u === undefined) return;
    this.unacked.delete(tag);
    this.unackedBytes -= u.entry.message.bodySize;
    if (u.consumer !== undefined) this.ring.settledConsumer(u.consumer, 1);
  }

  /** `basic.nack` / `basic.reject` of these ack tags. */
  reject(ackTags: readonly number[], requeue: boolean, nowMs: number): QueueStep {
    const step = new StepBuilder();
    const taken = this.takeUnacked(ackTags);
    this.settleConsumers(taken);
    if (!requeue) {
      for (const u of taken) step.deadLetter(u.entry.message, 'rejected');
    } else if (this.config.type === 'classic') {
      this.requeueClassic(taken, nowMs, step);
    } else {
      this.returnQuorum(taken, this.config.deliveryLimit === undefined ? 'back' : 'returns', step);
    }
    this.updateLease(nowMs);
    this.dispatch(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** The channel closed (or its connection died): its consumers go, its deliveries come back. */
  channelDown(channelId: string, nowMs: number): QueueStep {
    const step = new StepBuilder();
    for (const c of this.ring.all()) if (c.channelId === channelId) this.ring.remove(channelId, c.consumerTag);
    const tags = [...this.unacked].filter(([, u]) => u.channelId === channelId).map(([tag]) => tag);
    const taken = this.takeUnacked(tags);
    if (this.config.type === 'classic') this.requeueClassic(taken, nowMs, step);
    else this.returnQuorum(taken, 'returns', step);
    this.updateLease(nowMs);
    this.dispatch(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** The message-TTL timer fired: expire what is due at the head, then deliver. */
  expire(nowMs: number): QueueStep {
    const step = new StepBuilder();
    this.dispatch(nowMs, step);
    this.dropExpiredAtHead(nowMs, step);
    this.afterChange(step);
    return step.result();
  }

  /** `queue.purge`: drops every ready message (unacked ones stay); returns how many. */
  purge(): number {
    const removed = this.ready.clear();
    if (this.config.type === 'quorum') this.evaluateQuorumLimit(new StepBuilder());
    return removed.length;
  }

  /** Has the queue been unused for its `x-expires`? (Its messages are not dead-lettered.) */
  isExpired(nowMs: number): boolean {
    return this.lease.isExpired(nowMs);
  }

  /** Hands a message out; records it as unacked when an ack is expected. */
  private deliver(
    entry: QueuedMessage,
    consumer: ConsumerState | undefined,
    channelId: string,
    ackRequired: boolean,
    step: StepBuilder,
  ): Delivery {
    const consumerTag = consumer?.consumerTag;
    const redelivered = this.config.type === 'classic' ? entry.redelivered : entry.deliveryCount > 0;
    let ackTag: number | undefined;
    if (ackRequired) {
      ackTag = this.nextAckTag++;
      // Kept as it was; a requeue marks it redelivered then.
      this.unacked.set(ackTag, { ackTag, entry, consumerTag, channelId, consumer });
      this.unackedBytes += entry.message.bodySize;
    }
    const delivery: Delivery = {
      queue: this.config.name,
      consumerTag,
      channelId,
      ackTag,
      message: entry.message,
      redelivered,
      deliveryCount: entry.deliveryCount,
    };
    if (consumerTag !== undefined) step.deliver(delivery);
    return delivery;
  }

  /** run_message_queue / checkout: deliver ready messages while some consumer can take one. */
  private dispatch(nowMs: number, step: StepBuilder): void {
    for (;;) {
      this.dropExpiredAtHead(nowMs, step);
      if (this.ready.length === 0) return;
      const consumer = this.ring.take(this.channelCanSend);
      if (consumer === undefined) return;
      const entry = this.ready.shift() as QueuedMessage;
      this.deliver(entry, consumer, consumer.channelId, consumer.ackRequired, step);
    }
  }

  /** Removes these unacked records (known tags only), in the order given. */
  private takeUnacked(ackTags: readonly number[]): Unacked[] {
    const taken: Unacked[] = [];
    for (const tag of ackTags) {
      const u = this.unacked.get(tag);
      if (u === undefined) continue;
      this.unacked.delete(tag);
      this.unackedBytes -= u.entry.message.bodySize;
      taken.push(u);
    }
    return taken;
  }

  /** Frees prefetch slots of the consumers these deliveries went to. */
  private settleConsumers(settled: readonly Unacked[]): void {
    for (const u of settled) {
      if (u.consumer !== undefined) this.ring.settledConsumer(u.consumer, 1);
    }
  }

  /** Classic requeue: original position, redelivered; then limits and TTL as `requeue_and_run`. */
  private requeueClassic(taken: readonly Unacked[], nowMs: number, step: StepBuilder): void {
    for (const u of taken) this.ready.insertBySeq({ ...u.entry, redelivered: true });
    this.dropHeadWhileOver(step);
    this.dropExpiredAtHead(nowMs, step);
  }

  /**
   * Quorum return (`return_one/6` or the `#requeue{}` command): one more delivery attempt counted;
   * over the limit it is dead-lettered, else it rejoins the queue. Processed in delivery order
   * (RabbitMQ sorts returned message ids).
   */
  private returnQuorum(taken: readonly Unacked[], where: 'back' | 'returns', step: StepBuilder): void {
    const limit = this.config.deliveryLimit;
    const ordered = [...taken].sort((a, b) => a.ackTag - b.ackTag);
    for (const u of ordered) {
      const count = u.entry.deliveryCount + 1;
      if (where === 'returns' && limit !== undefined && count > limit) {
        step.deadLetter(u.entry.message, 'delivery_limit');
        continue;
      }
      if (where === 'back') {
        this.ready.append({ ...u.entry, seqId: this.nextSeqId++, deliveryCount: count, redelivered: true });
      } else {
        this.ready.appendReturn({ ...u.entry, deliveryCount: count, redelivered: true });
      }
    }
  }

  /** Classic `maybe_drop_head/1`: only in `drop-head` mode. */
  private dropHeadWhileOver(step: StepBuilder): void {
    if (this.config.overflow !== 'drop-head') return;
    while (isOverLimit(this.config, this.ready)) {
      const head = this.ready.shift() as QueuedMessage;
      step.deadLetter(head.message, 'maxlen');
    }
  }

  /** Quorum `evaluate_limit/5`. */
  private evaluateQuorumLimit(step: StepBuilder): void {
    const { maxLength, maxLengthBytes, overflow } = this.config;
    if (maxLength === undefined && maxLengthBytes === undefined) return;
    if (overflow === 'drop-head') {
      while (isOverLimit(this.config, this.ready)) {
        const head = this.ready.shift() as QueuedMessage;
        step.deadLetter(head.message, 'maxlen');
      }
      return;
    }
    if (isOverLimit(this.config, this.ready)) this.rejectingPublishes = true;
    else if (this.rejectingPublishes && isBelowSoftLimit(this.config, this.ready)) this.rejectingPublishes = false;
  }

  private afterChange(step: StepBuilder): void {
    if (this.config.type === 'quorum') this.evaluateQuorumLimit(step);
  }

  /** `drop_expired_msgs/2`: only the head is ever looked at. */
  private dropExpiredAtHead(nowMs: number, step: StepBuilder): void {
    for (;;) {
      const head = this.ready.peek();
      if (head?.expiresAtMs === undefined || nowMs < head.expiresAtMs) return;
      this.ready.shift();
      step.deadLetter(head.message, 'expired');
    }
  }

  /** Effective priority: 0 without `x-max-priority`; absent → 0; above the maximum → maximum. */
  private priorityOf(message: AmqpMessage): number {
    const max = this.config.maxPriority;
    if (max === undefined) return 0;
    const p = message.properties.priority ?? 0;
    return Math.min(p, max);
  }

  /** A queue is in use while it has consumers (quorum: or a cancelled one still holds messages). */
  private updateLease(nowMs: number): void {
    let inUse = this.ring.size > 0;
    if (!inUse && this.config.type === 'quorum') {
      for (const u of this.unacked.values()) {
        if (u.consumerTag !== undefined) {
          inUse = true;
          break;
        }
      }
    }
    this.lease.setInUse(inUse, nowMs);
  }
}
