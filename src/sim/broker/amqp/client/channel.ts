/**
 * A channel as amqplib's promise API shapes it (lib/channel_model.js, lib/channel.js), with
 * SimPromises in place of native promises: every method that waits for the broker returns a
 * SimPromise that settles inside the simulation event in which the answer arrives.
 *
 * As in amqplib: one RPC is outstanding at a time and later ones wait their turn; `publish`,
 * `ack`, `nack` and `reject` are sent at once and throw an IllegalOperationError on a closed
 * channel; when the server closes the channel the outstanding RPC fails with "Operation failed: …",
 * the channel emits 'error' then 'close', and callbacks of unconfirmed publishes get
 * `Error('channel closed')`. A consumer callback gets `null` when the broker cancels it.
 */

import type { HistoryName } from '../../../history.ts';
import { SimPromise } from '../../../sim-promise.ts';
import { tableFromJs } from '../field-value.ts';
import { AmqpKinds, AmqpShapes } from '../kinds.ts';
import type { ClientFrame, RpcMethod, ServerFrame } from '../protocol.ts';
import type { Connection } from './connection.ts';
import { Emitter } from './emitter.ts';
import { channelClosedError, IllegalOperationError, rpcError, type AmqpClientError } from './errors.ts';
import { argumentsTable, contentSize, messageProperties, publishProperties, shortstr, type Message, type PublishOptions, type ReturnedMessage } from './message.ts';

export interface AssertQueueOptions {
  exclusive?: boolean;
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, unknown>;
  messageTtl?: number;
  expires?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  maxLength?: number;
  maxPriority?: number;
  overflow?: string;
  queueMode?: string;
}

export interface AssertExchangeOptions {
  durable?: boolean;
  internal?: boolean;
  autoDelete?: boolean;
  alternateExchange?: string;
  arguments?: Record<string, unknown>;
}

export interface ConsumeOptions {
  consumerTag?: string;
  noLocal?: boolean;
  noAck?: boolean;
  exclusive?: boolean;
  priority?: number;
  arguments?: Record<string, unknown>;
}

export interface AssertQueueReply {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

/** What a consume callback may return: nothing, or a SimPromise (learner async handlers). */
export type ConsumeCallback = (msg: Message | null) => unknown;

type ChannelState = 'opening' | 'open' | 'closing' | 'closed';

interface Rpc {
  readonly method: RpcMethod;
  readonly frame: ClientFrame;
  readonly expect: string;
  readonly done: (frame: ServerFrame | undefined, err: AmqpClientError | undefined) => void;
}

type ChannelEvents = {
  error: [AmqpClientError];
  close: [];
  return: [ReturnedMessage];
  drain: [];
};

export class Channel extends Emitter<ChannelEvents> {
  state: ChannelState = 'opening';
  private reply: Rpc | undefined;
  private readonly pending: Rpc[] = [];
  private readonly consumers = new Map<string, ConsumeCallback>();
  /** Confirm mode: the lowest unconfirmed sequence number and the callbacks from there on. */
  protected lwm = 1;
  protected unconfirmed: Array<((err: Error | null) => void) | false | null> = [];
  protected confirmMode = false;
  private readonly confirmWaiters: Array<{ upTo: number; p: SimPromise<void>; failed: Error | undefined }> = [];
  /** The exchange published to last and its handle in the history (a channel mostly publishes to one). */
  private lastExchange: string | undefined;
  private lastExchangeName: HistoryName | undefined;

  constructor(
    readonly connection: Connection,
    readonly ch: number,
  ) {
    super();
  }

  /** The channel's id in the history: `connection/number`. */
  get id(): string {
    return `${this.connection.id}/${this.ch}`;
  }

  // ------------------------------------------------------------ queues and exchanges

  assertQueue(queue = '', options: AssertQueueOptions = {}): SimPromise<AssertQueueReply> {
    const args = argumentsTable(options.arguments, {
      'x-expires': options.expires,
      'x-message-ttl': options.messageTtl,
      'x-dead-letter-exchange': options.deadLetterExchange,
      'x-dead-letter-routing-key': options.deadLetterRoutingKey,
      'x-max-length': options.maxLength,
      'x-max-priority': options.maxPriority,
      'x-overflow': options.overflow,
      'x-queue-mode': options.queueMode,
    });
    return this.rpc(
      'queue.declare',
      { m: 'queue.declare', ch: this.ch, queue, passive: false, durable: options.durable ?? true, exclusive: !!options.exclusive, autoDelete: !!options.autoDelete, arguments: args },
      'queue.declare-ok',
      (f) => declareOk(f),
    );
  }

