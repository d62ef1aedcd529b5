/**
 * A message inside the broker: what the publisher sent plus the annotations RabbitMQ 3.13 keeps
 * beside it (its message container, `mc`), and the view a consumer gets back.
 *
 * On publish (`mc_amqpl:message/4`, `rabbit_basic:header_routes/1`):
 * - the routing keys are the publish key, then the `CC` header's keys, then the `BCC` header's
 *   keys (sender-selected distribution); both headers must be arrays, only `longstr` items count;
 * - the `BCC` header is removed from the message, so no consumer ever sees it, but its keys are
 *   remembered (they route, and they are left out of `x-death`'s `routing-keys`);
 * - `expiration` must be a decimal string of 0…315360000000 ms (`rabbit_basic:parse_expiration/1`),
 *   otherwise the channel is closed with 406;
 * - an `x-death` header is read back into the dead-letter history (3.13.3+).
 *
 * On delivery (`mc_amqpl:protocol_state/2`) the history is written out as `x-death`, the
 * `x-first-death-*` / `x-last-death-*` annotations and a quorum queue's `x-delivery-count` become
 * headers, and — a visible 3.13 detail — the header table comes out sorted by name with
 * duplicate names removed (first one kept).
 */

import { assert } from '../../assert.ts';
import { amqpError, fail, ok, type AmqpResult } from './amqp-error.ts';
import {
  compareBinaries,
  long,
  longstr,
  tableDeleteFirst,
  tableLookup,
  tableSet,
  type FieldEntry,
  type FieldTable,
} from './field-value.ts';
import type { RoutingInput } from './exchange.ts';
import { deathsFromHeaders, xDeathHeader, type DeathRecord } from './x-death.ts';

/** AMQP 0-9-1 `basic` class properties, named as amqplib names them. */
export interface BasicProperties {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly headers?: FieldTable;
  readonly deliveryMode?: 1 | 2;
  readonly priority?: number;
  readonly correlationId?: string;
  readonly replyTo?: string;
  /** Per-message TTL in milliseconds, as a decimal string (that is what the protocol carries). */
  readonly expiration?: string;
  readonly messageId?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly type?: string;
  readonly userId?: string;
  readonly appId?: string;
}

/**
 * A message as the broker holds it. Immutable: every change builds a new one. Its simulator-wide
 * identity, which lets the history follow one message through queues and DLXs, is `messageId`.
 */
export interface AmqpMessage {
  /**
   * The identity's parts: `origin:serial` for every message a client publishes, else (`serial`
   * -1) `origin` alone is the id. The per-message history records the two numbers
   * (`History.recordShapedSerial`), and nothing on the hot path builds the string.
   */
  readonly origin: string;
  readonly serial: number;
  /** The exchange it was last published (or dead-lettered) to; `basic.deliver` shows it. */
  readonly exchange: string;
  /** Publish key first (the one `basic.deliver` shows), then `CC`, then `BCC` keys. */
  readonly routingKeys: readonly string[];
  /** Keys that came from `BCC`; the header itself has been stripped. */
  readonly bccKeys: readonly string[];
  readonly properties: BasicProperties;
  /** Opaque payload (learner data); the broker never looks inside. */
  readonly body: unknown;
  /** Body length in bytes: what `x-max-length-bytes` counts (properties are not counted). */
  readonly bodySize: number;
  /** Parsed `expiration`, undefined when absent (and after dead-lettering). */
  readonly ttlMs: number | undefined;
  /** Dead-letter history, newest first; undefined until the first death. */
  readonly deaths: readonly DeathRecord[] | undefined;
  /** `x-first-death-*` and `x-last-death-*` annotations (strings). */
  readonly annotations: Readonly<Record<string, string>>;
}

/**
 * What a publisher hands the broker in `basic.publish`: its identity as `origin` and `serial`
 * (a client's publishes), or as an opaque `id`.
 */
export interface PublishInput {
  readonly id?: string;
  readonly origin?: string;
  readonly serial?: number;
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: BasicProperties;
  readonly body: unknown;
  readonly bodySize: number;
}

