/**
 * A channel as the broker runs it (`rabbit_channel`): it validates and routes publishes, tracks
 * publisher confirms, maps its delivery tags onto the queues' ack tags, enforces `basic.qos`,
 * answers declarations, and closes itself with RabbitMQ's error when a learner's call is wrong.
 *
 * Methods are handled one at a time and in order: when one has to wait for a queue on another node
 * (or a quorum queue's log) the channel holds the frames behind it, as RabbitMQ's channel process
 * does while it waits on a call.
 *
 * Rules with their sources:
 * - Confirms: unroutable → ack at once, after the `basic.return` when mandatory; routed → ack once
 *   every queue accepted, nack if any refused or was lost; acks below the lowest outstanding
 *   sequence number go out as one `multiple` ack (`rabbit_channel:coalesce_and_send/4`;
 *   https://www.rabbitmq.com/docs/confirms#server-sent-acks).
 * - Acks: an unknown delivery tag (or acking twice) closes the channel with 406; `multiple` covers
 *   every outstanding tag up to the one given, which must itself be outstanding
 *   (`collect_acks/5`); tag 0 with `multiple` means all.
 * - Prefetch: per consumer for consumers created after `basic.qos` (global=false); with
 *   global=true, for the whole channel (https://www.rabbitmq.com/docs/consumer-prefetch).
 * - A closed channel's unacknowledged deliveries go back to their queues, its consumers are
 *   cancelled (https://www.rabbitmq.com/docs/confirms#automatic-requeueing).
 * - `consumer_timeout`: an ack that does not come in time closes the channel with 406.
 */

import { amqpError, resourceName, type AmqpError } from './amqp-error.ts';
import { tableLookup } from './field-value.ts';
import type { ExchangeType } from './exchange.ts';
import { AmqpKinds } from './kinds.ts';
import { messageId, publishMessage, type AmqpMessage } from './message.ts';
import { parseQueueArguments } from './queue-args.ts';
import { checkEquivalence, checkExclusiveAccess, checkQueueName, checkQuorumProperties, declaredType, serverName } from './queue-declare.ts';
import type { QueueRecord } from './metadata.ts';
import type { ChannelEvent, ClientFrame, QueueCommand, RpcMethod, ServerFrame } from './protocol.ts';
import type { RabbitNode } from './rabbit-node.ts';
import type { ServerConnection } from './server-connection.ts';
import { TagTable } from './tag-table.ts';

type ChannelState = 'open' | 'closing';

interface PendingAck {
  readonly q: string;
  readonly ackTag: number;
  readonly consumer: string | undefined;
  readonly deliveredUs: number;
  readonly quorum: boolean;
}

/** A method waiting for a queue's answer. */
interface Waiting {
  readonly rid: number;
  readonly method: RpcMethod;
  readonly q: string;
  /** The node asked (classic queues), so the wait fails if that node goes down. */
  readonly node: string | undefined;
  readonly then: 'declare' | 'consume' | 'get' | 'purge' | 'delete';
  readonly consumerTag?: string;
  readonly noAck?: boolean;
}

/** Commands to one quorum queue not yet applied by its leader, for resending after a leader change. */
interface QuorumOutbox {
  nextQs: number;
  cmds: QueueCommand[];
  lastProgressUs: number;
}

const EXCHANGE_TYPES: readonly string[] = ['direct', 'fanout', 'topic', 'headers'];

export class ServerChannel {
  state: ChannelState = 'open';
  private confirm = false;
  private publishSeq = 0;
  /** seq → queues that have not answered yet, and whether any refused. */
  private readonly unconfirmed = new Map<number, { pending: Set<string>; rejected: boolean }>();
  private readonly toAck: number[] = [];
  private readonly toNack: number[] = [];
  private confirmFlushScheduled = false;
  private prefetchCount = 0;
  private prefetchGlobal = 0;
  readonly consumers = new Map<string, { readonly q: string; readonly noAck: boolean }>();
  private nextDeliveryTag = 1;
  /** By delivery tag (handed out in increasing order); see tag-table.ts for why not a Map. */
  readonly unacked = new TagTable<PendingAck>();
  private readonly quorumDelivered = new Set<string>();
  private waiting: Waiting | undefined;
  private readonly inbox: ClientFrame[] = [];
  private nextRid = 1;
  /** Queues this channel consumed from or got from: they are told when it closes. */
  private readonly touched = new Set<string>();
  private readonly quorumOut = new Map<string, QuorumOutbox>();
  private mostRecentQueue = '';
  private blockedByGlobalPrefetch = false;
  /** Deliveries the global-prefetch gate allowed that have not reached this channel yet. */
  private reserved = 0;

