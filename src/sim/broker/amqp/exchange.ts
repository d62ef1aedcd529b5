/**
 * Exchanges and bindings as data, and the per-type rule that picks the matching bindings
 * (`rabbit_exchange_type_{direct,fanout,topic,headers}:route`).
 *
 * - direct: a binding matches when its key equals one of the message's routing keys (the
 *   publish key plus `CC` and `BCC` keys), byte for byte.
 * - fanout: every binding matches; keys are ignored.
 * - topic: a binding matches when its key matches one of the routing keys ({@link topicMatches}).
 * - headers: routing keys are ignored; the binding's arguments are matched against the message
 *   headers ({@link headersMatch}).
 *
 * The default exchange (`""`) is not routed through bindings at all; see `router.ts`.
 */

import { tableLookup, type FieldTable } from './field-value.ts';
import { headersMatch } from './headers-match.ts';
import { topicMatches } from './topic-match.ts';

/** The four exchange types RabbitMQ ships with. */
export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';

/** An exchange as declared (`exchange.declare`). */
export interface ExchangeDef {
  readonly name: string;
  readonly type: ExchangeType;
  readonly durable: boolean;
  /** Deleted when its last binding (as a source) is removed. */
  readonly autoDelete: boolean;
  /** Cannot be published to by clients; only reachable through exchange-to-exchange bindings. */
  readonly internal: boolean;
  /** Declaration arguments, e.g. `alternate-exchange`. */
  readonly arguments: FieldTable;
}

/** What a binding points at: a queue (`queue.bind`) or another exchange (`exchange.bind`). */
export type DestinationKind = 'queue' | 'exchange';

/** One binding, from a source exchange to a queue or an exchange. */
export interface Binding {
  readonly source: string;
  readonly destinationKind: DestinationKind;
  readonly destination: string;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

/** The parts of a message an exchange looks at when routing. */
export interface RoutingInput {
  /** Publish routing key first, then `CC` keys, then `BCC` keys (`mc_amqpl:message/4`). */
  readonly routingKeys: readonly string[];
  readonly headers: FieldTable | undefined;
}

/** Does this binding of an exchange of this type select the message? */
export function bindingMatches(type: ExchangeType, binding: Binding, input: RoutingInput): boolean {
  switch (type) {
    case 'fanout':
      return true;
    case 'direct':
      return input.routingKeys.includes(binding.routingKey);
    case 'topic': {
      const keys = input.routingKeys;
      for (let i = 0; i < keys.length; i++) if (topicMatches(binding.routingKey, keys[i]!)) return true;
      return false;
    }
    case 'headers':
      return headersMatch(binding.arguments, input.headers);
  }
}

/**
 * The exchange's alternate exchange, from the `alternate-exchange` declaration argument. (RabbitMQ
 * also reads it from a policy, with the argument winning; policies are not modelled.)
 */
export function alternateExchangeOf(x: ExchangeDef): string | undefined {
  const v = tableLookup(x.arguments, 'alternate-exchange');
  return v?.type === 'longstr' ? v.value : undefined;
}

/** The exchanges every vhost has from the start, with their types (`rabbit_exchange:declare`). */
export const PREDECLARED_EXCHANGES: readonly ExchangeDef[] = [
  { name: '', type: 'direct', durable: true, autoDelete: false, internal: false, arguments: [] },
  { name: 'amq.direct', type: 'direct', durable: true, autoDelete: false, internal: false, arguments: [] },
  { name: 'amq.fanout', type: 'fanout', durable: true, autoDelete: false, internal: false, arguments: [] },
  { name: 'amq.topic', type: 'topic', durable: true, autoDelete: false, internal: false, arguments: [] },
  { name: 'amq.headers', type: 'headers', durable: true, autoDelete: false, internal: false, arguments: [] },
  { name: 'amq.match', type: 'headers', durable: true, autoDelete: false, internal: false, arguments: [] },
];

/** The name RabbitMQ gives the default exchange in its messages and our checks. */
export const DEFAULT_EXCHANGE = '';
