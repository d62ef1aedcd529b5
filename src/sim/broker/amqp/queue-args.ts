/**
 * Queue declaration arguments (`x-message-ttl`, `x-expires`, `x-max-length`, `x-max-length-bytes`,
 * `x-overflow`, `x-max-priority`, `x-dead-letter-exchange`, `x-dead-letter-routing-key`,
 * `x-delivery-limit`, `x-queue-type`) validated and turned into a queue's configuration, as
 * RabbitMQ 3.13.7 does in `rabbit_amqqueue:check_declare_arguments/3`.
 *
 * - Each queue type accepts its own arguments; an argument that belongs only to another type is a
 *   406 (`x-max-priority` on a quorum queue, `x-delivery-limit` on a classic queue). Unknown
 *   arguments are ignored.
 * - Integers may be any AMQP integer type; TTLs are 0…10 years; `x-expires` must be positive;
 *   `x-max-priority` is 0…255 and a queue declared with 0 still gets two levels (`max(1, N)`,
 *   `rabbit_priority_queue:priorities/1`).
 * - `x-dead-letter-routing-key` needs `x-dead-letter-exchange`.
 * - Quorum queues do not support `reject-publish-dlx`: RabbitMQ logs a warning and uses
 *   `drop-head` (`rabbit_quorum_queue:overflow/3`).
 * - Policies are not modelled; arguments are the only source of these settings.
 */

import { amqpError, fail, ok, resourceName, type AmqpResult } from './amqp-error.ts';
import { isIntegerField, tableLookup, type FieldTable, type FieldValue } from './field-value.ts';
import { MAX_EXPIRY_MS } from './message.ts';

/** Queue types modelled. Streams are not. */
export type QueueType = 'classic' | 'quorum';

/** `x-overflow` values. */
export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** A queue's effective settings. Undefined means "not set". */
export interface QueueConfig {
  readonly name: string;
  readonly type: QueueType;
  readonly messageTtlMs: number | undefined;
  readonly expiresMs: number | undefined;
  readonly maxLength: number | undefined;
  readonly maxLengthBytes: number | undefined;
  /** Effective overflow behaviour (quorum queues never have `reject-publish-dlx`). */
  readonly overflow: Overflow;
  /** Highest priority level of a classic priority queue (levels 0…maxPriority). */
  readonly maxPriority: number | undefined;
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  /** Quorum queues only. RabbitMQ 3.13 has no default (4.0 defaults to 20). */
  readonly deliveryLimit: number | undefined;
}

/** RabbitMQ's highest supported message priority (`?MAX_SUPPORTED_PRIORITY`). */
export const MAX_SUPPORTED_PRIORITY = 255;

/** The arguments a classic queue accepts, in RabbitMQ's order (also the ones a redeclare compares). */
export const CLASSIC_ARGS: readonly string[] = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-version',
  'x-single-active-consumer',
  'x-queue-type',
  'x-queue-master-locator',
];
/** The arguments a quorum queue accepts, in RabbitMQ's order. */
export const QUORUM_ARGS: readonly string[] = [
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-dead-letter-strategy',
  'x-expires',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
  'x-overflow',
  'x-single-active-consumer',
  'x-queue-type',
  'x-quorum-initial-group-size',
  'x-delivery-limit',
  'x-message-ttl',
  'x-queue-leader-locator',
];
const STREAM_ARGS = [
  'x-max-length-bytes',
  'x-queue-type',
  'x-max-age',
  'x-stream-max-segment-size-bytes',
  'x-initial-cluster-size',
  'x-queue-leader-locator',
];
const ALL_ARGS = [...new Set([...CLASSIC_ARGS, ...QUORUM_ARGS, ...STREAM_ARGS])];

/** The Erlang module name RabbitMQ prints for a queue type in its "invalid arg" text. */
const TYPE_MODULE: Record<QueueType, string> = { classic: 'rabbit_classic_queue', quorum: 'rabbit_quorum_queue' };

type Check = (v: FieldValue, args: FieldTable) => string | undefined;

