/**
 * Which consumer of a queue gets the next message: round-robin with per-consumer prefetch
 * (`basic.qos` with `global=false`, RabbitMQ's default), after `rabbit_queue_consumers:deliver/5`
 * and the queue-side credit of `rabbit_limiter`.
 *
 * - Consumers wait in a line, highest `x-priority` first; within a priority, in arrival order.
 * - To deliver, the queue takes the consumer at the front. If it is at its prefetch limit
 *   (unacknowledged deliveries from this queue = prefetch count) it leaves the line for a blocked
 *   list and the next one is tried. Otherwise it gets the message and goes to the back of its
 *   priority's line.
 * - A blocked consumer rejoins at the back of the line when an ack, nack or reject frees a slot.
 * - Prefetch 0 means unlimited, and consumers with automatic acknowledgement (`noAck`) are never
 *   limited by their own prefetch (`rabbit_queue_consumers:add/11`).
 * - The prefetch count is fixed when the consumer is created: a later `basic.qos` applies only to
 *   consumers created after it (https://www.rabbitmq.com/docs/3.13/consumer-prefetch).
 * - `basic.get` deliveries never count against a consumer's prefetch.
 * - A channel-wide limit (`global=true`) lives in the channel; pass `channelCanSend` to apply it.
 *   A consumer refused by its channel is blocked until {@link ConsumerRing.resumeChannel}.
 */

/** A consumer as registered by `basic.consume`. */
export interface ConsumerSpec {
  readonly consumerTag: string;
  readonly channelId: string;
  /** False for `noAck` consumers (automatic acknowledgement). */
  readonly ackRequired: boolean;
  /** `basic.qos` prefetch count in force when the consumer was created; 0 = unlimited. */
  readonly prefetchCount: number;
  /** The `x-priority` consumer argument; default 0. */
  readonly priority: number;
}

/** A consumer and its count of unacknowledged deliveries from this queue. */
export interface ConsumerState extends ConsumerSpec {
  readonly unacked: number;
}

/** Optional channel-level gate (global prefetch): may this channel receive one more delivery? */
export type ChannelCanSend = (channelId: string, ackRequired: boolean) => boolean;

/**
 * A consumer's identity inside a queue. Consumer tags are only unique per channel, so RabbitMQ
 * keys consumers by `{ChPid, CTag}`; so do we.
 */
export function consumerKey(channelId: string, consumerTag: string): string {
  return `${channelId}\u0000${consumerTag}`;
}

/** The ring's own, mutable record of a consumer (handed out read-only). */
type MutableConsumer = { -readonly [K in keyof ConsumerState]: ConsumerState[K] };

/** The line of consumers of one queue. */
export class ConsumerRing {
  private readonly consumers = new Map<string, MutableConsumer>();
  /** Keys in service order: priority descending, arrival order within a priority. */
  private line: string[] = [];
  /** Keys taken out of the line because they could not receive; insertion-ordered. */
  private readonly blocked = new Map<string, 'prefetch' | 'channel'>();
  /** Each registered consumer's key, by object, so a settle need not rebuild the key string. */
  private readonly keyOf = new Map<ConsumerState, string>();

  /** Registers a consumer at the back of its priority's line. */
  add(spec: ConsumerSpec): void {
    const key = consumerKey(spec.channelId, spec.consumerTag);
    if (this.consumers.has(key)) throw new Error(`consumer '${spec.consumerTag}' already present on its channel`);
    const c: MutableConsumer = { ...spec, unacked: 0 };
    this.consumers.set(key, c);
    this.keyOf.set(c, key);
    this.enqueue(key);
  }

  /** Removes a consumer (cancel or channel closed); returns whether it existed. */
  remove(channelId: string, consumerTag: string): boolean {
    const key = consumerKey(channelId, consumerTag);
    const c = this.consumers.get(key);
    if (c === undefined) return false;
    this.consumers.delete(key);
    this.keyOf.delete(c);
    this.line = this.line.filter((k) => k !== key);
    this.blocked.delete(key);
    return true;
  }

