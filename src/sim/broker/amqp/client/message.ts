/**
 * Messages and options as amqplib shapes them (lib/api_args.js, lib/defs.js), turned into and out
 * of the broker's form. One difference on purpose: `content` is a string in the simulation, where
 * amqplib uses a Buffer (the simulation has no Buffer; learners write `msg.content` or
 * `msg.content.toString()` either way).
 */

import { flat } from '../../../flat-string.ts';
import { tableFromJs, tableToJs, type FieldTable } from '../field-value.ts';
import { deliveredHeaders, utf8ByteLength, type AmqpMessage, type BasicProperties } from '../message.ts';

const NO_ANNOTATIONS = Object.freeze({});

/** `publish` / `sendToQueue` options (amqplib's names). */
export interface PublishOptions {
  expiration?: string | number;
  userId?: string;
  CC?: string | string[];
  BCC?: string | string[];
  priority?: number;
  persistent?: boolean;
  deliveryMode?: boolean | number;
  mandatory?: boolean;
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  correlationId?: string;
  replyTo?: string;
  messageId?: string;
  timestamp?: number;
  type?: string;
  appId?: string;
}

/** `message.properties` as amqplib decodes them: every key present, `undefined` when absent. */
export interface MessageProperties {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  headers: Record<string, unknown> | undefined;
  deliveryMode: number | undefined;
  priority: number | undefined;
  correlationId: string | undefined;
  replyTo: string | undefined;
  expiration: string | undefined;
  messageId: string | undefined;
  timestamp: number | undefined;
  type: string | undefined;
  userId: string | undefined;
  appId: string | undefined;
  clusterId: string | undefined;
}

export interface MessageFields {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  consumerTag?: string;
  messageCount?: number;
}

/** A delivered message, as a consume callback or `get` receives it. */
export interface Message {
  content: string;
  fields: MessageFields;
  properties: MessageProperties;
}

/** A returned (unroutable mandatory) message, as the channel's 'return' event receives it. */
export interface ReturnedMessage {
  content: string;
  fields: { replyCode: number; replyText: string; exchange: string; routingKey: string };
  properties: MessageProperties;
}

/** `Args.publish`: the properties amqplib sends, headers always included (CC and BCC folded in). */
export function publishProperties(options: PublishOptions | undefined): BasicProperties {
  if (options === undefined) return NO_PROPERTIES;
  const headers: Record<string, unknown> = { ...(options.headers ?? {}) };
  const cc = convertCC(options.CC);
  const bcc = convertCC(options.BCC);
  if (cc !== undefined) headers.CC = cc;
  if (bcc !== undefined) headers.BCC = bcc;
  let deliveryMode: 1 | 2 | undefined;
  if (options.persistent !== undefined) deliveryMode = options.persistent ? 2 : 1;
  else if (typeof options.deliveryMode === 'number') deliveryMode = options.deliveryMode === 2 ? 2 : 1;
  else if (options.deliveryMode) deliveryMode = 2;
  const props: { -readonly [K in keyof BasicProperties]: BasicProperties[K] } = { headers: tableFromJs(headers) };
  if (options.contentType !== undefined) props.contentType = options.contentType;
  if (options.contentEncoding !== undefined) props.contentEncoding = options.contentEncoding;
  if (deliveryMode !== undefined) props.deliveryMode = deliveryMode;
  if (options.priority !== undefined) props.priority = options.priority;
  if (options.correlationId !== undefined) props.correlationId = options.correlationId;
  if (options.replyTo !== undefined) props.replyTo = options.replyTo;
  if (options.expiration !== undefined) props.expiration = String(options.expiration);
  if (options.messageId !== undefined) props.messageId = options.messageId;
  if (options.timestamp !== undefined) props.timestamp = options.timestamp;
  if (options.type !== undefined) props.type = options.type;
  if (options.userId !== undefined) props.userId = options.userId;
  if (options.appId !== undefined) props.appId = options.appId;
  return props;
}

/** What amqplib sends for a publish without options: an empty header table and nothing else. */
const NO_PROPERTIES: BasicProperties = Object.freeze({ headers: Object.freeze([]) as FieldTable });

function convertCC(cc: string | string[] | undefined): string[] | undefined {
  if (cc === undefined) return undefined;
  return Array.isArray(cc) ? cc.map(String) : [String(cc)];
}

/** The body's size in bytes (what `x-max-length-bytes` counts). */
/**
 * A short-string field of a method frame as amqplib's encoder checks it (lib/defs.js, such as
 * `encodeBasicPublish`): absent is '', anything else must be a string of fewer than 256 UTF-8
 * bytes, or the call throws this TypeError at once.
 */
export function shortstr(field: string, v: unknown): string {
  if (v === undefined) return '';
  // 85 UTF-16 units are at most 255 bytes, so only longer strings are measured.
  if (typeof v !== 'string' || (v.length > 85 && utf8ByteLength(v) > 255)) {
    throw new TypeError(`Field '${field}' is the wrong type; must be a string (up to 255 chars)`);
  }
  // Flat, so the history's and the broker's lookups of a routing key built by concatenation
  // compare flat strings (`flat`).
  return flat(v);
}

export function contentSize(content: string): number {
  return utf8ByteLength(content);
}

/** The properties a consumer sees, as amqplib decodes them. */
export function messageProperties(msg: AmqpMessage, deliveryCount: number): MessageProperties {
  const p = msg.properties;
  const headers = deliveredHeaders(msg, deliveryCount === 0 ? NO_ANNOTATIONS : { deliveryCount });
  return {
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    headers: headers === undefined ? undefined : headers.length === 0 ? {} : tableToJs(headers),
    deliveryMode: p.deliveryMode,
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    userId: p.userId,
    appId: p.appId,
    clusterId: undefined,
  };
}

/** amqplib's object form of a field table argument (`arguments` options), as a table. */
export function argumentsTable(args: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): FieldTable {
  // amqplib puts the named options first and the `arguments` object's own keys after them.
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) merged[k] = v;
  for (const [k, v] of Object.entries(args ?? {})) if (!(k in merged)) merged[k] = v;
  return tableFromJs(merged);
}
