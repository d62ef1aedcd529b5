/**
 * The inputs and outputs of a queue operation: what `basic.consume` asks for, and what the queue
 * asks the broker node to do next (deliveries to send, messages to dead-letter, publish verdicts).
 */

import type { AmqpMessage } from './message.ts';
import type { DeadLetterReason } from './x-death.ts';

/** `basic.consume` as the queue sees it. */
export interface ConsumeRequest {
  readonly consumerTag: string;
  readonly channelId: string;
  readonly noAck: boolean;
  /** The channel's per-consumer `basic.qos` prefetch at this moment; 0 = unlimited. */
  readonly prefetchCount: number;
  /** `x-priority` consumer argument. */
  readonly priority?: number;
}

/** One message handed to a consumer (or to `basic.get`). */
export interface Delivery {
  readonly queue: string;
  /** Undefined for `basic.get`. */
  readonly consumerTag: string | undefined;
  readonly channelId: string;
  /**
   * Queue-local tag to ack/nack/reject with; undefined when no ack is expected. The channel maps
   * its own delivery tags onto these, as `rabbit_channel` maps delivery tags to queue ack tags.
   */
  readonly ackTag: number | undefined;
  readonly message: AmqpMessage;
  readonly redelivered: boolean;
  /** Quorum queues: `x-delivery-count` to show (0 = header absent). Always 0 for classic. */
  readonly deliveryCount: number;
}

/** A message that left the queue abnormally; the node dead-letters it or drops it. */
export interface DeadLetterRequest {
  readonly message: AmqpMessage;
  readonly reason: DeadLetterReason;
}

/** What an operation asks the broker node to do. */
export interface QueueStep {
  readonly deliveries: readonly Delivery[];
  readonly deadLetters: readonly DeadLetterRequest[];
}

/** `basic.publish` into this queue. */
export interface PublishStep extends QueueStep {
  /** False: the publisher gets `basic.nack` (with confirms); the message is not in the queue. */
  readonly accepted: boolean;
  readonly rejectedBecause?: 'overflow' | 'store-limit';
}

/** `basic.get`. */
export interface GetStep extends QueueStep {
  readonly delivery: Delivery | undefined;
  /** Ready messages left (`basic.get-ok`'s `message-count`). */
  readonly messageCount: number;
}

/** `basic.consume`. */
export type ConsumeStep = (QueueStep & { readonly ok: true }) | { readonly ok: false; readonly reason: 'consumer-limit' | 'duplicate-tag' };

const NONE: readonly never[] = Object.freeze([]);
/** The step of an operation that did nothing visible. */
const EMPTY_STEP: QueueStep = Object.freeze({ deliveries: NONE, deadLetters: NONE });

/**
 * Collects the outputs of one operation. Most operations produce no dead-letters and at most a
 * few deliveries, so the arrays are only allocated when something is added, and the first one
 * starts a one-element list (`push` onto an empty array reserves room for seventeen, and a
 * publish that goes straight to a consumer delivers exactly one).
 */
export class StepBuilder {
  deliveries: Delivery[] = NONE as never as Delivery[];
  deadLetters: DeadLetterRequest[] = NONE as never as DeadLetterRequest[];
  deliver(d: Delivery): void {
    if (this.deliveries === (NONE as unknown)) this.deliveries = [d];
    else this.deliveries.push(d);
  }
  deadLetter(message: AmqpMessage, reason: DeadLetterReason): void {
    if (this.deadLetters === (NONE as unknown)) this.deadLetters = [{ message, reason }];
    else this.deadLetters.push({ message, reason });
  }
  build(): QueueStep {
    return { deliveries: this.deliveries, deadLetters: this.deadLetters };
  }
  /** Like {@link build}, but a step with no effects is one shared object. */
  result(): QueueStep {
    if (this.deliveries === (NONE as unknown) && this.deadLetters === (NONE as unknown)) return EMPTY_STEP;
    return { deliveries: this.deliveries, deadLetters: this.deadLetters };
  }
}
