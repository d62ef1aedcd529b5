/**
 * `x-expires` bookkeeping: when an unused queue may be deleted.
 *
 * "Unused means the queue has no consumers, the queue has not been recently redeclared
 * (redeclaring renews the lease), and basic.get has not been invoked for a duration of at least
 * the expiration period" (https://www.rabbitmq.com/docs/3.13/ttl#queue-ttl). Messages in the queue
 * do not count as use, and an expired queue's messages are not dead-lettered.
 *
 * Classic queues (`rabbit_amqqueue_process`): the lease starts at creation and is renewed by
 * `queue.declare` (including passive), `basic.get`, and by the last consumer going away (cancel or
 * channel closed); while a consumer exists the queue is in use. The timer fires exactly
 * `x-expires` ms after the last renewal.
 *
 * Quorum queues (`rabbit_fifo`): the lease (`last_active`) is renewed by `basic.get` and by a
 * consumer being removed, but not by a redeclare (that is a read-only query); a cancelled consumer
 * still holding unacknowledged messages counts as a consumer; and expiry needs the time to be
 * strictly past `last_active + x-expires`, checked on the queue's periodic tick.
 *
 * The queue reports the earliest instant the queue may be deleted; the broker node schedules it.
 */

import type { QueueType } from './queue-args.ts';

/** The lease of one queue. */
export class QueueLease {
  private lastUsedMs: number;
  private inUse = false;

  constructor(
    private readonly expiresMs: number | undefined,
    private readonly type: QueueType,
    createdAtMs: number,
  ) {
    this.lastUsedMs = createdAtMs;
  }

  /** `basic.get`: renews the lease for both queue types (when no consumer holds it). */
  basicGet(nowMs: number): void {
    if (!this.inUse) this.lastUsedMs = nowMs;
  }

  /** A redeclare (or passive declare): renews a classic queue's lease only. */
  redeclared(nowMs: number): void {
    if (this.type === 'classic' && !this.inUse) this.lastUsedMs = nowMs;
  }

  /** Consumers appeared or all went away; going unused starts a fresh lease. */
  setInUse(inUse: boolean, nowMs: number): void {
    if (this.inUse && !inUse) this.lastUsedMs = nowMs;
    this.inUse = inUse;
  }

  /** The earliest time the queue may be deleted, or undefined (no `x-expires`, or in use). */
  expiresAtMs(): number | undefined {
    if (this.expiresMs === undefined || this.inUse) return undefined;
    // rabbit_fifo:is_expired/2 uses `Ts > LastActive + Expires`; whole milliseconds, so +1.
    return this.lastUsedMs + this.expiresMs + (this.type === 'quorum' ? 1 : 0);
  }

  /** Should the queue be deleted at `nowMs`? */
  isExpired(nowMs: number): boolean {
    const at = this.expiresAtMs();
    return at !== undefined && nowMs >= at;
  }
}