  constructor(
    readonly id: string,
    readonly number: number,
    readonly conn: ServerConnection,
    private readonly host: RabbitNode,
  ) {}

  private send(frame: ServerFrame): void {
    this.conn.send(frame);
  }

  // ------------------------------------------------------------ client frames

  handle(frame: ClientFrame): void {
    if (this.state === 'closing') {
      if (frame.m === 'channel.close-ok') this.conn.forgetChannel(this.number);
      else if (frame.m === 'channel.close') this.send({ m: 'channel.close-ok', ch: this.number });
      return;
    }
    if (this.waiting !== undefined) {
      this.inbox.push(frame);
      return;
    }
    this.dispatch(frame);
  }

  private dispatch(f: ClientFrame): void {
    switch (f.m) {
      case 'basic.publish':
        this.publish(f);
        return;
      case 'basic.ack':
        this.settle(f.deliveryTag, f.multiple, 'ack', 'basic.ack');
        return;
      case 'basic.nack':
        this.settle(f.deliveryTag, f.multiple, f.requeue ? 'requeue' : 'reject', 'basic.nack');
        return;
      case 'basic.reject':
        this.settle(f.deliveryTag, false, f.requeue ? 'requeue' : 'reject', 'basic.reject');
        return;
      case 'channel.close':
        this.down();
        this.send({ m: 'channel.close-ok', ch: this.number });
        this.conn.forgetChannel(this.number);
        return;
      case 'confirm.select':
        this.confirm = true;
        this.send({ m: 'confirm.select-ok', ch: this.number });
        return;
      case 'basic.qos':
        if (f.global) this.prefetchGlobal = f.prefetchCount;
        else this.prefetchCount = f.prefetchCount;
        this.send({ m: 'basic.qos-ok', ch: this.number });
        return;
      case 'exchange.declare':
        this.exchangeDeclare(f);
        return;
      case 'exchange.delete':
        this.exchangeDelete(f);
        return;
      case 'exchange.bind':
      case 'exchange.unbind':
      case 'queue.bind':
      case 'queue.unbind':
        this.bind(f);
        return;
      case 'queue.declare':
        this.queueDeclare(f);
        return;
      case 'queue.purge':
        this.queueRpc(f.m, f.queue, 'purge', (q, rid) => ({ k: 'q.purge', q, ch: this.id, rid }));
        return;
      case 'queue.delete':
        this.queueDelete(f);
        return;
      case 'basic.consume':
        this.consume(f);
        return;
      case 'basic.cancel':
        this.cancel(f.consumerTag);
        return;
      case 'basic.get':
        this.queueRpc(f.m, f.queue, 'get', (q, rid) => ({ k: 'q.get', q, ch: this.id, noAck: f.noAck, rid }), { noAck: f.noAck });
        return;
      case 'basic.recover':
        this.recover();
        return;
      default:
        return;
    }
  }

  /** Closes the channel with an error, as `rabbit_channel:handle_exception/2` does. */
  fail(error: AmqpError, method: Extract<ServerFrame, { m: 'channel.close' }>['method']): void {
    if (this.state !== 'open') return;
    this.host.record(AmqpKinds.channelClose, { ch: this.id, code: error.replyCode, text: error.replyText });
    this.down();
    this.state = 'closing';
    this.send({ m: 'channel.close', ch: this.number, code: error.replyCode, text: error.replyText, method });
  }

  // ------------------------------------------------------------ publish and confirms

  private publish(f: Extract<ClientFrame, { m: 'basic.publish' }>): void {
    this.conn.published();
    // The frame carries every field of a publish input.
    const built = publishMessage(f);
    if (!built.ok) return this.fail(built.error, 'basic.publish');
    const msg = built.value;
    const route = this.host.metadata.routes.publishMessage(f.exchange, msg, f.mandatory);
    if (route.kind === 'channel-error') return this.fail(route.error, 'basic.publish');
    const queues = route.trace.queues;
    this.host.recordRoute(msg, route);
    const seq = this.confirm ? ++this.publishSeq : 0;
    if (queues.length === 0) {
      if (route.kind === 'unroutable' && route.basicReturn !== undefined) {
        this.host.record(AmqpKinds.return, { id: messageId(msg), exchange: f.exchange, routingKey: f.routingKey });
        const r = route.basicReturn;
        this.send({ m: 'basic.return', ch: this.number, replyCode: r.replyCode, replyText: r.replyText, exchange: r.exchange, routingKey: r.routingKey, message: msg, deliveryCount: 0 });
      }
      if (seq > 0) this.settleConfirm(seq, true);
      return;
    }
    if (seq > 0) this.unconfirmed.set(seq, { pending: new Set(queues), rejected: false });
    for (let i = 0; i < queues.length; i++) this.enqueue(queues[i]!, msg, seq);
  }