const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({});

/** A message's simulator-wide identity: `origin:serial`, or `origin` for an opaque id. */
export function messageId(m: { readonly origin: string; readonly serial: number }): string {
  return m.serial >= 0 ? `${m.origin}:${m.serial}` : m.origin;
}

/** The largest TTL RabbitMQ accepts: ten years in milliseconds (`rabbit_misc:check_expiry/1`). */
export const MAX_EXPIRY_MS = 315_360_000_000;

/**
 * Validates and builds the broker's message from a `basic.publish`, or returns the 406 that
 * RabbitMQ closes the channel with.
 */
export function publishMessage(input: PublishInput): AmqpResult<AmqpMessage> {
  // The identity's parts: a client's origin and serial, or an opaque id and -1.
  const origin = input.origin ?? input.id;
  assert(origin !== undefined, 'a publish has an origin and a serial, or an id');
  const serial = input.origin !== undefined ? (input.serial ?? -1) : -1;
  const ttl = parseExpiration(input.properties.expiration);
  if (!ttl.ok) return fail(ttl.error);
  const headers = input.properties.headers;
  if (headers === undefined || headers.length === 0) {
    // Nothing to read from headers (no CC, BCC or x-death): the common case, kept cheap.
    return ok({
      origin,
      serial,
      exchange: input.exchange,
      routingKeys: [input.routingKey],
      bccKeys: NO_KEYS,
      properties: input.properties,
      body: input.body,
      bodySize: input.bodySize,
      ttlMs: ttl.value,
      deaths: undefined,
      annotations: NO_ANNOTATIONS,
    });
  }
  const cc = headerRoutes(headers, 'CC');
  if (!cc.ok) return fail(cc.error);
  const bcc = headerRoutes(headers, 'BCC');
  if (!bcc.ok) return fail(bcc.error);
  const strippedHeaders = headers === undefined ? undefined : tableDeleteFirst(headers, 'BCC');
  const properties: BasicProperties =
    strippedHeaders === undefined ? input.properties : { ...input.properties, headers: strippedHeaders };
  return ok({
    origin,
    serial,
    exchange: input.exchange,
    routingKeys: [input.routingKey, ...cc.value, ...bcc.value],
    bccKeys: bcc.value,
    properties,
    body: input.body,
    bodySize: input.bodySize,
    ttlMs: ttl.value,
    deaths: deathsFromHeaders(headers),
    annotations: {},
  });
}

const NO_EXPIRATION: AmqpResult<number | undefined> = Object.freeze({ ok: true, value: undefined });

/**
 * `rabbit_basic:parse_expiration/1` and the channel's check: undefined when absent, else an
 * integer within 0…{@link MAX_EXPIRY_MS}. Like Erlang's `string:to_integer/1`, a sign is allowed
 * and leading zeros are fine; anything after the digits is an error.
 */
export function parseExpiration(expiration: string | undefined): AmqpResult<number | undefined> {
  if (expiration === undefined) return NO_EXPIRATION;
  const m = /^[+-]?\d+/.exec(expiration);
  let reason: string | undefined;
  let n = 0;
  if (m === null) reason = 'no_integer';
  else {
    n = Number(m[0]);
    const rest = expiration.slice(m[0].length);
    if (rest !== '') reason = `{leftover_string,${JSON.stringify(rest)}}`;
    else if (n < 0) reason = `{value_negative,${n}}`;
    else if (n > MAX_EXPIRY_MS) reason = `{value_too_large,${n}}`;
  }
  if (reason !== undefined) {
    return fail(amqpError('PRECONDITION_FAILED', `invalid expiration '${expiration}': ${reason}`));
  }
  return ok(n);
}

/** `header_routes/1` for one header: the `longstr` items of an array, 406 for any other type. */
function headerRoutes(headers: FieldTable | undefined, name: 'CC' | 'BCC'): AmqpResult<string[]> {
  const v = tableLookup(headers, name);
  if (v === undefined) return ok([]);
  if (v.type !== 'array') {
    return fail(amqpError('PRECONDITION_FAILED', `invalid message: {unacceptable_type_in_header,"${name}",${v.type}}`));
  }
  return ok(v.value.flatMap((item) => (item.type === 'longstr' ? [item.value] : [])));
}