/** `declare_args/0` validators that matter here, in RabbitMQ's order. */
const VALIDATORS: ReadonlyArray<readonly [string, Check]> = [
  ['x-expires', (v) => checkInt(v) ?? (num(v) === 0 ? '{value_zero,0}' : checkExpiry(num(v)))],
  ['x-message-ttl', (v) => checkInt(v) ?? checkExpiry(num(v))],
  ['x-dead-letter-exchange', (v) => (v.type === 'longstr' ? undefined : `{unacceptable_type,${v.type}}`)],
  [
    'x-dead-letter-routing-key',
    (v, args) =>
      v.type !== 'longstr'
        ? `{unacceptable_type,${v.type}}`
        : tableLookup(args, 'x-dead-letter-exchange') === undefined
          ? 'routing_key_but_no_dlx_defined'
          : undefined,
  ],
  ['x-max-length', (v) => checkNonNegInt(v)],
  ['x-max-length-bytes', (v) => checkNonNegInt(v)],
  [
    'x-max-priority',
    (v) => checkNonNegInt(v) ?? (num(v) > MAX_SUPPORTED_PRIORITY ? `{max_value_exceeded,${num(v)}}` : undefined),
  ],
  [
    'x-overflow',
    (v) =>
      v.type !== 'longstr'
        ? `{unacceptable_type,${v.type}}`
        : ['drop-head', 'reject-publish', 'reject-publish-dlx'].includes(v.value)
          ? undefined
          : 'invalid_overflow',
  ],
];

/**
 * Validates a `queue.declare`'s arguments for a queue named `name` and returns its configuration,
 * or the 406 RabbitMQ would close the channel with.
 */
export function parseQueueArguments(name: string, args: FieldTable): AmqpResult<QueueConfig> {
  const queue = resourceName('queue', name);
  const typeArg = tableLookup(args, 'x-queue-type');
  let type: QueueType = 'classic';
  if (typeArg !== undefined) {
    if (typeArg.type !== 'longstr') return fail(invalidArg('x-queue-type', queue, `{unacceptable_type,${typeArg.type}}`));
    if (typeArg.value !== 'classic' && typeArg.value !== 'quorum') {
      return fail(invalidArg('x-queue-type', queue, `"unsupported queue type '${typeArg.value}'"`));
    }
    type = typeArg.value;
  }
  const own = type === 'classic' ? CLASSIC_ARGS : QUORUM_ARGS;
  for (const [key, check] of VALIDATORS) {
    if (!own.includes(key)) continue;
    const v = tableLookup(args, key);
    if (v === undefined) continue;
    const problem = check(v, args);
    if (problem !== undefined) return fail(invalidArg(key, queue, problem));
  }
  for (const entry of args) {
    if (ALL_ARGS.includes(entry.name) && !own.includes(entry.name)) {
      return fail(
        amqpError('PRECONDITION_FAILED', `invalid arg '${entry.name}' for ${queue} of queue type ${TYPE_MODULE[type]}`),
      );
    }
  }

  const overflowArg = stringArg(args, 'x-overflow') as Overflow | undefined;
  const overflow: Overflow =
    overflowArg === undefined || (type === 'quorum' && overflowArg === 'reject-publish-dlx') ? 'drop-head' : overflowArg;
  const maxPriorityArg = type === 'classic' ? intArg(args, 'x-max-priority') : undefined;
  return ok({
    name,
    type,
    messageTtlMs: intArg(args, 'x-message-ttl'),
    expiresMs: intArg(args, 'x-expires'),
    maxLength: intArg(args, 'x-max-length'),
    maxLengthBytes: intArg(args, 'x-max-length-bytes'),
    overflow,
    maxPriority: maxPriorityArg === undefined ? undefined : Math.max(1, Math.min(maxPriorityArg, MAX_SUPPORTED_PRIORITY)),
    deadLetterExchange: stringArg(args, 'x-dead-letter-exchange'),
    deadLetterRoutingKey: stringArg(args, 'x-dead-letter-routing-key'),
    deliveryLimit: type === 'quorum' ? intArg(args, 'x-delivery-limit') : undefined,
  });
}

function invalidArg(key: string, queue: string, problem: string) {
  return amqpError('PRECONDITION_FAILED', `invalid arg '${key}' for ${queue}: ${problem}`);
}

function num(v: FieldValue): number {
  return (v as { value: number }).value;
}

function checkInt(v: FieldValue): string | undefined {
  return isIntegerField(v) ? undefined : `"expected integer, got ${v.type}"`;
}

function checkNonNegInt(v: FieldValue): string | undefined {
  return checkInt(v) ?? (num(v) < 0 ? `{value_negative,${num(v)}}` : undefined);
}

function checkExpiry(n: number): string | undefined {
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY_MS) return `{value_too_large,${n}}`;
  return undefined;
}

function intArg(args: FieldTable, key: string): number | undefined {
  const v = tableLookup(args, key);
  return v !== undefined && isIntegerField(v) ? v.value : undefined;
}

function stringArg(args: FieldTable, key: string): string | undefined {
  const v = tableLookup(args, key);
  return v?.type === 'longstr' ? v.value : undefined;
}