  checkQueue(queue: string): SimPromise<AssertQueueReply> {
    return this.rpc('queue.declare', { m: 'queue.declare', ch: this.ch, queue, passive: true, durable: true, exclusive: false, autoDelete: false, arguments: [] }, 'queue.declare-ok', (f) => declareOk(f));
  }

  deleteQueue(queue: string, options: { ifUnused?: boolean; ifEmpty?: boolean } = {}): SimPromise<{ messageCount: number }> {
    return this.rpc('queue.delete', { m: 'queue.delete', ch: this.ch, queue, ifUnused: !!options.ifUnused, ifEmpty: !!options.ifEmpty }, 'queue.delete-ok', (f) => ({
      messageCount: (f as { messageCount: number }).messageCount,
    }));
  }

  purgeQueue(queue: string): SimPromise<{ messageCount: number }> {
    return this.rpc('queue.purge', { m: 'queue.purge', ch: this.ch, queue }, 'queue.purge-ok', (f) => ({ messageCount: (f as { messageCount: number }).messageCount }));
  }

  bindQueue(queue: string, source: string, pattern: string, args: Record<string, unknown> = {}): SimPromise<Record<string, never>> {
    return this.rpc('queue.bind', { m: 'queue.bind', ch: this.ch, queue, exchange: source, routingKey: pattern, arguments: tableFromJs(args) }, 'queue.bind-ok', () => ({}));
  }

  unbindQueue(queue: string, source: string, pattern: string, args: Record<string, unknown> = {}): SimPromise<Record<string, never>> {
    return this.rpc('queue.unbind', { m: 'queue.unbind', ch: this.ch, queue, exchange: source, routingKey: pattern, arguments: tableFromJs(args) }, 'queue.unbind-ok', () => ({}));
  }

  assertExchange(exchange: string, type: string, options: AssertExchangeOptions = {}): SimPromise<{ exchange: string }> {
    const args = argumentsTable(options.arguments, { 'alternate-exchange': options.alternateExchange });
    return this.rpc(
      'exchange.declare',
      { m: 'exchange.declare', ch: this.ch, exchange, type, passive: false, durable: options.durable ?? true, autoDelete: !!options.autoDelete, internal: !!options.internal, arguments: args },
      'exchange.declare-ok',
      () => ({ exchange }),
    );
  }

  checkExchange(exchange: string): SimPromise<Record<string, never>> {
    return this.rpc('exchange.declare', { m: 'exchange.declare', ch: this.ch, exchange, type: '', passive: true, durable: true, autoDelete: false, internal: false, arguments: [] }, 'exchange.declare-ok', () => ({}));
  }

  deleteExchange(exchange: string, options: { ifUnused?: boolean } = {}): SimPromise<Record<string, never>> {
    return this.rpc('exchange.delete', { m: 'exchange.delete', ch: this.ch, exchange, ifUnused: !!options.ifUnused }, 'exchange.delete-ok', () => ({}));
  }

  bindExchange(destination: string, source: string, pattern: string, args: Record<string, unknown> = {}): SimPromise<Record<string, never>> {
    return this.rpc('exchange.bind', { m: 'exchange.bind', ch: this.ch, destination, source, routingKey: pattern, arguments: tableFromJs(args) }, 'exchange.bind-ok', () => ({}));
  }

  unbindExchange(destination: string, source: string, pattern: string, args: Record<string, unknown> = {}): SimPromise<Record<string, never>> {
    return this.rpc('exchange.unbind', { m: 'exchange.unbind', ch: this.ch, destination, source, routingKey: pattern, arguments: tableFromJs(args) }, 'exchange.unbind-ok', () => ({}));
  }

  // ------------------------------------------------------------ publishing

