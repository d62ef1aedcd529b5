/**
 * Dead-lettering: building the message RabbitMQ republishes to a queue's dead-letter exchange,
 * and deciding where it goes (`rabbit_dead_letter:publish/5`, `detect_cycles/3`,
 * `mc:record_death/4`; RabbitMQ 3.13.7 with deaths v2).
 *
 * The dead-lettered message:
 * - is routed with `[x-dead-letter-routing-key]` if the queue has one, otherwise with *all* its
 *   routing keys — publish key, `CC` and `BCC` keys (dead_lettering_SUITE
 *   `dead_letter_routing_key_header_CC`, `..._BCC`);
 * - records the death ({@link recordDeath}): `exchange` is the exchange the message was last
 *   published to (`""` for the default exchange), `routing-keys` are its keys minus the `BCC` ones,
 *   `original-expiration` is its own `expiration` if it had one;
 * - gets `x-first-death-{reason,queue,exchange}` on its first death (never changed afterwards) and
 *   `x-last-death-{reason,queue,exchange}` on every death (3.13+; the latter are absent in 3.12);
 * - loses its `expiration`, so it cannot expire again in the queues it is routed to;
 * - keeps its headers, including `CC` even when a dead-letter routing key replaced the keys
 *   (3.13 stopped removing it; dead_lettering_SUITE `dead_letter_headers_CC_with_routing_key`);
 * - now says the DLX is its exchange and the new first routing key is what consumers see.
 *
 * Cycles: unless the reason is `rejected`, a target queue the message already died in is dropped
 * when no death since then (in recency order) was a rejection — a fully automatic loop
 * (https://www.rabbitmq.com/docs/3.13/dlx#routing, dead_lettering_SUITE
 * `dead_letter_routing_key_cycle_max_length`, `dead_letter_reject_expire_expire`).
 *
 * Whole-queue expiry (`x-expires`) does not dead-letter anything.
 */

import { routingInputOf, type AmqpMessage } from './message.ts';
import { routeFrom, type RouteTrace } from './router.ts';
import type { Topology } from './topology.ts';
import { recordDeath, type DeadLetterReason } from './x-death.ts';

/** Everything that decides what the dead-lettered copy looks like. */
export interface DeadLetterInput {
  readonly message: AmqpMessage;
  readonly reason: DeadLetterReason;
  /** The queue the message died in. */
  readonly queue: string;
  /** `x-dead-letter-exchange` of that queue (`""` is the default exchange). */
  readonly deadLetterExchange: string;
  /** `x-dead-letter-routing-key` of that queue, if set. */
  readonly deadLetterRoutingKey: string | undefined;
  /** The dead-lettering node's wall clock, in ms (recorded as x-death `time`). */
  readonly nowMs: number;
}

/** The message as RabbitMQ republishes it to the dead-letter exchange. */
export function deadLetteredMessage(input: DeadLetterInput): AmqpMessage {
  const { message, reason, queue, nowMs } = input;
  const deaths = recordDeath(message.deaths ?? [], {
    queue,
    reason,
    exchange: message.exchange,
    routingKeys: withoutBcc(message.routingKeys, message.bccKeys),
    ttlMs: message.ttlMs,
    nowMs,
  });
  const last = {
    'x-last-death-reason': reason,
    'x-last-death-queue': queue,
    'x-last-death-exchange': message.exchange,
  };
  const annotations =
    message.deaths === undefined
      ? {
          ...message.annotations,
          'x-first-death-reason': reason,
          'x-first-death-queue': queue,
          'x-first-death-exchange': message.exchange,
          ...last,
        }
      : { ...message.annotations, ...last };
  const { expiration: _removed, ...properties } = message.properties;
  return {
    ...message,
    exchange: input.deadLetterExchange,
    routingKeys: input.deadLetterRoutingKey === undefined ? [...message.routingKeys] : [input.deadLetterRoutingKey],
    properties,
    ttlMs: undefined,
    deaths,
    annotations,
  };
}

/** Erlang's `--`: removes one occurrence of each BCC key, as `record_death` does. */
function withoutBcc(keys: readonly string[], bcc: readonly string[]): string[] {
  const out = [...keys];
  for (const k of bcc) {
    const at = out.indexOf(k);
    if (at >= 0) out.splice(at, 1);
  }
  return out;
}

/** Target queues after cycle detection, plus the cycles found (for the history / a warning). */
export interface CycleCheck {
  readonly queues: readonly string[];
  /** Each dropped target followed by the queues of the history, newest first. */
  readonly cycles: ReadonlyArray<readonly string[]>;
}

/** `detect_cycles/3`, applied to the already dead-lettered message. */
export function dropDeathCycles(
  reason: DeadLetterReason,
  deadLettered: AmqpMessage,
  targets: readonly string[],
): CycleCheck {
  if (reason === 'rejected') return { queues: [...targets], cycles: [] };
  const deaths = deadLettered.deaths ?? [];
  const names = deaths.map((d) => d.queue);
  const queues: string[] = [];
  const cycles: string[][] = [];
  for (const target of targets) {
    const at = deaths.findIndex((d) => d.queue === target);
    const automatic = at >= 0 && deaths.slice(0, at + 1).every((d) => d.reason !== 'rejected');
    if (automatic) cycles.push([target, ...names]);
    else queues.push(target);
  }
  return { queues, cycles };
}

/** The whole dead-lettering step: build the message, route it, drop cycles. */
export type DeadLetterOutcome =
  | {
      readonly kind: 'republished';
      readonly message: AmqpMessage;
      /** Queues that receive the dead-lettered copy (possibly none: then it is lost). */
      readonly queues: readonly string[];
      readonly cycles: ReadonlyArray<readonly string[]>;
      readonly trace: RouteTrace;
    }
  /** No `x-dead-letter-exchange`, or it does not exist (yet): the message is simply dropped. */
  | { readonly kind: 'dropped'; readonly why: 'no-dead-letter-exchange' | 'dead-letter-exchange-missing' };

/**
 * Dead-letters a message from a queue whose DLX settings are given. RabbitMQ drops the message
 * silently when the DLX is not set or does not exist at that moment
 * (dead_lettering_SUITE `dead_letter_missing_exchange`).
 */
export function deadLetter(
  topology: Topology,
  input: Omit<DeadLetterInput, 'deadLetterExchange'> & { readonly deadLetterExchange: string | undefined },
): DeadLetterOutcome {
  const dlx = input.deadLetterExchange;
  if (dlx === undefined) return { kind: 'dropped', why: 'no-dead-letter-exchange' };
  if (topology.exchange(dlx) === undefined) return { kind: 'dropped', why: 'dead-letter-exchange-missing' };
  const message = deadLetteredMessage({ ...input, deadLetterExchange: dlx });
  const trace = routeFrom(topology, dlx, routingInputOf(message));
  const checked = dropDeathCycles(input.reason, message, trace.queues);
  return { kind: 'republished', message, queues: checked.queues, cycles: checked.cycles, trace };
}