  /** Hands a routed message to one queue, wherever it is. */
  private enqueue(q: string, msg: AmqpMessage, seq: number): void {
    const record = this.host.metadata.queue(q);
    if (record === undefined) {
      if (seq > 0) this.queueConfirmed(q, [seq], true);
      return;
    }
    if (record.type === 'quorum') {
      this.sendQuorum(record, { k: 'q.enq', q, ch: this.id, seq, msg });
      return;
    }
    if (!this.host.enqueueClassic(record, msg, this.id, seq) && seq > 0) this.queueConfirmed(q, [seq], false);
  }

  /** A queue answered for these publishes (or was lost: `ok` false). */
  queueConfirmed(q: string, seqs: readonly number[], ok: boolean): void {
    for (const seq of seqs) {
      const u = this.unconfirmed.get(seq);
      if (u === undefined || !u.pending.delete(q)) continue;
      if (!ok) u.rejected = true;
      if (u.pending.size > 0) continue;
      this.unconfirmed.delete(seq);
      this.settleConfirm(seq, !u.rejected);
    }
  }

  private settleConfirm(seq: number, ok: boolean): void {
    (ok ? this.toAck : this.toNack).push(seq);
    if (this.confirmFlushScheduled) return;
    this.confirmFlushScheduled = true;
    this.host.node.setTimer(0, this.flushConfirms);
  }

  /** `send_confirms_and_nacks/1`: acks first, then nacks, each coalesced below the lowest outstanding. */
  private readonly flushConfirms = (): void => {
    this.confirmFlushScheduled = false;
    if (this.state !== 'open') return;
    const acks = this.toAck.splice(0).sort((a, b) => a - b);
    const nacks = this.toNack.splice(0).sort((a, b) => a - b);
    if (acks.length === 1) this.send({ m: 'basic.ack', ch: this.number, deliveryTag: acks[0]!, multiple: false });
    else if (acks.length > 1) this.coalesce(acks, nacks, 'basic.ack');
    if (nacks.length > 0) this.coalesce(nacks, acks, 'basic.nack');
  };

  private coalesce(seqs: number[], negatives: number[], m: 'basic.ack' | 'basic.nack'): void {
    let cutoff = seqs[seqs.length - 1]! + 1;
    for (const s of this.unconfirmed.keys()) {
      cutoff = Math.min(cutoff, s);
      break;
    }
    for (const s of negatives) cutoff = Math.min(cutoff, s);
    let i = 0;
    while (i < seqs.length && seqs[i]! < cutoff) i++;
    if (i > 0) this.send({ m, ch: this.number, deliveryTag: seqs[i - 1]!, multiple: true });
    for (; i < seqs.length; i++) this.send({ m, ch: this.number, deliveryTag: seqs[i]!, multiple: false });
  }

  // ------------------------------------------------------------ deliveries, acks

  /** Events from queues: deliveries, confirms, replies, applied commands, cancellations. */
  onEvent(ev: ChannelEvent): void {
    switch (ev.k) {
      case 'ch.deliver':
        this.deliver(ev);
        return;
      case 'ch.confirm':
        this.queueConfirmed(ev.q, ev.seqs, ev.ok);
        return;
      case 'ch.reply':
        this.reply(ev);
        return;
      case 'ch.applied': {
        const out = this.quorumOut.get(ev.q);
        if (out === undefined) return;
        let i = 0;
        while (i < out.cmds.length && ((out.cmds[i] as { qs?: number }).qs ?? 0) <= ev.upTo) i++;
        if (i > 0) out.cmds.splice(0, i);
        out.lastProgressUs = this.host.node.nowUs;
        return;
      }
      case 'ch.cancelled':
        if (this.consumers.get(ev.tag)?.q !== ev.q) return;
        this.consumers.delete(ev.tag);
        this.recordCancel(ev.q, ev.tag, 'queue-gone');
        if (this.state === 'open') this.send({ m: 'basic.cancel', ch: this.number, consumerTag: ev.tag });
        return;
    }
  }

  private deliver(ev: Extract<ChannelEvent, { k: 'ch.deliver' }>): void {
    this.deliverFrom(ev.q, ev.tag, ev.ackTag, ev.msg, ev.redelivered, ev.deliveryCount, ev.qq === true);
  }