  /**
   * Publishes a message. Returns false, like amqplib when its socket buffer is full, while the
   * connection is blocked by a resource alarm; the channel emits 'drain' when it may go on.
   */
  publish(exchange: string, routingKey: string, content: string, options?: PublishOptions): boolean {
    this.assertOpen();
    exchange = shortstr('exchange', exchange);
    routingKey = shortstr('routingKey', routingKey);
    if (typeof content !== 'string') throw new TypeError('content must be a string in the simulation (amqplib takes a Buffer)');
    const conn = this.connection;
    const origin = conn.node.name;
    const serial = conn.nextMessageSerial();
    const properties = publishProperties(options);
    const seq = this.confirmMode ? this.lwm + this.unconfirmed.length : 0;
    if (conn.messageHistory) {
      // Learner code may pass any value as messageId; the entry holds strings and numbers as given.
      const mid = options?.messageId as unknown;
      const midValue = mid === undefined || typeof mid === 'string' || typeof mid === 'number' ? mid : String(mid);
      if (exchange !== this.lastExchange) {
        this.lastExchange = exchange;
        this.lastExchangeName = conn.node.world.history.name(exchange);
      }
      conn.node.world.recordShapedSerial(AmqpShapes.publish, origin, origin, serial, this.lastExchangeName, routingKey, midValue, seq > 0 ? seq : undefined);
    }
    conn.sendFrame({ m: 'basic.publish', ch: this.ch, origin, serial, exchange, routingKey, mandatory: options?.mandatory === true, properties, body: content, bodySize: contentSize(content) });
    return !conn.blocked;
  }

  sendToQueue(queue: string, content: string, options?: PublishOptions): boolean {
    return this.publish('', queue, content, options);
  }

  // ------------------------------------------------------------ consuming

  consume(queue: string, onMessage: ConsumeCallback, options: ConsumeOptions = {}): SimPromise<{ consumerTag: string }> {
    const args = argumentsTable(options.arguments, { 'x-priority': options.priority });
    return this.rpc(
      'basic.consume',
      { m: 'basic.consume', ch: this.ch, queue, consumerTag: options.consumerTag ?? '', noAck: !!options.noAck, exclusive: !!options.exclusive, arguments: args },
      'basic.consume-ok',
      (f) => {
        // Registered before anything else runs, so the first delivery finds its callback.
        const consumerTag = (f as { consumerTag: string }).consumerTag;
        this.consumers.set(consumerTag, onMessage);
        return { consumerTag };
      },
    );
  }

  cancel(consumerTag: string): SimPromise<{ consumerTag: string }> {
    return this.rpc('basic.cancel', { m: 'basic.cancel', ch: this.ch, consumerTag }, 'basic.cancel-ok', () => {
      this.consumers.delete(consumerTag);
      return { consumerTag };
    });
  }

  /** `basic.get`: a message, or `false` when the queue is empty. */
  get(queue: string, options: { noAck?: boolean } = {}): SimPromise<Message | false> {
    return this.rpc('basic.get', { m: 'basic.get', ch: this.ch, queue, noAck: !!options.noAck }, 'basic.get-ok|basic.get-empty', (f): Message | false => {
      if (f.m === 'basic.get-empty') return false;
      const g = f as Extract<ServerFrame, { m: 'basic.get-ok' }>;
      return {
        content: g.message.body as string,
        fields: { deliveryTag: g.deliveryTag, redelivered: g.redelivered, exchange: g.message.exchange, routingKey: g.message.routingKeys[0] ?? '', messageCount: g.messageCount },
        properties: messageProperties(g.message, g.deliveryCount),
      };
    });
  }

  ack(message: Message, allUpTo = false): void {
    this.send({ m: 'basic.ack', ch: this.ch, deliveryTag: message.fields.deliveryTag, multiple: allUpTo });
  }

  ackAll(): void {
    this.send({ m: 'basic.ack', ch: this.ch, deliveryTag: 0, multiple: true });
  }

  nack(message: Message, allUpTo = false, requeue = true): void {
    this.send({ m: 'basic.nack', ch: this.ch, deliveryTag: message.fields.deliveryTag, multiple: allUpTo, requeue });
  }

  nackAll(requeue = true): void {
    this.send({ m: 'basic.nack', ch: this.ch, deliveryTag: 0, multiple: true, requeue });
  }

  reject(message: Message, requeue = true): void {
    this.send({ m: 'basic.reject', ch: this.ch, deliveryTag: message.fields.deliveryTag, requeue });
  }

  /** `basic.qos`: per consumer (consumers created afterwards), or per channel with `global`. */
  prefetch(count: number, global = false): SimPromise<Record<string, never>> {
    return this.rpc('basic.qos', { m: 'basic.qos', ch: this.ch, prefetchCount: count || 0, global: !!global }, 'basic.qos-ok', () => ({}));
  }

  qos(count: number, global = false): SimPromise<Record<string, never>> {
    return this.prefetch(count, global);
  }

  recover(): SimPromise<Record<string, never>> {
    return this.rpc('basic.recover', { m: 'basic.recover', ch: this.ch, requeue: true }, 'basic.recover-ok', () => ({}));
  }

