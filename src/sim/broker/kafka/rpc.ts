/**
 * Requests with correlation ids and timeouts, for every Kafka node (clients, brokers, controller).
 * A request crosses the network; its response comes back as an ordinary message and is matched by
 * `re`; if none arrives within the timeout the callback gets `null`, and a late response is
 * ignored, as a real client ignores a response on a connection it already gave up on.
 */

import type { Timer } from '../../kernel';
import type { SimNode } from '../../node';
import type { KafkaRequest, KafkaResponse, ResponseFor } from './protocol.ts';

interface Pending {
  cb: (resp: KafkaResponse | null) => void;
  timer: Timer | undefined;
}

export class Rpc {
  private cidNext = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly node: SimNode) {}

  /** A fresh correlation id for a request. */
  nextCid(): number {
    return this.cidNext++;
  }

  /** Requests in flight (sent and neither answered nor timed out). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends `req` to `to` and calls `cb` with the response, or with null after `timeoutMs`.
   * Without `cb` nothing is awaited (acks=0 produce, one-way notices).
   */
  call<R extends KafkaRequest>(to: string, req: R, label: unknown, timeoutMs: number, cb?: (resp: ResponseFor<R> | null) => void): void {
    if (cb !== undefined) {
      const cid = req.cid;
      const p: Pending = { cb: cb as (resp: KafkaResponse | null) => void, timer: undefined };
      this.pending.set(cid, p);
      p.timer = this.node.setTimer(timeoutMs * 1000, () => {
        if (this.pending.get(cid) !== p) return;
        this.pending.delete(cid);
        p.cb(null);
      });
    }
    this.node.send(to, req, { label });
  }

  /** Routes a response to its waiting callback; returns false for a response nobody waits for. */
  onResponse(resp: KafkaResponse): boolean {
    const p = this.pending.get(resp.re);
    if (p === undefined) return false;
    this.pending.delete(resp.re);
    if (p.timer !== undefined) this.node.cancelTimer(p.timer);
    p.cb(resp);
    return true;
  }

  /** Answers a request. */
  reply(to: string, resp: KafkaResponse, label: unknown): void {
    this.node.send(to, resp, { label });
  }
}

/** True for a response message (it answers a correlation id). */
export function isResponse(msg: unknown): msg is KafkaResponse {
  return typeof msg === 'object' && msg !== null && typeof (msg as { re?: unknown }).re === 'number';
}
