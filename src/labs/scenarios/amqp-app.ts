import { connect, type Channel, type Connection, type Message as AmqpMessage } from '../../sim/broker/amqp';
import type { SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import type { ApiFunction, ApiNamespace, Json } from '../sandbox/api';
import { ApiError } from '../sandbox/bridge';
import { LearnerKinds } from '../sandbox/kinds';
import type { LabOp, LearnerBehavior } from '../sandbox/learner-node';

/**
 * The RabbitMQ labs' learner side: a service whose code declares its own topology in `setup` and
 * (in some labs) consumes a queue in `handleMessage`, through `ctx.channel`, a channel shaped like
 * amqplib's. One connection and one channel per incarnation of the node, to one broker node.
 *
 * The lab calls the learner's `export async function setup(start, ctx)` once the channel is open,
 * as a real service declares exchanges, queues and bindings when it starts; then it starts the
 * lab's own part on that node (a consumer whose deliveries go to `handleMessage`).
 */

/** The channel methods a lab can give learners. */
export type ChannelMethod = 'assertExchange' | 'assertQueue' | 'bindQueue' | 'unbindQueue' | 'bindExchange' | 'publish' | 'sendToQueue' | 'ack' | 'nack' | 'reject';

const MSG_PARAM = { name: 'msg', ts: 'Message<AmqpMessage>', check: 'message', doc: 'The message your handleMessage received.' } as const;

const METHODS: Record<ChannelMethod, ApiFunction> = {
  assertExchange: {
    kind: 'function',
    bridge: 'async',
    params: [
      { name: 'exchange', ts: 'string', check: 'string', doc: 'The exchange name.' },
      { name: 'type', ts: "'direct' | 'fanout' | 'topic' | 'headers'", check: 'string', doc: 'How it routes: by exact key, to every bound queue, by key pattern (`*` one word, `#` zero or more), or by header values (`x-match`).' },
      { name: 'options', ts: 'AssertExchangeOptions', check: 'json', optional: true, doc: '`durable` (default true), `internal`, `autoDelete`, `alternateExchange`, `arguments`.' },
    ],
    returns: 'Promise<{ exchange: string }>',
    doc: 'Declares an exchange (amqplib `assertExchange`). Declaring one that exists with the same type is fine; with another type the broker closes the channel (406 PRECONDITION_FAILED).',
  },
  assertQueue: {
    kind: 'function',
    bridge: 'async',
    params: [
      { name: 'queue', ts: 'string', check: 'string', doc: 'The queue name.' },
      {
        name: 'options',
        ts: 'AssertQueueOptions',
        check: 'json',
        optional: true,
        doc: '`durable` (default true), `exclusive`, `autoDelete`, `arguments` (`x-message-ttl`, `x-dead-letter-exchange`, …) and the shortcuts `messageTtl`, `deadLetterExchange`, `deadLetterRoutingKey`, `maxLength`, `expires`.',
      },
    ],
    returns: 'Promise<{ queue: string; messageCount: number; consumerCount: number }>',
    doc: 'Declares a queue (amqplib `assertQueue`). Redeclaring it with different arguments closes the channel (406 PRECONDITION_FAILED inequivalent arg).',
  },
  bindQueue: {
    kind: 'function',
    bridge: 'async',
    params: [
      { name: 'queue', ts: 'string', check: 'string', doc: 'The queue that receives.' },
      { name: 'source', ts: 'string', check: 'string', doc: 'The exchange it receives from.' },
      { name: 'pattern', ts: 'string', check: 'string', doc: 'The binding key: an exact key (direct), a pattern (topic), ignored by fanout and headers exchanges.' },
      { name: 'args', ts: 'Record<string, Json>', check: 'json', optional: true, doc: "For a headers exchange: the header values to match, and `'x-match': 'all'` (default) or `'any'`." },
    ],
    returns: 'Promise<{}>',
    doc: 'Binds a queue to an exchange (amqplib `bindQueue`). Binding twice with the same key and arguments is one binding.',
  },
  unbindQueue: {
    kind: 'function',
    bridge: 'async',
    params: [
      { name: 'queue', ts: 'string', check: 'string', doc: 'The queue.' },
      { name: 'source', ts: 'string', check: 'string', doc: 'The exchange.' },
      { name: 'pattern', ts: 'string', check: 'string', doc: 'The binding key it was bound with.' },
      { name: 'args', ts: 'Record<string, Json>', check: 'json', optional: true, doc: 'The arguments it was bound with.' },
    ],
    returns: 'Promise<{}>',
    doc: 'Removes a binding (amqplib `unbindQueue`).',
  },
  bindExchange: {
    kind: 'function',
    bridge: 'async',
    params: [
      { name: 'destination', ts: 'string', check: 'string', doc: 'The exchange that receives.' },
      { name: 'source', ts: 'string', check: 'string', doc: 'The exchange it receives from.' },
      { name: 'pattern', ts: 'string', check: 'string', doc: 'The binding key.' },
      { name: 'args', ts: 'Record<string, Json>', check: 'json', optional: true, doc: 'Binding arguments (headers exchanges).' },
    ],
    returns: 'Promise<{}>',
    doc: 'Binds an exchange to another exchange (amqplib `bindExchange`): what the source routes to it, it routes on by its own bindings.',
  },
  publish: {
    kind: 'function',
    bridge: 'sync',
    params: [
      { name: 'exchange', ts: 'string', check: 'string', doc: "The exchange (`''` is the default exchange, which routes to the queue named by the routing key)." },
      { name: 'routingKey', ts: 'string', check: 'string', doc: 'The routing key.' },
      { name: 'content', ts: 'string', check: 'string', doc: 'The body (a string here; amqplib takes a Buffer).' },
      { name: 'options', ts: 'PublishOptions', check: 'json', optional: true, doc: '`headers`, `expiration` (ms, as a string), `persistent`, `messageId`, …' },
    ],
    returns: 'boolean',
    doc: 'Publishes a message (amqplib `publish`): sent at once, no reply. Publishing to an exchange that does not exist makes the broker close the channel (404).',
  },
  sendToQueue: {
    kind: 'function',
    bridge: 'sync',
    params: [
      { name: 'queue', ts: 'string', check: 'string', doc: 'The queue.' },
      { name: 'content', ts: 'string', check: 'string', doc: 'The body.' },
      { name: 'options', ts: 'PublishOptions', check: 'json', optional: true, doc: 'As for publish.' },
    ],
    returns: 'boolean',
    doc: "Publishes straight to a queue through the default exchange (amqplib `sendToQueue`, i.e. `publish('', queue, …)`).",
  },
  ack: {
    kind: 'function',
    bridge: 'sync',
    params: [MSG_PARAM, { name: 'allUpTo', ts: 'boolean', check: 'json', optional: true, doc: 'Also acknowledge every earlier unacknowledged delivery of this channel (default false).' }],
    returns: 'void',
    doc: 'Acknowledges a delivery (amqplib `ack`): the queue forgets the message. `ctx.commit(msg)` does the same.',
  },
  nack: {
    kind: 'function',
    bridge: 'sync',
    params: [
      MSG_PARAM,
      { name: 'allUpTo', ts: 'boolean', check: 'json', optional: true, doc: 'Also reject every earlier unacknowledged delivery of this channel (default false).' },
      { name: 'requeue', ts: 'boolean', check: 'json', optional: true, doc: "true (the default): back into its queue at its original position; false: dead-lettered to the queue's `x-dead-letter-exchange` (dropped when it has none)." },
    ],
    returns: 'void',
    doc: 'Rejects a delivery (amqplib `nack`).',
  },
  reject: {
    kind: 'function',
    bridge: 'sync',
    params: [MSG_PARAM, { name: 'requeue', ts: 'boolean', check: 'json', optional: true, doc: 'As for nack (default true).' }],
    returns: 'void',
    doc: 'Rejects one delivery (amqplib `reject`, which is `nack(msg, false, requeue)`).',
  },
};

/** `ctx.channel` with the given methods, in the order given. */
export function channelNamespace(methods: readonly ChannelMethod[], doc: string): ApiNamespace {
  return { kind: 'namespace', typeName: 'Channel', doc, members: Object.fromEntries(methods.map((m) => [m, METHODS[m]])) };
}

/** The `.d.ts` text for the AMQP shapes the channel methods take and give. */
export const amqpTypes = `/** A RabbitMQ delivery as amqplib gives it to a consumer: your handleMessage receives it in \`msg.payload\`. */
export interface AmqpMessage {
  /** The body (a string here; amqplib gives a Buffer). */
  content: string;
  fields: { deliveryTag: number; redelivered: boolean; exchange: string; routingKey: string; consumerTag: string };
  properties: {
    /** Headers, including \`x-death\` on a dead-lettered message. */
    headers?: Record<string, Json>;
    messageId?: string;
    expiration?: string;
    timestamp?: number;
    deliveryMode?: number;
    [key: string]: Json | undefined;
  };
}

export interface AssertQueueOptions {
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  /** Queue arguments by their RabbitMQ names: \`x-message-ttl\`, \`x-dead-letter-exchange\`, \`x-dead-letter-routing-key\`, \`x-max-length\`, … */
  arguments?: Record<string, Json>;
  /** x-message-ttl: how long a message may wait in this queue, in ms. */
  messageTtl?: number;
  /** x-dead-letter-exchange: where rejected (requeue false), expired and overflowing messages go. \`''\` is the default exchange. */
  deadLetterExchange?: string;
  /** x-dead-letter-routing-key: the routing key dead-lettered messages get (default: their own). */
  deadLetterRoutingKey?: string;
  /** x-max-length. */
  maxLength?: number;
  /** x-expires: delete the queue after this many ms unused. */
  expires?: number;
}

export interface AssertExchangeOptions {
  durable?: boolean;
  internal?: boolean;
  autoDelete?: boolean;
  alternateExchange?: string;
  arguments?: Record<string, Json>;
}

export interface PublishOptions {
  /** Header values; a headers exchange routes by them. */
  headers?: Record<string, Json>;
  /** Per-message TTL in ms, as a string (\`'1500'\`); the lower of this and the queue's x-message-ttl applies. */
  expiration?: string | number;
  persistent?: boolean;
  messageId?: string;
  contentType?: string;
  correlationId?: string;
  priority?: number;
  timestamp?: number;
}

/** What \`setup\` receives when your service starts (and again after a restart). */
export interface Start {
  /** This node's name. */
  node: string;
  /** The broker node your channel is connected to. */
  broker: string;
}

/** Export \`setup\` to declare your exchanges, queues and bindings when the service starts: \`export async function setup(start: Start, ctx: Ctx) { … }\`. */
export type SetupHandler = (start: Start, ctx: Ctx) => Promise<void>;`;

/** What the lab does on the node once the learner's setup has run (ok or not). */
export interface AmqpAppHooks {
  /** Called once per incarnation after `setup` settled; `ok` is false when it threw or is missing. */
  afterSetup?(app: AmqpApp, ok: boolean): void;
  /** Called with every new channel (the first one and any reopened after the broker closed one). */
  onChannel?(app: AmqpApp, ch: Channel): void;
  /** Open channels in confirm mode (amqplib `createConfirmChannel`), for publishers that track confirms. */
  confirm?: boolean;
  /** A module without a `setup` export skips it quietly instead of being told it is missing. */
  setupOptional?: boolean;
}

/** One delivery handed to learner code, by its consumer tag and delivery tag. */
interface Outstanding {
  ch: Channel;
  msg: AmqpMessage;
}

/** A channel closed by the broker is replaced after this long (amqplib leaves it to the app). */
const REOPEN_US = 50_000;
/** Calls waiting for a reopened channel, at most. */
const WAITING_MAX = 1_000;
/** Deliveries handed to learner code and not yet settled, at most (a limit on everything). */
const OUTSTANDING_MAX = 10_000;

/**
 * One incarnation of a RabbitMQ service node: its connection, its current channel, the learner's
 * unsettled deliveries, and the `ctx.channel` ops. Built by the lab's `ops` factory, which the
 * learner node calls at every boot.
 */
export class AmqpApp {
  conn: Connection | undefined;
  ch: Channel | undefined;
  private readonly waiting: (() => void)[] = [];
  private readonly outstanding = new Map<string, Outstanding>();
  private setupDone = false;

  constructor(
    readonly node: SimNode,
    readonly broker: string,
    private readonly hooks: AmqpAppHooks = {},
  ) {
    // The sandbox of this incarnation exists once the boot that built these ops has finished.
    node.setTimer(0, () => this.start());
  }

  /** The learner's sandbox on this node, if it is running. */
  get learner(): LearnerBehavior | undefined {
    return this.node.peek<LearnerBehavior>();
  }

  private start(): void {
    connect(this.node.world, this.node.name, { hostname: this.broker }).onSettled((c) => {
      if (c.state === 'rejected') {
        this.node.log(`could not connect to ${this.broker}: ${(c.reason as Error).message}; retrying in 1 s`, 'warn');
        this.node.setTimer(1_000_000, () => this.start());
        return;
      }
      this.conn = c.value!;
      this.openChannel(() => this.runSetup());
    });
  }

  private openChannel(then?: () => void): void {
    const conn = this.conn;
    if (!conn || conn.state !== 'open') return;
    const opened = (this.hooks.confirm ? conn.createConfirmChannel() : conn.createChannel()) as SimPromise<Channel>;
    opened.onSettled((p) => {
      if (p.state === 'rejected') {
        this.node.setTimer(REOPEN_US, () => this.openChannel(then));
        return;
      }
      const ch = p.value!;
      this.ch = ch;
      ch.on('close', () => {
        if (this.ch !== ch) return;
        this.ch = undefined;
        for (const [k, o] of this.outstanding) if (o.ch === ch) this.outstanding.delete(k);
        if (this.conn?.state === 'open') {
          this.node.log('the broker closed the channel (see amqp.channel.close); opening a new one', 'warn');
          this.node.setTimer(REOPEN_US, () => this.openChannel());
        }
      });
      this.hooks.onChannel?.(this, ch);
      for (const w of this.waiting.splice(0)) w();
      then?.();
    });
  }

  private runSetup(): void {
    const sb = this.learner?.sandbox;
    const finish = (ok: boolean): void => {
      if (this.setupDone) return;
      this.setupDone = true;
      this.hooks.afterSetup?.(this, ok);
    };
    if (!sb || sb.status !== 'ready') return finish(false);
    if (this.hooks.setupOptional && !sb.has('setup')) return finish(true);
    const start: Json = { node: this.node.name, broker: this.broker };
    sb.invoke('setup', start, (r) => {
      // A refused call (no `setup` export) is not reported by the sandbox: say so where the learner looks.
      if (!r.ok && !r.reported) this.node.record(LearnerKinds.error, { handler: 'setup', kind: r.problem.kind, name: r.problem.name, message: r.problem.message, text: r.problem.text });
      finish(r.ok);
    });
  }

  /** Runs `fn` with the open channel, waiting for one if the broker closed the last. */
  private withChannel<T>(what: string, fn: (ch: Channel) => SimPromise<T>): SimPromise<T> {
    const out = new SimPromise<T>();
    const run = (): void => {
      const ch = this.ch!;
      let p: SimPromise<T>;
      try {
        p = fn(ch);
      } catch (e) {
        out.reject(e instanceof ApiError ? e : new ApiError(`ctx.channel.${what}: ${(e as Error).message}`, e instanceof TypeError ? 'TypeError' : 'Error'));
        return;
      }
      p.onSettled((q) => {
        if (q.state === 'fulfilled') return out.resolve(q.value as T);
        // A failed method closes the channel just after its reply fails: let it close first, so
        // the learner's next call waits for the new channel instead of failing on the old one.
        const err = new ApiError(`ctx.channel.${what}: ${(q.reason as Error).message}`);
        this.node.setTimer(0, () => out.reject(err));
      });
    };
    if (this.ch && this.ch.state === 'open') run();
    else if (this.conn?.state !== 'open') out.reject(new ApiError(`ctx.channel.${what}: the connection to ${this.broker} is closed`));
    else if (this.waiting.length >= WAITING_MAX) out.reject(new ApiError(`ctx.channel.${what}: more than ${WAITING_MAX} calls are waiting for the channel to reopen`));
    else this.waiting.push(run);
    return out;
  }

  /** Remembers a delivery handed to learner code and returns it as learner-visible JSON. */
  remember(ch: Channel, msg: AmqpMessage): Json {
    if (this.outstanding.size >= OUTSTANDING_MAX) this.outstanding.delete(this.outstanding.keys().next().value!);
    this.outstanding.set(keyOf(msg.fields.consumerTag ?? '', msg.fields.deliveryTag), { ch, msg });
    return messageJson(msg);
  }

  /** Acknowledges a remembered delivery (what `ctx.commit(msg)` does). */
  ackDelivery(ch: Channel, msg: AmqpMessage): void {
    const k = keyOf(msg.fields.consumerTag ?? '', msg.fields.deliveryTag);
    const o = this.outstanding.get(k);
    if (!o) throw new ApiError('ctx.commit(msg): this message was acknowledged or rejected already');
    this.outstanding.delete(k);
    if (ch.state !== 'open') throw new ApiError('ctx.commit(msg): its channel is closed; the broker requeued the message and will deliver it again');
    ch.ack(msg);
  }

  /** Settles the learner's message (ack, nack or reject), with allUpTo over the same channel. */
  private settle(what: 'ack' | 'nack' | 'reject', learnerMsg: unknown, allUpTo: boolean, requeue: boolean): void {
    const f = (learnerMsg as { payload?: { fields?: { consumerTag?: unknown; deliveryTag?: unknown } } }).payload?.fields;
    if (typeof f?.deliveryTag !== 'number' || typeof f.consumerTag !== 'string') {
      throw new ApiError(`ctx.channel.${what}(msg): pass the message your handleMessage received (msg, not msg.payload)`, 'TypeError');
    }
    const k = keyOf(f.consumerTag, f.deliveryTag);
    const o = this.outstanding.get(k);
    if (!o) {
      throw new ApiError(
        `ctx.channel.${what}(msg): delivery ${f.deliveryTag} was acknowledged or rejected already, or its channel is gone (on RabbitMQ a second ack closes the channel: 406 PRECONDITION_FAILED - unknown delivery tag)`,
      );
    }
    if (o.ch.state !== 'open') throw new ApiError(`ctx.channel.${what}(msg): the channel is closed; the broker requeued the message and will deliver it again`);
    if (allUpTo) {
      for (const [key, other] of this.outstanding) if (other.ch === o.ch && other.msg.fields.deliveryTag <= f.deliveryTag) this.outstanding.delete(key);
    } else this.outstanding.delete(k);
    if (what === 'ack') o.ch.ack(o.msg, allUpTo);
    else if (what === 'nack') o.ch.nack(o.msg, allUpTo, requeue);
    else o.ch.reject(o.msg, requeue);
  }

  /** The `channel.*` ops for this incarnation. */
  ops(): Record<string, LabOp> {
    const bool = (v: unknown, dflt: boolean, what: string): boolean => {
      if (v === undefined || v === null) return dflt;
      if (typeof v !== 'boolean') throw new ApiError(`ctx.channel.${what}: expected true or false, got ${JSON.stringify(v)}`, 'TypeError');
      return v;
    };
    const sync = (what: string, fn: (ch: Channel) => unknown): unknown => {
      const ch = this.ch;
      if (!ch || ch.state !== 'open') throw new ApiError(`ctx.channel.${what}: the channel is closed (the broker closed it after an error; a new one is opening)`);
      try {
        return fn(ch);
      } catch (e) {
        throw e instanceof ApiError ? e : new ApiError(`ctx.channel.${what}: ${(e as Error).message}`, e instanceof TypeError ? 'TypeError' : 'Error');
      }
    };
    return {
      'channel.assertExchange': ([name, type, options]) => this.withChannel('assertExchange', (ch) => ch.assertExchange(name as string, type as string, opts(options, 'assertExchange'))),
      'channel.assertQueue': ([name, options]) => this.withChannel('assertQueue', (ch) => ch.assertQueue(name as string, opts(options, 'assertQueue'))),
      'channel.bindQueue': ([q, source, pattern, args]) => this.withChannel('bindQueue', (ch) => ch.bindQueue(q as string, source as string, pattern as string, opts(args, 'bindQueue'))),
      'channel.unbindQueue': ([q, source, pattern, args]) => this.withChannel('unbindQueue', (ch) => ch.unbindQueue(q as string, source as string, pattern as string, opts(args, 'unbindQueue'))),
      'channel.bindExchange': ([d, source, pattern, args]) => this.withChannel('bindExchange', (ch) => ch.bindExchange(d as string, source as string, pattern as string, opts(args, 'bindExchange'))),
      'channel.publish': ([x, key, content, options]) => sync('publish', (ch) => ch.publish(x as string, key as string, content as string, opts(options, 'publish'))),
      'channel.sendToQueue': ([q, content, options]) => sync('sendToQueue', (ch) => ch.sendToQueue(q as string, content as string, opts(options, 'sendToQueue'))),
      'channel.ack': ([m, allUpTo]) => void this.settle('ack', m, bool(allUpTo, false, 'ack'), false),
      'channel.nack': ([m, allUpTo, requeue]) => void this.settle('nack', m, bool(allUpTo, false, 'nack'), bool(requeue, true, 'nack')),
      'channel.reject': ([m, requeue]) => void this.settle('reject', m, false, bool(requeue, true, 'reject')),
    };
  }
}

function keyOf(consumerTag: string, deliveryTag: number): string {
  return `${consumerTag}\u0000${deliveryTag}`;
}

/** An options argument: absent, or a plain object. */
function opts(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ApiError(`ctx.channel.${what}: options must be an object like { durable: true }, got ${JSON.stringify(v)}`, 'TypeError');
  return v as Record<string, unknown>;
}

/** A delivery as learner-visible JSON (amqplib's shape), without remembering it for acks. */
export function messageJson(msg: AmqpMessage): Json {
  return plain({ content: msg.content, fields: msg.fields, properties: msg.properties }) as Json;
}

/** Plain JSON for the sandbox: no undefined keys, no bigints. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return [...v];
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
  return out;
}

/**
 * A host client's channel on a lab node (a publisher, a monitor), replaced `reopenUs` after the
 * broker closes it; `onOpen` runs with each new channel.
 */
export function hostChannel(node: SimNode, broker: string, reopenUs: number, onOpen: (ch: Channel) => void): void {
  connect(node.world, node.name, { hostname: broker }).onSettled((c) => {
    if (c.state === 'rejected') return;
    const conn = c.value!;
    const open = (): void => {
      conn.createChannel().onSettled((p) => {
        if (p.state === 'rejected') return;
        const ch = p.value!;
        ch.on('close', () => void (conn.state === 'open' && node.setTimer(reopenUs, open)));
        onOpen(ch);
      });
    };
    open();
  });
}