  /** A queue's delivery to one of this channel's consumers: a delivery tag, then `basic.deliver`. */
  deliverFrom(q: string, tag: string | undefined, ackTag: number | undefined, msg: AmqpMessage, redelivered: boolean, deliveryCount: number, qq: boolean): void {
    if (this.state !== 'open' || tag === undefined) return;
    let quorum = false;
    if (qq && ackTag !== undefined) {
      // A new quorum leader sends checked-out messages again: keep the first.
      const key = `${q}\u0000${ackTag}`;
      if (this.quorumDelivered.has(key)) return;
      this.quorumDelivered.add(key);
      quorum = true;
    }
    const deliveryTag = this.nextDeliveryTag++;
    if (ackTag !== undefined) {
      if (this.reserved > 0) this.reserved--;
      this.unacked.set(deliveryTag, { q, ackTag, consumer: tag, deliveredUs: this.host.node.nowUs, quorum });
    }
    this.send({ m: 'basic.deliver', ch: this.number, consumerTag: tag, deliveryTag, redelivered, message: msg, deliveryCount });
  }

  /** `basic.ack` / `basic.nack` / `basic.reject` (`collect_acks/3`). */
  private settle(tag: number, multiple: boolean, op: 'ack' | 'reject' | 'requeue', method: 'basic.ack' | 'basic.nack' | 'basic.reject'): void {
    if (!multiple) {
      const p = this.unacked.get(tag);
      if (p === undefined) return this.fail(amqpError('PRECONDITION_FAILED', `unknown delivery tag ${tag}`), method);
      this.unacked.delete(tag);
      if (op === 'ack' && !p.quorum && this.prefetchGlobal === 0) {
        const record = this.host.metadata.queue(p.q);
        if (record !== undefined) this.host.ackClassic(record, this.id, p.ackTag);
        return;
      }
      this.sendSettles([p], op, undefined);
      return;
    }
    const taken: PendingAck[] = [];
    if (tag === 0) {
      for (const p of this.unacked.values()) taken.push(p);
      this.unacked.clear();
    } else {
      // The tag itself must be outstanding, even with `multiple`.
      if (!this.unacked.has(tag)) return this.fail(amqpError('PRECONDITION_FAILED', `unknown delivery tag ${tag}`), method);
      for (const [t, p] of this.unacked) {
        if (t > tag) break;
        taken.push(p);
        this.unacked.delete(t);
      }
    }
    this.sendSettles(taken, op, undefined);
  }

  private sendSettles(taken: readonly PendingAck[], op: 'ack' | 'reject' | 'requeue', why: 'recover' | undefined): void {
    // One command per run of deliveries from the same queue, tags in delivery order.
    let i = 0;
    while (i < taken.length) {
      const q = taken[i]!.q;
      const tags: number[] = [];
      while (i < taken.length && taken[i]!.q === q) {
        const p = taken[i++]!;
        if (p.quorum) this.quorumDelivered.delete(`${p.q}\u0000${p.ackTag}`);
        tags.push(p.ackTag);
      }
      const record = this.host.metadata.queue(q);
      if (record === undefined) continue;
      const cmd: QueueCommand = why === undefined ? { k: 'q.settle', q, ch: this.id, tags, op } : { k: 'q.settle', q, ch: this.id, tags, op, why };
      if (record.type === 'quorum') this.sendQuorum(record, cmd);
      else this.host.sendClassic(record, cmd);
    }
    if (this.prefetchGlobal > 0 && this.blockedByGlobalPrefetch && this.unacked.size < this.prefetchGlobal) {
      this.blockedByGlobalPrefetch = false;
      for (const c of this.consumers.values()) {
        const record = this.host.metadata.queue(c.q);
        if (record?.type === 'classic') this.host.sendClassic(record, { k: 'q.resume', q: c.q, ch: this.id });
      }
    }
  }

  /** The global prefetch gate the node's classic queues ask before delivering to this channel. */
  canSend(ackRequired: boolean): boolean {
    if (!ackRequired || this.prefetchGlobal === 0) return true;
    if (this.unacked.size + this.reserved < this.prefetchGlobal) {
      this.reserved++;
      return true;
    }
    this.blockedByGlobalPrefetch = true;
    return false;
  }

  /** `basic.recover` with requeue: every outstanding delivery goes back to its queue. */
  private recover(): void {
    const taken = [...this.unacked.values()];
    this.unacked.clear();
    this.sendSettles(taken, 'requeue', 'recover');
    this.send({ m: 'basic.recover-ok', ch: this.number });
  }

  // ------------------------------------------------------------ consumers

