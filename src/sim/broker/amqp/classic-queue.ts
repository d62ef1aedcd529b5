/**
 * A classic queue's process on its home node (`rabbit_amqqueue_process`): the pure
 * {@link QueueStore} plus what needs a node — timers for message TTL at the head and for
 * `x-expires`, the disk for persistent messages of a durable queue, exclusive consumers,
 * auto-delete, and the effects of each step (deliveries to channels, dead-lettering, confirms).
 *
 * Confirms (https://www.rabbitmq.com/docs/confirms#when-publishes-are-confirmed): a message is
 * confirmed once the queue has it — for a persistent message in a durable queue, once it is on
 * disk (after an fsync, batched) — and nacked when the queue refuses it (`x-overflow`
 * `reject-publish` / `reject-publish-dlx`).
 */

import type { Timer } from '../../kernel.ts';
import { resourceName } from './amqp-error.ts';
import { AmqpKinds } from './kinds.ts';
import { messageId, type AmqpMessage } from './message.ts';
import type { QueueRecord } from './metadata.ts';
import { messageExpiryAtMs } from './message-ttl.ts';
import type { GetResult, QueueCommand, QueueReply } from './protocol.ts';
import { QueueHistoryNames, type QueueHost } from './queue-host.ts';
import { QueueLog } from './queue-log.ts';
import type { QueueStep } from './queue-step.ts';
import { QueueStore } from './queue.ts';

/** A consumer as the process tracks it besides the store (for exclusivity and auto-delete). */
interface ConsumerInfo {
  readonly ch: string;
  readonly tag: string;
  readonly exclusive: boolean;
}

export class ClassicQueue {
  readonly store: QueueStore;
  /** Persistent messages on disk: message → log sequence. */
  private readonly persisted = new Map<AmqpMessage, number>();
  private readonly log: QueueLog | undefined;
  private readonly consumers = new Map<string, ConsumerInfo>();
  private hadConsumer = false;
  private ttlTimer: Timer | undefined;
  private ttlAtMs: number | undefined;
  private leaseTimer: Timer | undefined;
  private leaseAtMs: number | undefined;
  private deleted = false;
  /** What the per-message entries record for this queue and its channels. */
  private readonly historyNames: QueueHistoryNames;

  constructor(
    private readonly host: QueueHost,
    readonly record: QueueRecord,
    /** Global-prefetch gate of the channels on this node. */
    channelCanSend: ((channelId: string, ackRequired: boolean) => boolean) | undefined,
  ) {
    this.store = new QueueStore(record.config, host.nowMs(), host.config.queueLimits, channelCanSend);
    this.historyNames = new QueueHistoryNames(host, record.name);
    this.log = record.durable ? new QueueLog(host.node, record.name) : undefined;
  }

  get name(): string {
    return this.record.name;
  }

  /**
   * After a restart: reads the persistent messages back (all marked redelivered: a crash is a
   * dirty recovery) and applies TTL and limits to them.
   */
  recover(): void {
    if (this.log === undefined) return;
    const recovered = this.log.recover();
    const seqs = this.log.recoveredSeqs();
    recovered.forEach((r, i) => this.persisted.set(r.message, seqs[i]!));
    const step = this.store.restore(
      recovered.map((r) => ({
        message: r.message,
        expiresAtMs: messageExpiryAtMs(this.record.config, r.message, r.publishedAtMs),
        redelivered: true,
        deliveryCount: 0,
      })),
      this.host.nowMs(),
    );
    this.apply(step);
  }

  /** Every command a channel sends this queue. */
  handle(cmd: QueueCommand): void {
    if (this.deleted) {
      this.refuseDeleted(cmd);
      return;
    }
    switch (cmd.k) {
      case 'q.enq':
        this.enqueue(cmd.msg, cmd.ch, cmd.seq);
        return;
      case 'q.consume':
        this.consume(cmd);
        return;
      case 'q.cancel':
        this.cancel(cmd.ch, cmd.tag);
        return;
      case 'q.settle':
        this.settle(cmd.ch, cmd.tags, cmd.op, cmd.why);
        return;
      case 'q.chdown':
        this.channelDown(cmd.ch);
        return;
      case 'q.get':
        this.get(cmd.ch, cmd.noAck, cmd.rid);
        return;
      case 'q.purge':
        this.purge(cmd.ch, cmd.rid);
        return;
      case 'q.delete':
        this.delete(cmd.ch, cmd.rid, cmd.ifUnused, cmd.ifEmpty);
        return;
      case 'q.stat':
        if (cmd.redeclare) this.store.redeclared(this.host.nowMs());
        this.reply(cmd.ch, cmd.rid, this.stat());
        this.rearm();
        return;
      case 'q.resume':
        this.apply(this.store.channelResumed(cmd.ch, this.host.nowMs()));
        return;
    }
  }

