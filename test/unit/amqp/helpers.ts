/**
 * Builders shared by the AMQP model tests: messages published the way a client would publish
 * them, queue configurations from plain-object arguments, and a small topology builder.
 */

import {
  parseQueueArguments,
  publishMessage,
  tableFromJs,
  Topology,
  type AmqpMessage,
  type BasicProperties,
  type ExchangeType,
  type FieldTable,
  type QueueConfig,
} from '../../../src/sim/broker/amqp/index.ts';
import { messageId } from '../../../src/sim/broker/amqp/message.ts';

let nextId = 1;

/** Options for {@link msg}; `headers` may be a plain object (amqplib-style) or a field table. */
export interface MsgOptions {
  readonly id?: string;
  readonly exchange?: string;
  readonly routingKey?: string;
  readonly headers?: Readonly<Record<string, unknown>> | FieldTable;
  readonly expiration?: string;
  readonly priority?: number;
  readonly bodySize?: number;
  readonly body?: unknown;
}

/** A message as `basic.publish` would create it; throws if the publish would be refused. */
export function msg(o: MsgOptions = {}): AmqpMessage {
  const headers = o.headers === undefined ? undefined : Array.isArray(o.headers) ? (o.headers as FieldTable) : tableFromJs(o.headers as Record<string, unknown>);
  const properties: BasicProperties = {
    ...(headers === undefined ? {} : { headers }),
    ...(o.expiration === undefined ? {} : { expiration: o.expiration }),
    ...(o.priority === undefined ? {} : { priority: o.priority }),
  };
  const r = publishMessage({
    id: o.id ?? `m${nextId++}`,
    exchange: o.exchange ?? '',
    routingKey: o.routingKey ?? '',
    properties,
    body: o.body ?? o.id ?? null,
    bodySize: o.bodySize ?? 1,
  });
  if (!r.ok) throw new Error(r.error.replyText);
  return r.value;
}

/** A queue configuration from amqplib-style arguments; throws on a 406. */
export function queueConfig(name: string, args: Readonly<Record<string, unknown>> = {}): QueueConfig {
  const r = parseQueueArguments(name, tableFromJs(args));
  if (!r.ok) throw new Error(r.error.replyText);
  return r.value;
}

/** A topology with these queues and exchanges declared. */
export function topology(queues: readonly string[], exchanges: ReadonlyArray<readonly [string, ExchangeType, Readonly<Record<string, unknown>>?]> = []): Topology {
  const t = new Topology();
  for (const q of queues) t.declareQueue(q);
  for (const [name, type, args] of exchanges) {
    const r = t.declareExchange({
      name,
      type,
      durable: true,
      autoDelete: false,
      internal: false,
      arguments: tableFromJs(args ?? {}),
    });
    if (!r.ok) throw new Error(r.error.replyText);
  }
  return t;
}

/** Binds a queue (or, with `kind: 'exchange'`, an exchange) and throws on error. */
export function bind(
  t: Topology,
  source: string,
  destination: string,
  routingKey = '',
  args: Readonly<Record<string, unknown>> | FieldTable = {},
  kind: 'queue' | 'exchange' = 'queue',
): void {
  const table = Array.isArray(args) ? (args as FieldTable) : tableFromJs(args as Record<string, unknown>);
  const r = t.bind({ source, destination, destinationKind: kind, routingKey, arguments: table });
  if (!r.ok) throw new Error(r.error.replyText);
}

/** The ids of messages, for compact assertions on order. */
export function ids(messages: ReadonlyArray<{ readonly message: AmqpMessage } | AmqpMessage>): string[] {
  return messages.map((m) => ('message' in m ? messageId(m.message) : messageId(m)));
}
