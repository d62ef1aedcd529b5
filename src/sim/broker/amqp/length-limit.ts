/**
 * `x-max-length` / `x-max-length-bytes` arithmetic. Only *ready* messages count, and bytes are
 * message body bytes (https://www.rabbitmq.com/docs/3.13/maxlength).
 */

import type { QueueConfig } from './queue-args.ts';

/** What the checks need to know about a queue's ready messages. */
export interface ReadyTotals {
  readonly length: number;
  readonly byteSize: number;
}

/** The quorum queue's reject-publish low-water mark (`?LOW_LIMIT` in rabbit_fifo.hrl). */
export const QUORUM_LOW_LIMIT = 0.8;

/** `over_max_length/1` (classic) / `is_over_limit/1` (quorum): above a limit right now? */
export function isOverLimit(config: QueueConfig, ready: ReadyTotals): boolean {
  const { maxLength, maxLengthBytes } = config;
  return (
    (maxLength !== undefined && ready.length > maxLength) ||
    (maxLengthBytes !== undefined && ready.byteSize > maxLengthBytes)
  );
}

/** Classic `will_overflow/2`: would one more message of this size go above a limit? */
export function wouldOverflow(config: QueueConfig, ready: ReadyTotals, bodySize: number): boolean {
  const { maxLength, maxLengthBytes } = config;
  return (
    (maxLength !== undefined && ready.length + 1 > maxLength) ||
    (maxLengthBytes !== undefined && ready.byteSize + bodySize > maxLengthBytes)
  );
}

/**
 * Quorum `is_below_soft_limit/1`: back at or under 80 % of every limit, where a quorum queue in
 * `reject-publish` mode starts accepting publishes again.
 */
export function isBelowSoftLimit(config: QueueConfig, ready: ReadyTotals): boolean {
  const below = (limit: number | undefined, n: number) => limit === undefined || n <= Math.trunc(limit * QUORUM_LOW_LIMIT);
  return below(config.maxLength, ready.length) && below(config.maxLengthBytes, ready.byteSize);
}
