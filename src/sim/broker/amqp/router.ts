/**
 * Routing a message from an exchange to queues, as RabbitMQ 3.13 does
 * (`rabbit_exchange:route/3`, `route1/4`, `process_alternate/2`, `process_route/2`; the channel's
 * `basic.publish` handling for the error cases and `mandatory`).
 *
 * - Default exchange `""`: each routing key (publish key, `CC`, `BCC`) names a queue; no bindings,
 *   no alternate exchange.
 * - Other exchanges: the exchange type picks matching bindings. Destinations that are exchanges
 *   are routed in turn (exchange-to-exchange bindings; the routing keys and headers are unchanged).
 *   Every exchange is visited at most once per publish — the source is "seen" from the start —
 *   so binding cycles terminate, and every queue receives at most one copy
 *   (https://www.rabbitmq.com/docs/3.13/e2e).
 * - Alternate exchange: consulted when an exchange's own bindings select *nothing* (neither queue
 *   nor exchange). An exchange that forwards to another exchange which routes nowhere does not
 *   fall back to its own AE (the code checks the exchange's direct destinations, not the final
 *   result); the second exchange's AE applies instead. An AE that does not exist is skipped; an
 *   AE chain stops at an exchange already tried (https://www.rabbitmq.com/docs/3.13/ae).
 * - Only queues that exist receive the message; if none do, the publish is unroutable and, with
 *   `mandatory`, comes back as `basic.return` 312 NO_ROUTE. A message routed via an AE counts as
 *   routed.
 * - Publishing to a missing exchange closes the channel with 404; to an internal one with 403.
 *
 * Destination order: RabbitMQ collects destinations in an Erlang map and delivers in
 * `maps:keys/1` order, which is sorted by queue name for up to 32 queues (and hash order beyond).
 * We always sort by name (byte order); the visiting order of exchanges is reported separately.
 */

import type { HistoryName } from '../../history.ts';
import { amqpError, resourceName, type AmqpError } from './amqp-error.ts';
import { compareBinaries } from './field-value.ts';
import { alternateExchangeOf, bindingMatches, DEFAULT_EXCHANGE, type RoutingInput } from './exchange.ts';
import type { Topology } from './topology.ts';

/** Where a routing pass ended up. */
export interface RouteTrace {
  /** Existing destination queues, de-duplicated, sorted by name. */
  readonly queues: readonly string[];
  /** Exchanges visited, in visiting order (source first), alternate exchanges included. */
  readonly exchangesVisited: readonly string[];
  /** Alternate exchanges that were used, in the order they were tried. */
  readonly alternateExchangesUsed: readonly string[];
}

/** The outcome of a `basic.publish`, for the channel to act on. */
export type PublishRoute =
  | {
      readonly kind: 'routed';
      readonly trace: RouteTrace;
      /**
       * The history's handle on `trace.queues`, set by the broker node that first records this
       * route (the route cache keeps one outcome per trace, so each message routed the same way
       * records the same handle instead of the list).
       */
      historyQueues?: HistoryName;
    }
  | {
      readonly kind: 'unroutable';
      readonly trace: RouteTrace;
      /** Present when `mandatory` was set: send this `basic.return` to the publisher. */
      readonly basicReturn?: BasicReturn;
    }
  | { readonly kind: 'channel-error'; readonly error: AmqpError };

/** The `basic.return` frame's fields. */
export interface BasicReturn {
  readonly replyCode: 312;
  readonly replyText: 'NO_ROUTE';
  readonly exchange: string;
  readonly routingKey: string;
}

/** Upper bound on exchanges visited in one routing pass; reaching it is a bug in the topology code. */
const EXCHANGES_VISITED_MAX = 100_000;

/** Routes a client's `basic.publish` (checks existence and `internal`, handles `mandatory`). */
export function routePublish(
  topology: Topology,
  exchange: string,
  input: RoutingInput,
  options: { readonly mandatory: boolean },
): PublishRoute {
  const x = topology.exchange(exchange);
  if (x === undefined) {
    return { kind: 'channel-error', error: amqpError('NOT_FOUND', `no ${resourceName('exchange', exchange)}`) };
  }
  if (x.internal) {
    return {
      kind: 'channel-error',
      error: amqpError('ACCESS_REFUSED', `cannot publish to internal ${resourceName('exchange', exchange)}`),
    };
  }
  const trace = routeFrom(topology, exchange, input);
  if (trace.queues.length > 0) return { kind: 'routed', trace };
  if (!options.mandatory) return { kind: 'unroutable', trace };
  return {
    kind: 'unroutable',
    trace,
    basicReturn: { replyCode: 312, replyText: 'NO_ROUTE', exchange, routingKey: input.routingKeys[0] ?? '' },
  };
}

/**
 * `rabbit_exchange:route/3`: the queues a message reaches from this exchange, with no
 * publish-permission checks (dead-lettering uses this directly, so an internal exchange can be a
 * DLX). A missing start exchange routes nowhere.
 */
export function routeFrom(topology: Topology, exchange: string, input: RoutingInput): RouteTrace {
  const found = new Set<string>();
  const visited: string[] = [];
  const aesUsed: string[] = [];
  const start = topology.exchange(exchange);
  if (start === undefined) return { queues: [], exchangesVisited: [], alternateExchangesUsed: [] };

  if (start.name === DEFAULT_EXCHANGE) {
    visited.push(DEFAULT_EXCHANGE);
    for (const rk of input.routingKeys) if (topology.hasQueue(rk)) found.add(rk);
    return { queues: sortedNames(found), exchangesVisited: visited, alternateExchangesUsed: aesUsed };
  }

  // route1/4: a work list where newly found exchanges are pushed on the front, and a seen set
  // that starts with the source exchange.
  const seen = new Set<string>([start.name]);
  const work: string[] = [start.name];
  while (work.length > 0) {
    if (visited.length >= EXCHANGES_VISITED_MAX) throw new Error('routing visited too many exchanges');
    const name = work.shift() as string;
    const x = topology.exchange(name);
    if (x === undefined) continue;
    visited.push(name);
    const dests = topology.bindingsFrom(name).filter((b) => bindingMatches(x.type, b, input));
    const ae = dests.length === 0 ? alternateExchangeOf(x) : undefined;
    // Fold order: the alternate exchange, then the bindings' destinations.
    if (ae !== undefined && !seen.has(ae)) {
      seen.add(ae);
      if (topology.exchange(ae) !== undefined) {
        work.unshift(ae);
        aesUsed.push(ae);
      }
    }
    for (const b of dests) {
      if (b.destinationKind === 'queue') {
        if (topology.hasQueue(b.destination)) found.add(b.destination);
      } else if (!seen.has(b.destination)) {
        seen.add(b.destination);
        if (topology.exchange(b.destination) !== undefined) work.unshift(b.destination);
      }
    }
  }
  return { queues: sortedNames(found), exchangesVisited: visited, alternateExchangesUsed: aesUsed };
}

function sortedNames(names: ReadonlySet<string>): string[] {
  return [...names].sort(compareBinaries);
}
