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

/** A memoised route: its trace, and the `routed` outcome handed out for it (made once, so a hit allocates nothing). */
interface Memo {
  readonly trace: RouteTrace;
  routed: PublishRoute | undefined;
}

/** What the memo knows of one exchange: whether a client may publish to it, and its routes by routing keys. */
interface ExchangeMemo {
  readonly publishable: boolean;
  readonly byKey: Map<string, Memo>;
}

export class RouteCache {
  private version = -1;
  /** exchange → routing keys (joined when more than one) → memo. */
  private readonly exchanges = new Map<string, ExchangeMemo>();
  private size = 0;

  constructor(private readonly topology: Topology) {}

  /** `routePublish` of a published message through the memo. */
  publishMessage(exchange: string, msg: AmqpMessage, mandatory: boolean): PublishRoute {
    const x = this.exchangeMemo(exchange);
    if (!x.publishable) return routePublish(this.topology, exchange, routingInputOf(msg), { mandatory });
    return this.outcome(exchange, this.memoOf(x, exchange, msg.routingKeys, msg), mandatory, msg.routingKeys);
  }

  /** `routePublish` through the memo. */
  publish(exchange: string, input: RoutingInput, mandatory: boolean): PublishRoute {
    const x = this.exchangeMemo(exchange);
    if (!x.publishable) return routePublish(this.topology, exchange, input, { mandatory });
    return this.outcome(exchange, this.memoOf(x, exchange, input.routingKeys, input), mandatory, input.routingKeys);
  }

  private outcome(exchange: string, memo: Memo, mandatory: boolean, routingKeys: readonly string[]): PublishRoute {
    const trace = memo.trace;
    if (trace.queues.length > 0) return (memo.routed ??= { kind: 'routed', trace });
    if (!mandatory) return { kind: 'unroutable', trace };
    return {
      kind: 'unroutable',
      trace,
      basicReturn: { replyCode: 312, replyText: 'NO_ROUTE', exchange, routingKey: routingKeys[0] ?? '' },
    };
  }

  /** `routeFrom` through the memo (dead-lettering routes this way: no permission checks). */
  trace(exchange: string, input: RoutingInput): RouteTrace {
    return this.memoOf(this.exchangeMemo(exchange), exchange, input.routingKeys, input).trace;
  }

  /** The memo of one exchange, made on first use; all are dropped when the topology changes. */
  private exchangeMemo(exchange: string): ExchangeMemo {
    if (this.version !== this.topology.version) {
      this.exchanges.clear();
      this.size = 0;
      this.version = this.topology.version;
    }
    let x = this.exchanges.get(exchange);
    if (x === undefined) {
      const def = this.topology.exchange(exchange);
      this.exchanges.set(exchange, (x = { publishable: def !== undefined && !def.internal, byKey: new Map() }));
    }
    return x;
  }

  /** The memoised route; `source` gives the full routing input on a miss. */
  private memoOf(x: ExchangeMemo, exchange: string, keys: readonly string[], source: RoutingInput | AmqpMessage): Memo {
    const key = keys.length === 1 ? (keys[0] as string) : keys.join('\u0000');
    const hit = x.byKey.get(key);
    if (hit !== undefined) return hit;
    const input = 'bccKeys' in source ? routingInputOf(source) : source;
    const memo: Memo = { trace: routeFrom(this.topology, exchange, input), routed: undefined };
    if (!this.dependsOnHeaders(memo.trace)) {
      if (this.size >= ENTRIES_MAX) {
        this.exchanges.clear();
        this.size = 0;
        x = this.exchangeMemo(exchange);
      }
      x.byKey.set(key, memo);
      this.size++;
    }
    return memo;
  }

  private dependsOnHeaders(trace: RouteTrace): boolean {
    for (const name of trace.exchangesVisited) if (this.topology.exchange(name)?.type === 'headers') return true;
    return false;
  }
}
