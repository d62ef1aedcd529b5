/**
 * A memo of routing results. Routing is a pure function of the topology and the message's routing
 * keys (and, for headers exchanges, its headers), so remembering results changes nothing a learner
 * can observe; it only keeps a busy topic exchange from matching every binding for every message.
 * The memo is dropped whenever the topology changes, and results that depended on headers are
 * never kept.
 */

import type { RoutingInput } from './exchange.ts';
import { routingInputOf, type AmqpMessage } from './message.ts';
import { routeFrom, routePublish, type PublishRoute, type RouteTrace } from './router.ts';
import type { Topology } from './topology.ts';

/** Entries kept at most; the memo starts over when full (a lab with endless distinct keys). */
const ENTRIES_MAX = 10_000;

export class RouteCache {
  private version = -1;
  /** exchange → routing keys (joined when more than one) → trace. */
  private readonly traces = new Map<string, Map<string, RouteTrace>>();
  /** The `routed` outcome of each memoised trace, so a hit allocates nothing. */
  private readonly routed = new Map<RouteTrace, PublishRoute>();
  private size = 0;

  constructor(private readonly topology: Topology) {}

  /** `routePublish` of a published message through the memo. */
  publishMessage(exchange: string, msg: AmqpMessage, mandatory: boolean): PublishRoute {
    const x = this.topology.exchange(exchange);
    if (x === undefined || x.internal) return routePublish(this.topology, exchange, routingInputOf(msg), { mandatory });
    return this.outcome(exchange, this.traceOf(exchange, msg.routingKeys, msg), mandatory, msg.routingKeys);
  }

  /** `routePublish` through the memo. */
  publish(exchange: string, input: RoutingInput, mandatory: boolean): PublishRoute {
    const x = this.topology.exchange(exchange);
    if (x === undefined || x.internal) return routePublish(this.topology, exchange, input, { mandatory });
    return this.outcome(exchange, this.trace(exchange, input), mandatory, input.routingKeys);
  }

  private outcome(exchange: string, trace: RouteTrace, mandatory: boolean, routingKeys: readonly string[]): PublishRoute {
    if (trace.queues.length > 0) {
      let r = this.routed.get(trace);
      if (r === undefined) this.routed.set(trace, (r = { kind: 'routed', trace }));
      return r;
    }
    if (!mandatory) return { kind: 'unroutable', trace };
    return {
      kind: 'unroutable',
      trace,
      basicReturn: { replyCode: 312, replyText: 'NO_ROUTE', exchange, routingKey: routingKeys[0] ?? '' },
    };
  }

  /** `routeFrom` through the memo (dead-lettering routes this way: no permission checks). */
  trace(exchange: string, input: RoutingInput): RouteTrace {
    return this.traceOf(exchange, input.routingKeys, input);
  }

  /** The memoised trace; `source` gives the full routing input on a miss. */
  private traceOf(exchange: string, keys: readonly string[], source: RoutingInput | AmqpMessage): RouteTrace {
    if (this.version !== this.topology.version) {
      this.traces.clear();
      this.routed.clear();
      this.size = 0;
      this.version = this.topology.version;
    }
    const key = keys.length === 1 ? (keys[0] as string) : keys.join('\u0000');
    let byKey = this.traces.get(exchange);
    const hit = byKey?.get(key);
    if (hit !== undefined) return hit;
    const input = 'bccKeys' in source ? routingInputOf(source) : source;
    const trace = routeFrom(this.topology, exchange, input);
    if (!this.dependsOnHeaders(trace)) {
      if (this.size >= ENTRIES_MAX) {
        this.traces.clear();
        this.routed.clear();
        this.size = 0;
        byKey = undefined;
      }
      if (byKey === undefined) this.traces.set(exchange, (byKey = new Map()));
      byKey.set(key, trace);
      this.size++;
    }
    return trace;
  }

  private dependsOnHeaders(trace: RouteTrace): boolean {
    for (const name of trace.exchangesVisited) if (this.topology.exchange(name)?.type === 'headers') return true;
    return false;
  }
}