  close(): SimPromise<void> {
    const p = new SimPromise<void>();
    if (this.state === 'closed' || this.state === 'closing') {
      p.reject(new IllegalOperationError('Channel closed'));
      return p;
    }
    this.connection.sendFrame({ m: 'channel.close', ch: this.ch, code: 200, text: 'Goodbye' });
    this.state = 'closing';
    this.closeWaiter = p;
    return p;
  }

  private closeWaiter: SimPromise<void> | undefined;

  // ------------------------------------------------------------ machinery

  /** Called by the connection once `channel.open-ok` (and, for confirm channels, `select-ok`) arrived. */
  opened(): void {
    this.state = 'open';
  }

  protected send(frame: ClientFrame): void {
    this.assertOpen();
    this.connection.sendFrame(frame);
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new IllegalOperationError('Channel closed');
    if (this.state === 'closing') throw new IllegalOperationError('Channel closing');
  }

  /** Queues an RPC (amqplib `_rpc` / `sendOrEnqueue`) and maps its reply. */
  protected rpc<T>(method: RpcMethod, frame: ClientFrame, expect: string, map: (f: ServerFrame) => T): SimPromise<T> {
    const p = new SimPromise<T>();
    if (this.state === 'closed' || this.state === 'closing') {
      p.reject(new IllegalOperationError(this.state === 'closed' ? 'Channel closed' : 'Channel closing'));
      return p;
    }
    const rpc: Rpc = {
      method,
      frame,
      expect,
      done: (f, err) => {
        if (err !== undefined) p.reject(err);
        else {
          try {
            p.resolve(map(f!));
          } catch (e) {
            p.reject(e);
          }
        }
      },
    };
    if (this.reply === undefined) {
      this.reply = rpc;
      this.connection.sendFrame(frame);
    } else this.pending.push(rpc);
    return p;
  }

  /** A frame for this channel from the broker. */
  accept(f: ServerFrame): void {
    switch (f.m) {
      case 'basic.deliver':
        this.deliver(f);
        return;
      case 'basic.return':
        this.emit('return', {
          content: f.message.body as string,
          fields: { replyCode: f.replyCode, replyText: f.replyText, exchange: f.exchange, routingKey: f.routingKey },
          properties: messageProperties(f.message, 0),
        });
        return;
      case 'basic.ack':
      case 'basic.nack':
        this.confirmed(f.m === 'basic.ack', f.deliveryTag, f.multiple);
        return;
      case 'basic.cancel': {
        const cb = this.consumers.get(f.consumerTag);
        this.consumers.delete(f.consumerTag);
        if (cb !== undefined) this.callConsumer(cb, null, f.consumerTag);
        return;
      }
      case 'channel.close': {
        const rpc = this.reply;
        this.reply = undefined;
        if (rpc !== undefined) rpc.done(undefined, rpcError(rpc.method, f.code, f.text, f.method));
        this.connection.sendFrame({ m: 'channel.close-ok', ch: this.ch });
        const err = channelClosedError(f.code, f.text, f.method);
        this.emit('error', err);
        this.toClosed();
        return;
      }
      case 'channel.close-ok': {
        const w = this.closeWaiter;
        this.toClosed();
        w?.resolve();
        return;
      }
      default: {
        const rpc = this.reply;
        if (rpc === undefined) return;
        this.reply = undefined;
        const next = this.pending.shift();
        if (next !== undefined) {
          this.reply = next;
          this.connection.sendFrame(next.frame);
        }
        if (rpc.expect.split('|').includes(f.m)) rpc.done(f, undefined);
        else rpc.done(undefined, Object.assign(new Error(`Expected ${rpc.expect}; got ${f.m}`), { code: 505 }));
      }
    }
  }

  private deliver(f: Extract<ServerFrame, { m: 'basic.deliver' }>): void {
    const cb = this.consumers.get(f.consumerTag);
    if (cb === undefined) return;
    const msg: Message = {
      content: f.message.body as string,
      fields: { consumerTag: f.consumerTag, deliveryTag: f.deliveryTag, redelivered: f.redelivered, exchange: f.message.exchange, routingKey: f.message.routingKeys[0] ?? '' },
      properties: messageProperties(f.message, f.deliveryCount),
    };
    this.callConsumer(cb, msg, f.consumerTag);
  }

  private callConsumer(cb: ConsumeCallback, msg: Message | null, consumerTag: string): void {
    try {
      const out = cb(msg);
      if (out instanceof SimPromise) out.onSettled((p) => p.state === 'rejected' && this.handlerFailed(consumerTag, p.reason));
    } catch (e) {
      this.handlerFailed(consumerTag, e);
    }
  }