  /** Ready and unacknowledged counts for `queue.declare-ok` and inspectors. */
  stat(): QueueReply {
    return { ok: true, messageCount: this.store.messagesReady, consumerCount: this.store.consumerCount };
  }

  /** Channels that consume from or hold deliveries of this queue. */
  channels(): string[] {
    const out = new Set<string>();
    for (const c of this.consumers.values()) out.add(c.ch);
    for (const u of this.store.unackedDeliveries()) out.add(u.channelId);
    return [...out];
  }

  /** Messages held (ready and unacknowledged) and their bytes, for the node's memory monitor. */
  memory(): { messages: number; bytes: number } {
    const s = this.store;
    return { messages: s.messagesReady + s.messagesUnacknowledged, bytes: s.messageBytesReady + s.messageBytesUnacknowledged };
  }

  /** Messages that a crash of this node loses: all of a transient queue, the transient ones of a durable queue. */
  volatileMessages(): AmqpMessage[] {
    const all = [...this.store.readyMessages().map((e) => e.message), ...this.store.unackedDeliveries().map((u) => u.message)];
    return all.filter((m) => !this.persisted.has(m));
  }

  /** A publish routed here (`seq` > 0: the channel wants a confirm). */
  enqueue(msg: AmqpMessage, ch: string, seq: number): void {
    const now = this.host.nowMs();
    const step = this.store.publish(msg, now);
    if (!step.accepted) {
      this.host.recordMessage(AmqpKinds.drop, { id: messageId(msg), q: this.name, reason: step.rejectedBecause === 'overflow' ? 'reject-publish' : 'queue-full' });
      if (seq > 0) this.host.toChannel({ k: 'ch.confirm', ch, q: this.name, seqs: [seq], ok: false });
      this.apply(step);
      return;
    }
    const persistent = this.log !== undefined && msg.properties.deliveryMode === 2;
    if (persistent) this.persisted.set(msg, this.log!.publish(msg, now));
    this.apply(step);
    if (seq > 0) {
      if (persistent) {
        const q = this.name;
        this.host.diskSync.sync((err) => this.host.toChannel({ k: 'ch.confirm', ch, q, seqs: [seq], ok: err === undefined }));
      } else this.host.toChannel({ k: 'ch.confirm', ch, q: this.name, seqs: [seq], ok: true });
    }
  }

  private consume(cmd: Extract<QueueCommand, { k: 'q.consume' }>): void {
    let exclusiveUse = false;
    for (const c of this.consumers.values()) if (c.exclusive) exclusiveUse = true;
    if (exclusiveUse || (cmd.exclusive && this.consumers.size > 0)) {
      this.reply(cmd.ch, cmd.rid, { ok: false, code: 403, text: `ACCESS_REFUSED - queue '${this.name}' in vhost '/' in exclusive use` });
      return;
    }
    const now = this.host.nowMs();
    const step = this.store.consume(
      { consumerTag: cmd.tag, channelId: cmd.ch, noAck: cmd.noAck, prefetchCount: cmd.prefetch, priority: cmd.priority },
      now,
    );
    if (!step.ok) {
      this.reply(cmd.ch, cmd.rid, { ok: false, code: 530, text: `NOT_ALLOWED - attempt to reuse consumer tag '${cmd.tag}'` });
      return;
    }
    this.consumers.set(`${cmd.ch}\u0000${cmd.tag}`, { ch: cmd.ch, tag: cmd.tag, exclusive: cmd.exclusive });
    this.hadConsumer = true;
    // consume-ok goes out before the first delivery, as RabbitMQ replies before it delivers.
    this.reply(cmd.ch, cmd.rid, this.stat());
    this.apply(step);
  }

