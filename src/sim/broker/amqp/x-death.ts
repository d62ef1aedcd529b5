/**
 * The dead-letter history a message carries, and its AMQP 0-9-1 rendering as the `x-death` header.
 *
 * Modelled on RabbitMQ 3.13.7 with the `message_containers_deaths_v2` feature flag (3.13.3+):
 * - one record per `{queue, reason}` pair, the array ordered by recency (newest first);
 * - dead-lettering again from the same queue for the same reason increments `count`, updates the
 *   (0-9-1-invisible) last time and moves the record to the front; `exchange`, `routing-keys`,
 *   `time` and `original-expiration` keep their values from the first time (`mc:record_death/4`);
 * - `time` is the *first* time, in whole seconds (`mc_amqpl:death_table/7`);
 * - a client that re-publishes a message keeps its history: an `x-death` header on a published
 *   message is read back into records (`mc_amqpl:headers_to_deaths/2`), so counts keep growing
 *   (rabbitmq-server dead_lettering_SUITE `x_death_header_from_amqpl_client`).
 * Docs: https://www.rabbitmq.com/docs/3.13/dlx#effects
 */

import {
  isIntegerField,
  long,
  longstr,
  tableLookup,
  type FieldTable,
  type FieldValue,
} from './field-value.ts';

/** Why a message was dead-lettered; the strings are RabbitMQ's `reason` values. */
export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen' | 'delivery_limit';

/** All reasons, for validation when reading a client-supplied `x-death` header. */
export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['rejected', 'expired', 'maxlen', 'delivery_limit'];

/** One `{queue, reason}` entry of the history. */
export interface DeathRecord {
  readonly queue: string;
  readonly reason: DeadLetterReason;
  /** Exchange the message was published to before its first death here for this reason. */
  readonly exchange: string;
  /** Routing keys (with `CC`, without `BCC`) before its first death here for this reason. */
  readonly routingKeys: readonly string[];
  readonly count: number;
  readonly firstTimeMs: number;
  /** Kept for fidelity with AMQP 1.0's `last-time`; 0-9-1 does not show it. */
  readonly lastTimeMs: number;
  /** The message's own `expiration` (ms) at its first death here, if it had one. */
  readonly originalExpirationMs?: number;
}

/** What is known about one dead-lettering event when it happens. */
export interface DeathEvent {
  readonly queue: string;
  readonly reason: DeadLetterReason;
  readonly exchange: string;
  readonly routingKeys: readonly string[];
  readonly ttlMs: number | undefined;
  readonly nowMs: number;
}

/**
 * `mc:record_death/4` (deaths v2): the new history, newest first. An existing record for the
 * same queue and reason is counted up and moved to the front; otherwise a new one is prepended.
 */
export function recordDeath(deaths: readonly DeathRecord[], event: DeathEvent): DeathRecord[] {
  const at = deaths.findIndex((d) => d.queue === event.queue && d.reason === event.reason);
  if (at >= 0) {
    const old = deaths[at] as DeathRecord;
    const updated: DeathRecord = { ...old, count: old.count + 1, lastTimeMs: event.nowMs };
    return [updated, ...deaths.slice(0, at), ...deaths.slice(at + 1)];
  }
  const fresh: DeathRecord = {
    queue: event.queue,
    reason: event.reason,
    exchange: event.exchange,
    routingKeys: [...event.routingKeys],
    count: 1,
    firstTimeMs: event.nowMs,
    lastTimeMs: event.nowMs,
    ...(event.ttlMs === undefined ? {} : { originalExpirationMs: event.ttlMs }),
  };
  return [fresh, ...deaths];
}

/** The `x-death` header value: an array of tables, field order as `death_table/7` writes them. */
export function xDeathHeader(deaths: readonly DeathRecord[]): FieldValue {
  return { type: 'array', value: deaths.map(deathTable) };
}

function deathTable(d: DeathRecord): FieldValue {
  const entries: FieldTable = [
    { name: 'count', value: long(d.count) },
    { name: 'reason', value: longstr(d.reason) },
    { name: 'queue', value: longstr(d.queue) },
    // 0-9-1 timestamps are seconds; Erlang's `div` truncates.
    { name: 'time', value: { type: 'timestamp', value: Math.trunc(d.firstTimeMs / 1000) } },
    { name: 'exchange', value: longstr(d.exchange) },
    { name: 'routing-keys', value: { type: 'array', value: d.routingKeys.map(longstr) } },
  ];
  const value =
    d.originalExpirationMs === undefined
      ? entries
      : [{ name: 'original-expiration', value: longstr(String(d.originalExpirationMs)) }, ...entries];
  return { type: 'table', value };
}

/**
 * `headers_to_deaths/2` + `recover_deaths/2`: reads an `x-death` header a client published.
 * Undefined when there is no usable array (RabbitMQ then treats the message as never dead);
 * entries missing a field are skipped, as RabbitMQ skips them. The last time is unknown in 0-9-1
 * and is set to the first time, as RabbitMQ does.
 */
export function deathsFromHeaders(headers: FieldTable | undefined): DeathRecord[] | undefined {
  const xDeath = tableLookup(headers, 'x-death');
  if (xDeath === undefined || xDeath.type !== 'array') return undefined;
  const deaths: DeathRecord[] = [];
  for (const item of xDeath.value) {
    if (item.type !== 'table') continue;
    const record = recoverOne(item.value);
    if (record !== undefined) deaths.push(record);
  }
  return deaths;
}

function recoverOne(t: FieldTable): DeathRecord | undefined {
  const exchange = stringOf(tableLookup(t, 'exchange'));
  const queue = stringOf(tableLookup(t, 'queue'));
  const keys = tableLookup(t, 'routing-keys');
  const reason = stringOf(tableLookup(t, 'reason'));
  const count = tableLookup(t, 'count');
  const time = tableLookup(t, 'time');
  if (exchange === undefined || queue === undefined || reason === undefined) return undefined;
  if (keys?.type !== 'array' || count === undefined || !isIntegerField(count)) return undefined;
  if (time === undefined || !(time.type === 'timestamp' || isIntegerField(time))) return undefined;
  if (!(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) return undefined;
  const timeMs = (time.value as number) * 1000;
  const expiration = stringOf(tableLookup(t, 'original-expiration'));
  const ttl = expiration !== undefined && /^-?\d+$/.test(expiration) ? Number(expiration) : undefined;
  return {
    queue,
    reason: reason as DeadLetterReason,
    exchange,
    routingKeys: keys.value.flatMap((k) => (k.type === 'longstr' ? [k.value] : [])),
    count: count.value,
    firstTimeMs: timeMs,
    lastTimeMs: timeMs,
    ...(ttl === undefined ? {} : { originalExpirationMs: ttl }),
  };
}

function stringOf(v: FieldValue | undefined): string | undefined {
  return v !== undefined && (v.type === 'longstr' || v.type === 'binary') ? v.value : undefined;
}