  private consume(f: Extract<ClientFrame, { m: 'basic.consume' }>): void {
    const q = this.expand(f.queue);
    if (q === undefined) return;
    const record = this.lookupQueue(q, 'basic.consume');
    if (record === undefined) return;
    const tag = f.consumerTag === '' ? serverName('amq.ctag', this.host.node.rng) : f.consumerTag;
    if (this.consumers.has(tag)) {
      this.conn.fail(530, `NOT_ALLOWED - attempt to reuse consumer tag '${tag}'`);
      return;
    }
    const priority = tableLookup(f.arguments, 'x-priority');
    const rid = this.nextRid++;
    this.touched.add(q);
    const cmd: QueueCommand = {
      k: 'q.consume',
      q,
      ch: this.id,
      tag,
      noAck: f.noAck,
      prefetch: this.prefetchCount,
      priority: priority !== undefined && typeof (priority as { value?: unknown }).value === 'number' ? ((priority as { value: number }).value) : 0,
      exclusive: f.exclusive,
      rid,
    };
    this.wait({ rid, method: 'basic.consume', q, node: record.type === 'classic' ? record.home : undefined, then: 'consume', consumerTag: tag, noAck: f.noAck }, record, cmd);
  }

  private recordConsume(q: string, consumer: string, noAck: boolean): void {
    const data: Record<string, unknown> = { q, ch: this.id, consumer };
    if (noAck) data.noAck = true;
    this.host.record(AmqpKinds.consume, data);
  }

  private recordCancel(q: string, consumer: string, why: 'cancel' | 'channel-closed' | 'queue-gone' | 'node-down'): void {
    this.host.record(AmqpKinds.cancel, { q, ch: this.id, consumer, why });
  }

  private cancel(tag: string): void {
    const c = this.consumers.get(tag);
    if (c !== undefined) {
      this.consumers.delete(tag);
      this.recordCancel(c.q, tag, 'cancel');
      const record = this.host.metadata.queue(c.q);
      if (record !== undefined) {
        const cmd: QueueCommand = { k: 'q.cancel', q: c.q, ch: this.id, tag };
        if (record.type === 'quorum') this.sendQuorum(record, cmd);
        else this.host.sendClassic(record, cmd);
      }
    }
    this.send({ m: 'basic.cancel-ok', ch: this.number, consumerTag: tag });
  }

  // ------------------------------------------------------------ exchanges, bindings

  private exchangeDeclare(f: Extract<ClientFrame, { m: 'exchange.declare' }>): void {
    const t = this.host.metadata.topology;
    if (f.passive) {
      if (t.exchange(f.exchange) === undefined) return this.fail(amqpError('NOT_FOUND', `no ${resourceName('exchange', f.exchange)}`), 'exchange.declare');
      this.send({ m: 'exchange.declare-ok', ch: this.number });
      return;
    }
    if (!EXCHANGE_TYPES.includes(f.type)) {
      return this.fail({ replyCode: 503, replyName: 'NOT_IMPLEMENTED', replyText: `COMMAND_INVALID - unknown exchange type '${f.type}'` }, 'exchange.declare');
    }
    const r = t.declareExchange({ name: f.exchange, type: f.type as ExchangeType, durable: f.durable, autoDelete: f.autoDelete, internal: f.internal, arguments: f.arguments });
    if (!r.ok) return this.fail(r.error, 'exchange.declare');
    this.send({ m: 'exchange.declare-ok', ch: this.number });
  }

  private exchangeDelete(f: Extract<ClientFrame, { m: 'exchange.delete' }>): void {
    const t = this.host.metadata.topology;
    if (f.ifUnused && t.exchange(f.exchange) !== undefined && t.bindingsFrom(f.exchange).length > 0) {
      return this.fail(amqpError('PRECONDITION_FAILED', `${resourceName('exchange', f.exchange)} in use`), 'exchange.delete');
    }
    const r = t.deleteExchange(f.exchange);
    if (!r.ok) return this.fail(r.error, 'exchange.delete');
    this.send({ m: 'exchange.delete-ok', ch: this.number });
  }