  private cancel(ch: string, tag: string): void {
    if (!this.consumers.delete(`${ch}\u0000${tag}`)) return;
    this.apply(this.store.cancel(ch, tag, this.host.nowMs()));
    this.maybeAutoDelete();
  }

  /** The common case of an ack: one tag. */
  ackOne(tag: number): void {
    if (this.deleted) return;
    const u = this.store.unackedDelivery(tag);
    if (u !== undefined) {
      this.host.recordAck(u.entry.message, this.historyNames.q);
      if (this.persisted.size > 0) this.removed(u.entry.message);
    }
    const step = this.store.ackOne(tag, this.host.nowMs());
    if (step.deliveries.length > 0 || step.deadLetters.length > 0) this.apply(step);
    else this.rearm();
  }

  private settle(_ch: string, tags: readonly number[], op: 'ack' | 'reject' | 'requeue', why: 'recover' | undefined): void {
    const now = this.host.nowMs();
    for (let i = 0; i < tags.length; i++) {
      const u = this.store.unackedDelivery(tags[i]!);
      if (u === undefined) continue;
      const msg = u.entry.message;
      if (op === 'ack') {
        this.host.recordAck(msg, this.historyNames.q);
        if (this.persisted.size > 0) this.removed(msg);
      } else {
        this.host.recordMessage(AmqpKinds.nack, { id: messageId(msg), q: this.name, requeue: op === 'requeue' });
        if (op === 'requeue') this.host.recordMessage(AmqpKinds.requeue, { id: messageId(msg), q: this.name, why: why ?? 'nack' });
      }
    }
    this.apply(op === 'ack' ? this.store.ack(tags, now) : this.store.reject(tags, op === 'requeue', now));
  }

  /** The channel closed or its connection or node died: its consumers go, its deliveries come back. */
  channelDown(ch: string): void {
    for (const [key, c] of this.consumers) if (c.ch === ch) this.consumers.delete(key);
    for (const u of this.store.unackedDeliveries()) {
      if (u.channelId === ch) this.host.recordMessage(AmqpKinds.requeue, { id: messageId(u.message), q: this.name, why: 'channel-closed' });
    }
    this.apply(this.store.channelDown(ch, this.host.nowMs()));
    this.maybeAutoDelete();
  }

  private get(ch: string, noAck: boolean, rid: number): void {
    const now = this.host.nowMs();
    const step = this.store.get({ channelId: ch, noAck }, now);
    const d = step.delivery;
    let get: GetResult | undefined;
    if (d !== undefined) {
      this.host.recordDeliver(d.message, this.historyNames.q, this.historyNames.channel(ch), d.redelivered, noAck);
      if (d.ackTag === undefined) this.removed(d.message);
      get = { ackTag: d.ackTag, msg: d.message, redelivered: d.redelivered, deliveryCount: d.deliveryCount, messageCount: step.messageCount };
    }
    this.host.toChannel({ k: 'ch.reply', ch, rid, reply: this.stat(), ...(get === undefined ? {} : { get }) });
    this.apply(step);
  }

  private purge(ch: string, rid: number): void {
    const ready = this.store.readyMessages();
    const n = this.store.purge();
    for (const e of ready) {
      this.host.recordMessage(AmqpKinds.drop, { id: messageId(e.message), q: this.name, reason: 'purge' });
      this.removed(e.message);
    }
    this.reply(ch, rid, { ok: true, messageCount: n, consumerCount: this.store.consumerCount });
    this.rearm();
  }

  private delete(ch: string, rid: number, ifUnused: boolean, ifEmpty: boolean): void {
    const q = resourceName('queue', this.name);
    if (ifUnused && this.store.consumerCount > 0) {
      this.reply(ch, rid, { ok: false, code: 406, text: `PRECONDITION_FAILED - ${q} in use` });
      return;
    }
    if (ifEmpty && this.store.messagesReady > 0) {
      this.reply(ch, rid, { ok: false, code: 406, text: `PRECONDITION_FAILED - ${q} not empty` });
      return;
    }
    const n = this.store.messagesReady;
    this.reply(ch, rid, { ok: true, messageCount: n, consumerCount: 0 });
    this.destroy('deleted');
  }

