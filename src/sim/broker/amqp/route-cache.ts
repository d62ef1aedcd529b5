/**
 * A memo of routing results. Routing is a pure function of the topology and the message's routing
 * keys (and, for headers exchanges, its headers), so remembering results changes nothing a learner
 * can observe; it only keeps a busy topic exchange from matching every binding for every message.
 * The memo is dropped whenever the topology changes, and results that depended on headers are
 * never kept.
 */

import type { RoutingInput } from './exchange.ts';
import { routeFrom, routePublish, type PublishRoute, type RouteTrace } from './router.ts';
import type { Topology } from './topology.ts';

/** Entries kept at most; the memo starts over when full (a lab with endless distinct keys). */
const ENTRIES_MAX = 10_000;

export class RouteCache {
  private version = -1;
  private readonly traces = new Map<string, RouteTrace>();

  constructor(private readonly topology: Topology) {}

  /** `routePublish` through the memo. */
  publish(exchange: string, input: RoutingInput, mandatory: boolean): PublishRoute {
    const x = this.topology.exchange(exchange);
    if (x === undefined || x.internal) return routePublish(this.topology, exchange, input, { mandatory });
    const trace = this.trace(exchange, input);
    if (trace.queues.length > 0) return { kind: 'routed', trace };
    if (!mandatory) return { kind: 'unroutable', trace };
    return {
      kind: 'unroutable',
      trace,
      basicReturn: { replyCode: 312, replyText: 'NO_ROUTE', exchange, routingKey: input.routingKeys[0] ?? '' },
    };
  }

  /** `routeFrom` through the memo (dead-lettering routes this way: no permission checks). */
  trace(exchange: string, input: RoutingInput): RouteTrace {
    if (this.version !== this.topology.version) {
      this.traces.clear();
      this.version = this.topology.version;
    }
    const key = input.routingKeys.length === 1 ? `${exchange}\u0000${input.routingKeys[0]}` : `${exchange}\u0000${input.routingKeys.join('\u0001')}`;
    const hit = this.traces.get(key);
    if (hit !== undefined) return hit;
    const trace = routeFrom(this.topology, exchange, input);
    if (!this.dependsOnHeaders(trace)) {
      if (this.traces.size >= ENTRIES_MAX) this.traces.clear();
      this.traces.set(key, trace);
    }
    return trace;
  }

  private dependsOnHeaders(trace: RouteTrace): boolean {
    for (const name of trace.exchangesVisited) if (this.topology.exchange(name)?.type === 'headers') return true;
    return false;
  }
}