  /** The consumer with this tag on this channel, if registered. */
  get(channelId: string, consumerTag: string): ConsumerState | undefined {
    return this.consumers.get(consumerKey(channelId, consumerTag));
  }

  /** All consumers in registration order. */
  all(): readonly ConsumerState[] {
    return [...this.consumers.values()];
  }

  /** Number of registered consumers. */
  get size(): number {
    return this.consumers.size;
  }

  /**
   * Picks the consumer for the next message and records the delivery, or returns undefined when
   * nobody can take one now (then every consumer tried has been moved to the blocked list).
   */
  take(channelCanSend?: ChannelCanSend): ConsumerState | undefined {
    while (this.line.length > 0) {
      const key = this.line.shift() as string;
      const c = this.consumers.get(key) as MutableConsumer;
      // The consumer's own credit first: a channel gate that says yes has reserved a delivery.
      if (!creditLeft(c)) {
        this.blocked.set(key, 'prefetch');
        continue;
      }
      if (channelCanSend !== undefined && !channelCanSend(c.channelId, c.ackRequired)) {
        this.blocked.set(key, 'channel');
        continue;
      }
      if (c.ackRequired) c.unacked += 1;
      this.enqueue(key);
      return c;
    }
    return undefined;
  }

  /**
   * `count` deliveries to this consumer were acked, nacked or rejected. Returns true when that
   * unblocked it (it rejoined the line), so the queue should try to deliver again.
   */
  settled(channelId: string, consumerTag: string, count: number): boolean {
    const c = this.consumers.get(consumerKey(channelId, consumerTag));
    return c === undefined ? false : this.settledConsumer(c, count);
  }

  /**
   * {@link settled} for a consumer state this ring handed out (`take`); a consumer that has been
   * removed since is ignored.
   */
  settledConsumer(state: ConsumerState, count: number): boolean {
    const key = this.keyOf.get(state);
    if (key === undefined) return false;
    const c = state as MutableConsumer;
    const consumerTag = c.consumerTag;
    if (!c.ackRequired) return false;
    const unacked = c.unacked - count;
    if (unacked < 0) throw new Error(`consumer '${consumerTag}' settled more deliveries than it had`);
    c.unacked = unacked;
    if (this.blocked.size > 0 && this.blocked.get(key) === 'prefetch' && creditLeft(c)) {
      this.blocked.delete(key);
      this.enqueue(key);
      return true;
    }
    return false;
  }

  /** The channel's global limit freed up: its channel-blocked consumers rejoin the line. */
  resumeChannel(channelId: string): boolean {
    let any = false;
    for (const [key, why] of [...this.blocked]) {
      const c = this.consumers.get(key) as ConsumerState;
      if (c.channelId !== channelId || why !== 'channel') continue;
      this.blocked.delete(key);
      if (creditLeft(c)) this.enqueue(key);
      else this.blocked.set(key, 'prefetch');
      any = true;
    }
    return any;
  }

  /** Consumers in the order they would be served next (blocked ones excluded). */
  serviceOrder(): readonly ConsumerState[] {
    return this.line.map((k) => this.consumers.get(k) as ConsumerState);
  }

  /** Inserts at the back of the key's priority group (`priority_queue:in/3`). */
  private enqueue(key: string): void {
    const p = (this.consumers.get(key) as ConsumerState).priority;
    const line = this.line;
    // The line is sorted by priority, highest first: most often the newcomer simply goes last.
    if (line.length === 0 || (this.consumers.get(line[line.length - 1]!) as ConsumerState).priority >= p) {
      line.push(key);
      return;
    }
    const at = line.findIndex((k) => (this.consumers.get(k) as ConsumerState).priority < p);
    if (at < 0) this.line.push(key);
    else this.line.splice(at, 0, key);
  }
}

function creditLeft(c: ConsumerState): boolean {
  return !c.ackRequired || c.prefetchCount === 0 || c.unacked < c.prefetchCount;
}