  private bind(f: Extract<ClientFrame, { m: 'exchange.bind' | 'exchange.unbind' | 'queue.bind' | 'queue.unbind' }>): void {
    const t = this.host.metadata.topology;
    const toQueue = f.m === 'queue.bind' || f.m === 'queue.unbind';
    let destination: string;
    let source: string;
    if ('queue' in f) {
      const q = this.expand(f.queue);
      if (q === undefined) return;
      destination = q;
      source = f.exchange;
      const record = this.host.metadata.queue(q);
      if (record !== undefined) {
        const locked = checkExclusiveAccess(record, this.conn.id);
        if (locked !== undefined) return this.fail(locked, f.m);
      }
    } else {
      destination = f.destination;
      source = f.source;
    }
    // An empty routing key on queue.bind means the queue's name (`expand_routing_key_shortcut/3`).
    const routingKey = toQueue && f.routingKey === '' && f.queue === '' ? destination : f.routingKey;
    const binding = { source, destination, destinationKind: toQueue ? ('queue' as const) : ('exchange' as const), routingKey, arguments: f.arguments };
    const r = f.m === 'queue.bind' || f.m === 'exchange.bind' ? t.bind(binding) : t.unbind(binding);
    if (!r.ok) return this.fail(r.error, f.m);
    this.send({ m: `${f.m}-ok` as 'queue.bind-ok', ch: this.number });
  }

  // ------------------------------------------------------------ queues

  /** The empty queue name means the channel's most recently declared queue. */
  private expand(queue: string): string | undefined {
    if (queue !== '') return queue;
    if (this.mostRecentQueue === '') {
      this.fail(amqpError('NOT_FOUND', 'no previously declared queue'), undefined);
      return undefined;
    }
    return this.mostRecentQueue;
  }

  /** The queue's record if it exists, is reachable and not another connection's exclusive queue. */
  private lookupQueue(q: string, method: RpcMethod): QueueRecord | undefined {
    const record = this.host.metadata.queue(q);
    if (record === undefined) {
      this.fail(amqpError('NOT_FOUND', `no ${resourceName('queue', q)}`), method);
      return undefined;
    }
    const locked = checkExclusiveAccess(record, this.conn.id);
    if (locked !== undefined) {
      this.fail(locked, method);
      return undefined;
    }
    if (record.type === 'classic' && !this.host.nodeReachable(record.home)) {
      this.fail(amqpError('NOT_FOUND', `home node '${record.home}' of durable ${resourceName('queue', q)} is down or inaccessible`), method);
      return undefined;
    }
    return record;
  }

  private queueDeclare(f: Extract<ClientFrame, { m: 'queue.declare' }>): void {
    const md = this.host.metadata;
    if (f.passive) {
      const q = this.expand(f.queue);
      if (q === undefined) return;
      const record = this.lookupQueue(q, 'queue.declare');
      if (record === undefined) return;
      this.mostRecentQueue = q;
      this.statRpc(record, false);
      return;
    }
    let name = f.queue;
    const type = declaredType(f.arguments);
    if (name === '') {
      if (type === 'quorum') {
        return this.fail(amqpError('PRECONDITION_FAILED', `Cannot declare a server-named queue for type ${type}`), 'queue.declare');
      }
      name = serverName('amq.gen', this.host.node.rng);
    } else {
      const bad = checkQueueName(name);
      if (bad !== undefined) return this.fail(bad, 'queue.declare');
    }
    const durable = f.durable && !f.exclusive;
    const existing = md.queue(name);
    if (existing !== undefined) {
      const eq = checkEquivalence(existing, { durable, autoDelete: f.autoDelete, exclusive: f.exclusive, arguments: f.arguments, connection: this.conn.id });
      if (!eq.ok) return this.fail(eq.error, 'queue.declare');
      if (existing.type === 'classic' && !this.host.nodeReachable(existing.home)) {
        return this.fail(amqpError('NOT_FOUND', `home node '${existing.home}' of durable ${resourceName('queue', name)} is down or inaccessible`), 'queue.declare');
      }
      this.mostRecentQueue = name;
      this.statRpc(existing, true);
      return;
    }
    const parsed = parseQueueArguments(name, f.arguments);
    if (!parsed.ok) return this.fail(parsed.error, 'queue.declare');
    if (type === 'quorum') {
      const bad = checkQuorumProperties(name, durable, f.exclusive, f.autoDelete);
      if (bad !== undefined) return this.fail(bad, 'queue.declare');
    }
    const record = this.host.declareQueue({
      name,
      type,
      durable,
      autoDelete: f.autoDelete,
      exclusiveOwner: f.exclusive ? this.conn.id : undefined,
      arguments: f.arguments,
      config: parsed.value,
    });
    if (f.exclusive) this.conn.exclusiveQueues.add(name);
    this.mostRecentQueue = name;
    this.send({ m: 'queue.declare-ok', ch: this.number, queue: record.name, messageCount: 0, consumerCount: 0 });
  }

  private statRpc(record: QueueRecord, redeclare: boolean): void {
    const rid = this.nextRid++;
    const cmd: QueueCommand = { k: 'q.stat', q: record.name, ch: this.id, rid, redeclare };
    this.wait({ rid, method: 'queue.declare', q: record.name, node: record.type === 'classic' ? record.home : undefined, then: 'declare' }, record, cmd);
  }