  /** Deletes the queue: consumers are cancelled (they get `basic.cancel`), messages are gone. */
  destroy(why: string): void {
    if (this.deleted) return;
    this.deleted = true;
    for (const c of this.consumers.values()) this.host.toChannel({ k: 'ch.cancelled', ch: c.ch, q: this.name, tag: c.tag });
    this.consumers.clear();
    if (this.ttlTimer !== undefined) this.host.node.cancelTimer(this.ttlTimer);
    if (this.leaseTimer !== undefined) this.host.node.cancelTimer(this.leaseTimer);
    this.log?.destroy();
    this.host.queueDeleted(this.name, why);
  }

  /** Applies a step's effects: deliveries out, dead-letters republished, timers re-armed. */
  private apply(step: QueueStep): void {
    const q = this.name;
    const deliveries = step.deliveries;
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i]!;
      if (d.ackTag === undefined && this.persisted.size > 0) this.removed(d.message);
      this.host.recordDeliver(d.message, this.historyNames.q, this.historyNames.channel(d.channelId), d.redelivered, d.ackTag === undefined);
      this.host.deliver(q, d);
    }
    // An index loop: for-of here allocated an iterator per step, the empty list being a frozen array.
    const deadLetters = step.deadLetters;
    for (let i = 0; i < deadLetters.length; i++) {
      const dl = deadLetters[i]!;
      this.removed(dl.message);
      if (dl.reason === 'expired') this.host.recordMessage(AmqpKinds.expire, { id: messageId(dl.message), q });
      this.host.deadLetter(this.record, dl.message, dl.reason);
    }
    this.rearm();
  }

  /** A message left the queue for good: its disk copy goes too. */
  private removed(msg: AmqpMessage): void {
    const seq = this.persisted.get(msg);
    if (seq === undefined) return;
    this.persisted.delete(msg);
    this.log!.remove(seq);
  }

  private reply(ch: string, rid: number, reply: QueueReply): void {
    this.host.toChannel({ k: 'ch.reply', ch, rid, reply });
  }

  private refuseDeleted(cmd: QueueCommand): void {
    const text = `NOT_FOUND - no ${resourceName('queue', this.name)}`;
    if ('rid' in cmd) this.reply(cmd.ch, cmd.rid, { ok: false, code: 404, text });
    else if (cmd.k === 'q.enq' && cmd.seq > 0) this.host.toChannel({ k: 'ch.confirm', ch: cmd.ch, q: this.name, seqs: [cmd.seq], ok: true });
  }

  /** `auto_delete`: gone once it had a consumer and the last one left. */
  private maybeAutoDelete(): void {
    if (this.record.autoDelete && this.hadConsumer && this.consumers.size === 0) this.destroy('auto-delete');
  }

  /** Keeps the head-TTL timer and the `x-expires` timer where the store says. */
  private rearm(): void {
    if (this.deleted) return;
    const node = this.host.node;
    const ttlAt = this.store.nextExpiryAtMs();
    if (ttlAt !== this.ttlAtMs) {
      if (this.ttlTimer !== undefined) node.cancelTimer(this.ttlTimer);
      this.ttlTimer = undefined;
      this.ttlAtMs = ttlAt;
      if (ttlAt !== undefined) {
        this.ttlTimer = node.setTimer(Math.max(0, ttlAt * 1000 - node.nowUs), () => {
          this.ttlTimer = undefined;
          this.ttlAtMs = undefined;
          if (!this.deleted) this.apply(this.store.expire(this.host.nowMs()));
        });
      }
    }
    const leaseAt = this.store.expiresAtMs();
    if (leaseAt !== this.leaseAtMs) {
      if (this.leaseTimer !== undefined) node.cancelTimer(this.leaseTimer);
      this.leaseTimer = undefined;
      this.leaseAtMs = leaseAt;
      if (leaseAt !== undefined) {
        this.leaseTimer = node.setTimer(Math.max(0, leaseAt * 1000 - node.nowUs), () => {
          this.leaseTimer = undefined;
          this.leaseAtMs = undefined;
          if (this.deleted) return;
          if (this.store.isExpired(this.host.nowMs())) this.destroy('x-expires');
          else this.rearm();
        });
      }
    }
  }
}

