/**
 * Requests with correlation ids and timeouts, for every Kafka node (clients, brokers, controller).
 * A request crosses the network; its response comes back as an ordinary message and is matched by
 * `re`; if none arrives within the timeout the callback gets `null`, and a late response is
 * ignored, as a real client ignores a response on a connection it already gave up on.
 *
 * Kafka speaks over TCP. Messages go as the network's stream sends (retransmitted when lost, in
 * order, held across a partition until it heals), and this file adds the connection on top:
 * every request carries its connection id, a sequence number and the moment its sender gives up
 * on it. Like Kafka's NetworkClient, the sender closes the connection when a request times out:
 * every other request in flight on it fails too, and the next request opens a new connection.
 * The receiver (ConnectionTable) ignores requests on a connection its sender has closed (held
 * packets delivered after a heal), and answers a request on a connection it does not know (it
 * restarted since) with a reset, as a fresh TCP stack answers with RST, so the sender retries
 * at once instead of waiting for its timeout.
 */

import { Kinds } from '../../history';
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
  /** When a connection to each peer last failed (a timeout or a reset), for choosing whom to ask. */
  private readonly failedAtUs = new Map<string, number>();

  constructor(private readonly node: SimNode) {
    this.connIdNext = node.incarnation * CONNECTIONS_PER_INCARNATION + 1;
    this.cidNext = node.incarnation * CONNECTIONS_PER_INCARNATION + 1;
  }

  /**
   * True when `cid` is one this node issued, in this incarnation or an earlier one. A response to
   * such a request that matches nothing pending is late: its request timed out, or the process that
   * sent it crashed. A real client never sees it (its connection is closed, or gone with the process).
   */
  issued(cid: number): boolean {
    return cid >= 1 && cid < this.cidNext;
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
    // A request nobody waits for (acks=0) never expires: its sender does not give up on it.
    (req as Sequenced).deadlineUs = cb === undefined ? undefined : this.node.nowUs + timeoutMs * 1000;
    if (cb !== undefined) {
      const cid = req.cid;
      const p: Pending = { cb: cb as (resp: KafkaResponse | null) => void, timer: undefined, to, conn: c.id };
      this.pending.set(cid, p);
      p.timer = this.node.setTimer(timeoutMs * 1000, () => {
        if (this.pending.get(cid) !== p) return;
        p.timer = undefined;
        this.closeConnection(to, p.conn);
      });
    }
    this.node.send(to, req, { label, stream: true });
  }

  /**
   * Closes the connection to `to`: requests still in flight on it fail, in the order they were
   * sent (as Kafka's NetworkClient fails them on a disconnect); the next call opens a new one.
   */
  private closeConnection(to: string, conn: number): void {
    const c = this.connections.get(to);
    if (c !== undefined && c.id === conn) this.connections.delete(to);
    this.failedAtUs.set(to, this.node.nowUs);
    const failed: Pending[] = [];
    for (const [cid, p] of this.pending) {
      if (p.to !== to || p.conn !== conn) continue;
      this.pending.delete(cid);
      if (p.timer !== undefined) this.node.cancelTimer(p.timer);
      failed.push(p);
    }
    for (const p of failed) p.cb(null);
  }

  /** When the connection to `peer` last failed (-1: never). */
  lastFailureUs(peer: string): number {
    return this.failedAtUs.get(peer) ?? -1;
  }

  /** Routes a response to its waiting callback; returns false for a response nobody waits for. */
  onResponse(resp: KafkaResponse | ConnectionReset): boolean {
    const p = this.pending.get(resp.re);
    if (p === undefined) return false;
    if (resp.type === 'ConnectionReset') {
      // The peer restarted and no longer knows this connection: fail everything on it now.
      this.closeConnection(p.to, p.conn);
      return true;
    }
    this.pending.delete(resp.re);
    if (p.timer !== undefined) this.node.cancelTimer(p.timer);
    p.cb(resp);
    return true;
  }

  /** Answers a request. */
  reply(to: string, resp: KafkaResponse | ConnectionReset, label: unknown): void {
    this.node.send(to, resp, { label, stream: true });
  }
}

interface Sequenced {
  conn?: number;
  seq?: number;
  deadlineUs?: number;
}

/** What a receiver answers to a request on a connection it does not know (TCP's RST). */
export interface ConnectionReset {
  type: 'ConnectionReset';
  re: number;
}

/**
 * The receiving end of the simulated connections. A request is processed only if it is the next
 * one on the newest connection from its sender and its sender has not given up on it yet.
 */
export class ConnectionTable {
  private readonly peers = new Map<string, { conn: number; nextSeq: number }>();

  /**
   * 'accept'; 'ignore' (a connection the sender closed, or a copy); or 'reset' (a connection this
   * receiver does not know: it restarted since the connection opened, or lost its place in it).
   */
  accept(from: string, req: unknown, nowUs: number): 'accept' | 'ignore' | 'reset' {
    const { conn, seq, deadlineUs } = req as Sequenced;
    if (conn === undefined || seq === undefined) return 'accept';
    if (deadlineUs !== undefined && nowUs > deadlineUs) return 'ignore';
    let p = this.peers.get(from);
    if (p === undefined || conn > p.conn) {
      if (seq !== 0) return 'reset';
      p = { conn, nextSeq: 0 };
      this.peers.set(from, p);
    }
    if (conn < p.conn || seq < p.nextSeq) return 'ignore';
    if (seq > p.nextSeq) return 'reset';
    p.nextSeq++;
    return 'accept';
  }
}

/**
 * Checks an incoming request against the table; answers a reset when needed. Returns true if
 * the request should be processed.
 */
export function admit(table: ConnectionTable, rpc: Rpc, node: SimNode, payload: unknown, from: string, msgId: number): boolean {
  const verdict = table.accept(from, payload, node.nowUs);
  if (verdict === 'accept') return true;
  node.world.record(Kinds.drop, node.name, from, msgId, { reason: verdict === 'reset' ? 'connection-reset' : 'connection-closed' });
  const cid = (payload as { cid?: unknown }).cid;
  if (verdict === 'reset' && typeof cid === 'number') rpc.reply(from, { type: 'ConnectionReset', re: cid }, { type: 'ConnectionReset' });
  return false;
}

/** True for a response message (it answers a correlation id). */
export function isResponse(msg: unknown): msg is KafkaResponse | ConnectionReset {
  return typeof msg === 'object' && msg !== null && typeof (msg as { re?: unknown }).re === 'number';
}