  private queueDelete(f: Extract<ClientFrame, { m: 'queue.delete' }>): void {
    const q = this.expand(f.queue);
    if (q === undefined) return;
    const record = this.host.metadata.queue(q);
    if (record === undefined) {
      // Deleting a queue that does not exist succeeds (RabbitMQ 3.13: idempotent delete).
      this.send({ m: 'queue.delete-ok', ch: this.number, messageCount: 0 });
      return;
    }
    const locked = checkExclusiveAccess(record, this.conn.id);
    if (locked !== undefined) return this.fail(locked, 'queue.delete');
    if (record.type === 'classic' && !this.host.nodeReachable(record.home)) {
      // The home node is gone: RabbitMQ forces the deletion of the record.
      this.host.forceDeleteQueue(record);
      this.send({ m: 'queue.delete-ok', ch: this.number, messageCount: 0 });
      return;
    }
    const rid = this.nextRid++;
    this.wait(
      { rid, method: 'queue.delete', q, node: record.type === 'classic' ? record.home : undefined, then: 'delete' },
      record,
      { k: 'q.delete', q, ch: this.id, rid, ifUnused: f.ifUnused, ifEmpty: f.ifEmpty },
    );
  }

  /** A method answered by a queue (purge, get). */
  private queueRpc(method: RpcMethod, queue: string, then: 'purge' | 'get', make: (q: string, rid: number) => QueueCommand, extra: { noAck?: boolean } = {}): void {
    const q = this.expand(queue);
    if (q === undefined) return;
    const record = this.lookupQueue(q, method);
    if (record === undefined) return;
    if (then === 'get') this.touched.add(q);
    const rid = this.nextRid++;
    this.wait({ rid, method, q, node: record.type === 'classic' ? record.home : undefined, then, ...extra }, record, make(q, rid));
  }

  /** Sends a request to a queue and holds further frames until it answers. */
  private wait(w: Waiting, record: QueueRecord, cmd: QueueCommand): void {
    this.waiting = w;
    if (record.type === 'quorum') this.sendQuorum(record, cmd);
    else if (!this.host.sendClassic(record, cmd)) this.queueUnreachable(record.home);
  }

  private reply(ev: Extract<ChannelEvent, { k: 'ch.reply' }>): void {
    const w = this.waiting;
    if (w === undefined || w.rid !== ev.rid || this.state !== 'open') return;
    this.waiting = undefined;
    const r = ev.reply;
    if (!r.ok) {
      this.fail({ replyCode: r.code, replyName: 'PRECONDITION_FAILED', replyText: r.text }, w.method);
      return;
    }
    switch (w.then) {
      case 'declare':
        this.send({ m: 'queue.declare-ok', ch: this.number, queue: w.q, messageCount: r.messageCount, consumerCount: r.consumerCount });
        break;
      case 'consume':
        this.consumers.set(w.consumerTag!, { q: w.q, noAck: w.noAck === true });
        this.recordConsume(w.q, w.consumerTag!, w.noAck === true);
        this.send({ m: 'basic.consume-ok', ch: this.number, consumerTag: w.consumerTag! });
        break;
      case 'get': {
        const g = ev.get;
        if (g === undefined) {
          this.send({ m: 'basic.get-empty', ch: this.number });
          break;
        }
        const deliveryTag = this.nextDeliveryTag++;
        const quorum = this.host.metadata.queue(w.q)?.type === 'quorum';
        if (g.ackTag !== undefined) {
          this.unacked.set(deliveryTag, { q: w.q, ackTag: g.ackTag, consumer: undefined, deliveredUs: this.host.node.nowUs, quorum });
          if (quorum) this.quorumDelivered.add(`${w.q}\u0000${g.ackTag}`);
        }
        this.send({ m: 'basic.get-ok', ch: this.number, deliveryTag, redelivered: g.redelivered, messageCount: g.messageCount, message: g.msg, deliveryCount: g.deliveryCount });
        break;
      }
      case 'purge':
        this.send({ m: 'queue.purge-ok', ch: this.number, messageCount: r.messageCount });
        break;
      case 'delete':
        this.send({ m: 'queue.delete-ok', ch: this.number, messageCount: r.messageCount });
        break;
    }
    this.drainInbox();
  }

  private drainInbox(): void {
    while (this.waiting === undefined && this.state === 'open' && this.inbox.length > 0) this.dispatch(this.inbox.shift()!);
  }

  // ------------------------------------------------------------ quorum command outbox