  /** A consume callback threw (or its promise rejected): recorded, and the channel carries on. */
  private handlerFailed(consumerTag: string, e: unknown): void {
    this.connection.node.record(AmqpKinds.handlerError, { ch: this.id, consumer: consumerTag, error: e instanceof Error ? e.message : String(e) });
  }

  /** amqplib `handleConfirm`. */
  private confirmed(ack: boolean, tag: number, multiple: boolean): void {
    const conn = this.connection;
    if (conn.messageHistory) conn.node.record(AmqpKinds.confirm, { ch: this.id, seq: tag, ack, multiple });
    const err = ack ? null : new Error('message nacked');
    if (multiple) {
      const done = this.unconfirmed.splice(0, tag - this.lwm + 1);
      this.lwm = tag + 1;
      for (const cb of done) if (cb) cb(err);
    } else {
      let cb: ((err: Error | null) => void) | false | null | undefined;
      if (tag === this.lwm) {
        cb = this.unconfirmed.shift();
        this.lwm++;
        while (this.unconfirmed[0] === null) {
          this.unconfirmed.shift();
          this.lwm++;
        }
      } else {
        cb = this.unconfirmed[tag - this.lwm];
        this.unconfirmed[tag - this.lwm] = null;
      }
      if (cb) cb(err);
    }
    if (!ack) for (const w of this.confirmWaiters) if (tag <= w.upTo || multiple) w.failed ??= new Error('message nacked');
    this.settleWaiters();
  }

  protected waitConfirms(): SimPromise<void> {
    const p = new SimPromise<void>();
    const upTo = this.lwm + this.unconfirmed.length - 1;
    if (this.state === 'closed') {
      p.reject(new Error('channel closed'));
      return p;
    }
    this.confirmWaiters.push({ upTo, p, failed: undefined });
    this.settleWaiters();
    return p;
  }

  private settleWaiters(): void {
    for (let i = 0; i < this.confirmWaiters.length; i++) {
      const w = this.confirmWaiters[i]!;
      // Everything up to `upTo` is settled when the window has moved past it and no gap remains below.
      let open = false;
      for (let s = this.lwm; s <= w.upTo; s++) {
        if (this.unconfirmed[s - this.lwm] !== null) {
          open = true;
          break;
        }
      }
      if (open) continue;
      this.confirmWaiters.splice(i--, 1);
      if (w.failed !== undefined) w.p.reject(w.failed);
      else w.p.resolve();
    }
  }

  /** The channel is gone (closed by either side, or its connection died). */
  toClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const rpcs = this.reply === undefined ? this.pending.splice(0) : [this.reply, ...this.pending.splice(0)];
    this.reply = undefined;
    for (const r of rpcs) r.done(undefined, new Error('Channel ended, no reply will be forthcoming'));
    const err = new Error('channel closed');
    const cbs = this.unconfirmed;
    this.unconfirmed = [];
    for (const cb of cbs) if (cb) cb(err);
    for (const w of this.confirmWaiters.splice(0)) w.p.reject(err);
    this.connection.forgetChannel(this.ch);
    this.emit('close');
  }

  /** The connection's socket may take writes again. */
  drained(): void {
    this.emit('drain');
  }
}

function declareOk(f: ServerFrame): AssertQueueReply {
  const d = f as Extract<ServerFrame, { m: 'queue.declare-ok' }>;
  return { queue: d.queue, messageCount: d.messageCount, consumerCount: d.consumerCount };
}

/** A channel in confirm mode: publishes take a callback `(err) => …`, and `waitForConfirms()`. */
export class ConfirmChannel extends Channel {
  /** Called by the connection after `confirm.select-ok`. */
  enableConfirms(): void {
    this.confirmMode = true;
  }

  override publish(exchange: string, routingKey: string, content: string, options?: PublishOptions, cb?: (err: Error | null) => void): boolean {
    const result = super.publish(exchange, routingKey, content, options);
    this.unconfirmed.push(cb ?? false);
    return result;
  }

  override sendToQueue(queue: string, content: string, options?: PublishOptions, cb?: (err: Error | null) => void): boolean {
    return this.publish('', queue, content, options, cb);
  }

  /** Settles when every message published so far is confirmed; rejects if any was nacked. */
  waitForConfirms(): SimPromise<void> {
    return this.waitConfirms();
  }
}
