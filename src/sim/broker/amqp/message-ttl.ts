/**
 * When a message enqueued now will expire: the lower of the queue's `x-message-ttl` and the
 * message's own `expiration`, fixed at enqueue and kept across requeues
 * (`rabbit_amqqueue_process:calculate_msg_expiry/2`; https://www.rabbitmq.com/docs/3.13/ttl).
 * A quorum queue turns a TTL of 0 into "until the next millisecond"
 * (`rabbit_fifo:update_expiry_header/3`), because it cannot promise immediate delivery.
 */

import type { AmqpMessage } from './message.ts';
import type { QueueConfig } from './queue-args.ts';

/** The expiry instant in ms, or undefined when neither TTL applies. */
export function messageExpiryAtMs(config: QueueConfig, message: AmqpMessage, nowMs: number): number | undefined {
  const a = config.messageTtlMs;
  const b = message.ttlMs;
  if (a === undefined && b === undefined) return undefined;
  const ttl = a === undefined ? (b as number) : b === undefined ? a : Math.min(a, b);
  if (config.type === 'quorum' && ttl === 0) return nowMs + 1;
  return nowMs + ttl;
}