  /** Numbers a command to a quorum queue, keeps it until applied, and sends it to the leader. */
  private sendQuorum(record: QueueRecord, cmd: QueueCommand): void {
    let out = this.quorumOut.get(record.name);
    if (out === undefined) {
      out = { nextQs: 1, cmds: [], lastProgressUs: this.host.node.nowUs };
      this.quorumOut.set(record.name, out);
    }
    const numbered = { ...cmd, qs: out.nextQs++ } as QueueCommand;
    if (out.cmds.length === 0) out.lastProgressUs = this.host.node.nowUs;
    out.cmds.push(numbered);
    this.host.sendToLeader(record, numbered);
  }

  /** A quorum queue has a new leader (or its answers are overdue): send what it has not applied. */
  resendQuorum(q: string, onlyIfStalledUs?: number): void {
    const out = this.quorumOut.get(q);
    if (out === undefined || out.cmds.length === 0) return;
    const now = this.host.node.nowUs;
    if (onlyIfStalledUs !== undefined && now - out.lastProgressUs < onlyIfStalledUs) return;
    const record = this.host.metadata.queue(q);
    if (record === undefined) {
      this.quorumOut.delete(q);
      return;
    }
    out.lastProgressUs = now;
    for (const cmd of out.cmds) this.host.sendToLeader(record, cmd);
  }

  /** Quorum queues with unapplied commands. */
  quorumQueuesPending(): string[] {
    const out: string[] = [];
    for (const [q, o] of this.quorumOut) if (o.cmds.length > 0) out.push(q);
    return out;
  }

  // ------------------------------------------------------------ failures

  /** A cluster node became unreachable: classic queues there are gone for this channel. */
  nodeDown(node: string): void {
    if (this.waiting?.node === node) {
      const q = this.waiting.q;
      const method = this.waiting.method;
      this.waiting = undefined;
      this.fail(amqpError('NOT_FOUND', `home node '${node}' of durable ${resourceName('queue', q)} is down or inaccessible`), method);
      return;
    }
    const lost = new Set<string>();
    for (const [tag, c] of this.consumers) {
      const record = this.host.metadata.queue(c.q);
      if (record === undefined || (record.type === 'classic' && record.home === node)) {
        this.consumers.delete(tag);
        this.recordCancel(c.q, tag, 'node-down');
        lost.add(c.q);
        // consumer_cancel_notify: the client learns its consumer is gone.
        if (this.state === 'open') this.send({ m: 'basic.cancel', ch: this.number, consumerTag: tag });
      }
    }
    for (const [seq, u] of [...this.unconfirmed]) {
      for (const q of u.pending) {
        const record = this.host.metadata.queue(q);
        if (record === undefined || (record.type === 'classic' && record.home === node)) this.queueConfirmed(q, [seq], false);
      }
    }
  }

  private queueUnreachable(node: string): void {
    this.nodeDown(node);
  }

  /** Deliveries unacknowledged for longer than `consumer_timeout` close the channel. */
  checkConsumerTimeout(timeoutMs: number): void {
    if (this.state !== 'open') return;
    for (const p of this.unacked.values()) {
      if (this.host.node.nowUs - p.deliveredUs > timeoutMs * 1000) {
        this.fail(
          amqpError('PRECONDITION_FAILED', `delivery acknowledgement on channel ${this.number} timed out. Timeout value used: ${timeoutMs} ms. This timeout value can be configured, see consumers doc guide to learn more`),
          undefined,
        );
      }
      return;
    }
  }

  /**
   * The channel is going away (closed, its connection died, or an error closed it): its consumers
   * are cancelled and its unacknowledged deliveries go back to their queues.
   */
  down(): void {
    if (this.state !== 'open') return;
    const queues = new Set<string>(this.touched);
    for (const c of this.consumers.values()) queues.add(c.q);
    for (const p of this.unacked.values()) queues.add(p.q);
    for (const [tag, c] of this.consumers) this.recordCancel(c.q, tag, 'channel-closed');
    this.consumers.clear();
    this.unacked.clear();
    this.quorumDelivered.clear();
    this.unconfirmed.clear();
    this.inbox.length = 0;
    this.waiting = undefined;
    for (const q of queues) {
      const record = this.host.metadata.queue(q);
      if (record === undefined) continue;
      if (record.type === 'quorum') this.host.sendToLeader(record, { k: 'q.chdown', q, ch: this.id });
      else this.host.sendClassic(record, { k: 'q.chdown', q, ch: this.id });
    }
    this.quorumOut.clear();
    this.state = 'closing';
    this.host.channels.delete(this.id);
  }
}
