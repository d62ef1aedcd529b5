/**
 * Requests with correlation ids and timeouts, for every Kafka node (clients, brokers, controller).
 * A request crosses the network; its response comes back as an ordinary message and is matched by
 * `re`; if none arrives within the timeout the callback gets `null`, and a late response is
 * ignored, as a real client ignores a response on a connection it already gave up on.
 *
 * Kafka speaks over TCP: requests on one connection arrive in order, without gaps or copies.
 * The simulated network loses, duplicates and delays single packets, so we add what TCP adds:
 * every request carries its connection id and a sequence number, and the receiver drops a request
 * that arrives after a gap (a lost or held-back request), a copy, or on a connection it has seen
 * replaced. The sender, like Kafka's NetworkClient, closes the connection when a request times out:
 * every other request in flight on it fails too, and the next request opens a new connection.
 */

import type { Timer } from '../../kernel';
import type { SimNode } from '../../node';
import type { KafkaRequest, KafkaResponse, ResponseFor } from './protocol.ts';

interface Pending {
  cb: (resp: KafkaResponse | null) => void;
  timer: Timer | undefined;
  to: string;
  conn: number;
}

/** One end of a simulated TCP connection: its id and the next request sequence number. */
interface Connection {
  id: number;
  nextSeq: number;
}

/** Connection ids embed the node incarnation, so a restarted client never reuses an old one. */
const CONNECTIONS_PER_INCARNATION = 1_000_000;

export class Rpc {
  /** Correlation ids embed the incarnation too: a reply to a request of a crashed incarnation must match nothing. */
  private cidNext: number;
  private readonly pending = new Map<number, Pending>();
  private readonly connections = new Map<string, Connection>();
  private connIdNext: number;

  constructor(private readonly node: SimNode) {
    this.connIdNext = node.incarnation * CONNECTIONS_PER_INCARNATION + 1;
    this.cidNext = node.incarnation * CONNECTIONS_PER_INCARNATION + 1;
  }

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
    let c = this.connections.get(to);
    if (c === undefined) {
      c = { id: this.connIdNext++, nextSeq: 0 };
      this.connections.set(to, c);
    }
    (req as Sequenced).conn = c.id;
    (req as Sequenced).seq = c.nextSeq++;
    if (cb !== undefined) {
      const cid = req.cid;
      const p: Pending = { cb: cb as (resp: KafkaResponse | null) => void, timer: undefined, to, conn: c.id };
      this.pending.set(cid, p);
      p.timer = this.node.setTimer(timeoutMs * 1000, () => {
        if (this.pending.get(cid) !== p) return;
        this.pending.delete(cid);
        this.closeConnection(to, p.conn);
        p.cb(null);
      });
    }
    this.node.send(to, req, { label });
  }

  /** Closes the connection to `to`: requests still in flight on it fail, the next call opens a new one. */
  private closeConnection(to: string, conn: number): void {
    const c = this.connections.get(to);
    if (c === undefined || c.id !== conn) return;
    this.connections.delete(to);
    const failed: Pending[] = [];
    for (const [cid, p] of this.pending) {
      if (p.to !== to || p.conn !== conn) continue;
      this.pending.delete(cid);
      if (p.timer !== undefined) this.node.cancelTimer(p.timer);
      failed.push(p);
    }
    for (const p of failed) p.cb(null);
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

interface Sequenced {
  conn?: number;
  seq?: number;
}

/**
 * The receiving end of simulated TCP: accepts a request only if it is the next one on the newest
 * connection from its sender. Anything else (after a gap, a copy, an old connection) is dropped,
 * and a gap breaks the connection for good, as a TCP stream cannot skip a lost segment.
 */
export class ConnectionTable {
  private readonly peers = new Map<string, { conn: number; nextSeq: number; broken: boolean }>();

  /** Returns true if the request should be processed; otherwise the reason it is dropped. */
  accept(from: string, req: unknown): true | string {
    const { conn, seq } = req as Sequenced;
    if (conn === undefined || seq === undefined) return true;
    let p = this.peers.get(from);
    if (p === undefined || conn > p.conn) {
      p = { conn, nextSeq: 0, broken: false };
      this.peers.set(from, p);
    }
    if (conn < p.conn) return 'connection-closed';
    if (p.broken) return 'connection-broken';
    if (seq < p.nextSeq) return 'duplicate';
    if (seq > p.nextSeq) {
      p.broken = true;
      return 'connection-broken';
    }
    p.nextSeq++;
    return true;
  }
}

/** True for a response message (it answers a correlation id). */
export function isResponse(msg: unknown): msg is KafkaResponse {
  return typeof msg === 'object' && msg !== null && typeof (msg as { re?: unknown }).re === 'number';
}