/** Extra per-delivery annotations a queue adds (quorum queues' delivery count). */
export interface DeliveryAnnotations {
  /** Quorum queues: returns so far; the header is only added when it is above zero. */
  readonly deliveryCount?: number;
}

/**
 * The header table a consumer receives (`mc_amqpl:protocol_state/2`): history as `x-death`,
 * `x-*` annotations as headers, then sorted by name with the first of any duplicates kept.
 * A message with no headers and nothing to add keeps `headers` absent.
 */
export function deliveredHeaders(msg: AmqpMessage, extra: DeliveryAnnotations = {}): FieldTable | undefined {
  const original = msg.properties.headers;
  // Nothing to add and nothing to sort: the headers go out as they came in (the common case).
  if (msg.deaths === undefined && msg.annotations === NO_ANNOTATIONS && !(extra.deliveryCount !== undefined && extra.deliveryCount > 0) && (original === undefined || original.length === 0)) {
    return original;
  }
  let headers: FieldTable = original ?? [];
  if (msg.deaths !== undefined) headers = tableSet(headers, 'x-death', xDeathHeader(msg.deaths));
  const annotations: FieldEntry[] = Object.keys(msg.annotations).map((name) => ({
    name,
    value: longstr(msg.annotations[name] as string),
  }));
  if (extra.deliveryCount !== undefined && extra.deliveryCount > 0) {
    annotations.push({ name: 'x-delivery-count', value: long(extra.deliveryCount) });
  }
  const all = [...annotations, ...headers];
  if (all.length === 0) return original;
  const sorted = [...all].sort((a, b) => compareBinaries(a.name, b.name));
  return sorted.filter((entry, i) => i === 0 || (sorted[i - 1] as FieldEntry).name !== entry.name);
}

/** The properties a consumer receives: as published, with the delivered header table. */
export function deliveredProperties(msg: AmqpMessage, extra: DeliveryAnnotations = {}): BasicProperties {
  const headers = deliveredHeaders(msg, extra);
  const { headers: _dropped, ...rest } = msg.properties;
  return headers === undefined ? rest : { ...rest, headers };
}

/**
 * The headers an exchange routes on (`mc:routing_headers/2` with `x_headers`): the message's
 * headers plus its `x-*` annotations as strings — which is how a headers-exchange DLX can route
 * on `x-first-death-reason` (dead_lettering_SUITE `dead_letter_headers_first_death_route`). The
 * `x-death` history is not among them unless a client published it as a header.
 */
export function routingHeaders(msg: AmqpMessage): FieldTable | undefined {
  if (msg.annotations === NO_ANNOTATIONS) return msg.properties.headers;
  const names = Object.keys(msg.annotations);
  if (names.length === 0) return msg.properties.headers;
  const extra = names.map((name) => ({ name, value: longstr(msg.annotations[name] as string) }));
  // Later entries win in the headers exchange's map, as annotations win in `maps:merge/2`.
  return [...(msg.properties.headers ?? []), ...extra];
}

/** What exchanges look at when routing this message: all its routing keys and routing headers. */
export function routingInputOf(msg: AmqpMessage): RoutingInput {
  return { routingKeys: msg.routingKeys, headers: routingHeaders(msg) };
}

/** The routing key `basic.deliver`, `basic.get-ok` and `basic.return` show: the publish key. */
export function deliveryRoutingKey(msg: AmqpMessage): string {
  return msg.routingKeys[0] ?? '';
}

/**
 * UTF-8 length of a string without Buffer or TextEncoder (not available everywhere the engine
 * runs), for computing `bodySize` of text payloads.
 */
export function utf8ByteLength(s: string): number {
  // Every unit is at least a byte; only the others (rare in message bodies) add to the count.
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair is one code point of four bytes.
      bytes += 2;
      i++;
    } else bytes += 2;
  }
  return bytes;
}
