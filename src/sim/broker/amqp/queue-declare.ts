/**
 * The checks of `queue.declare` that do not need a queue's messages, with RabbitMQ 3.13's texts
 * (`rabbit_channel:handle_method/6` for `queue.declare`, `rabbit_amqqueue:assert_equivalence/5`,
 * `check_exclusive_access/3`, `rabbit_misc:assert_args_equivalence/4`,
 * `rabbit_queue_type_util:check_{auto_delete,exclusive,non_durable}/1`):
 *
 * - a name starting with `amq.` is refused (403); the empty name asks for a server-named queue
 *   `amq.gen-…` (classic queues only: a quorum queue needs a name, 406);
 * - `exclusive` forces `durable` to false;
 * - a redeclare is checked in this order: exclusive ownership (405), `durable`, `auto_delete`,
 *   then each argument the queue type knows (406 "inequivalent arg"); integer types compare as one
 *   class, so `x-max-length` sent as `byte 5` equals `long 5`;
 * - quorum queues must be durable, non-exclusive and not auto-delete (406 "invalid property").
 */

import { amqpError, fail, ok, resourceName, type AmqpError, type AmqpResult } from './amqp-error.ts';
import { isIntegerField, tableLookup, type FieldTable, type FieldValue } from './field-value.ts';
import { CLASSIC_ARGS, QUORUM_ARGS, type QueueType } from './queue-args.ts';
import type { QueueRecord } from './metadata.ts';
import type { Rng } from '../../rng.ts';

/** `check_name/2` for queues: the `amq.` prefix is reserved. */
export function checkQueueName(name: string): AmqpError | undefined {
  if (name.startsWith('amq.')) return amqpError('ACCESS_REFUSED', `queue name '${name}' contains reserved prefix 'amq.*'`);
  return undefined;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** `rabbit_guid:binary(gen_secure(), Prefix)`: the prefix, a dash and 22 base64url characters. */
export function serverName(prefix: 'amq.gen' | 'amq.ctag', rng: Rng): string {
  let s = `${prefix}-`;
  for (let i = 0; i < 22; i++) s += BASE64URL[rng.int(0, 63)];
  return s;
}

/** The queue type a declaration asks for (`x-queue-type`, classic when absent or not a string). */
export function declaredType(args: FieldTable): QueueType {
  const t = tableLookup(args, 'x-queue-type');
  return t?.type === 'longstr' && t.value === 'quorum' ? 'quorum' : 'classic';
}

/** The property checks a quorum queue declaration must pass. */
export function checkQuorumProperties(name: string, durable: boolean, exclusive: boolean, autoDelete: boolean): AmqpError | undefined {
  const q = resourceName('queue', name);
  if (autoDelete) return amqpError('PRECONDITION_FAILED', `invalid property 'auto-delete' for ${q}`);
  if (exclusive) return amqpError('PRECONDITION_FAILED', `invalid property 'exclusive-owner' for ${q}`);
  if (!durable) return amqpError('PRECONDITION_FAILED', `invalid property 'non-durable' for ${q}`);
  return undefined;
}

/** What a redeclaration asks for. */
export interface Redeclare {
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusive: boolean;
  readonly arguments: FieldTable;
  /** The declaring connection. */
  readonly connection: string;
}

/** `check_exclusive_access/2` (lax): an exclusive queue belongs to one connection; others get 405. */
export function checkExclusiveAccess(q: QueueRecord, connection: string): AmqpError | undefined {
  if (q.exclusiveOwner === undefined || q.exclusiveOwner === connection) return undefined;
  return lockedError(q.name);
}

function lockedError(name: string): AmqpError {
  return amqpError(
    'RESOURCE_LOCKED',
    `cannot obtain exclusive access to locked ${resourceName('queue', name)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
  );
}

/** `assert_equivalence/5` with full checks (`quorum_relaxed_checks_on_redeclaration` off, the default). */
export function checkEquivalence(q: QueueRecord, r: Redeclare): AmqpResult<void> {
  const owner = r.exclusive ? r.connection : undefined;
  // check_exclusive_access(Q, Owner, strict): the owner must match exactly, "none" included.
  if (q.exclusiveOwner !== owner) return fail(lockedError(q.name));
  const name = resourceName('queue', q.name);
  if (q.durable !== r.durable) return fail(inequivalent('durable', name, `'${r.durable}'`, `'${q.durable}'`));
  if (q.autoDelete !== r.autoDelete) return fail(inequivalent('auto_delete', name, `'${r.autoDelete}'`, `'${q.autoDelete}'`));
  for (const key of q.type === 'classic' ? CLASSIC_ARGS : QUORUM_ARGS) {
    const current = tableLookup(q.arguments, key);
    const received = tableLookup(r.arguments, key);
    if (same(current, received)) continue;
    if (key === 'x-queue-type' && (isClassic(current) || isClassic(received)) && (current === undefined || received === undefined)) continue;
    return fail(inequivalent(key, name, val(received), val(current)));
  }
  return ok(undefined);
}

function isClassic(v: FieldValue | undefined): boolean {
  return v?.type === 'longstr' && v.value === 'classic';
}

/** `type_class/1` equality: integers are one class, floats another, the rest by type; then `==`. */
function same(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ca = isIntegerField(a) ? 'int' : a.type === 'float' || a.type === 'double' ? 'float' : a.type;
  const cb = isIntegerField(b) ? 'int' : b.type === 'float' || b.type === 'double' ? 'float' : b.type;
  return ca === cb && JSON.stringify((a as { value?: unknown }).value) === JSON.stringify((b as { value?: unknown }).value);
}

function inequivalent(key: string, name: string, received: string, current: string): AmqpError {
  return amqpError('PRECONDITION_FAILED', `inequivalent arg '${key}' for ${name}: received ${received} but current is ${current}`);
}

/** `rabbit_misc:val/1`. */
function val(v: FieldValue | undefined): string {
  if (v === undefined) return 'none';
  const value = v.type === 'void' ? 'undefined' : v.type === 'longstr' || v.type === 'binary' ? v.value : JSON.stringify(v.value);
  return `the value '${value}' of type '${v.type}'`;
}
