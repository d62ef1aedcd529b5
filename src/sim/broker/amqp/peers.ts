/**
 * The links between the nodes of a cluster, as Erlang distribution provides them: messages to a
 * peer go out in order over one stream, ticks keep a quiet link alive, and a peer silent for
 * `net_ticktime` is declared down (https://www.rabbitmq.com/docs/nettick) — whether it crashed or
 * a partition cut it off, the node cannot tell.
 *
 * Declaring a peer down ends the session with it: messages of the old session still in flight are
 * discarded on arrival, and when the peer is heard from again both sides have already dropped what
 * they held for each other (consumers, deliveries, pending confirms), as after an Erlang nodedown.
 * A restarted peer (a new incarnation) likewise starts afresh.
 */

import type { SimNode } from '../../node.ts';
import { Outbox } from './outbox.ts';
import { packetLabel, type NodeMessage, type NodePacket } from './protocol.ts';

export interface PeerEvents {
  message(from: string, msg: NodeMessage): void;
  /** The peer is unreachable, or restarted: forget what it held here and what we held there. */
  down(peer: string): void;
  up(peer: string): void;
}

interface Peer {
  readonly name: string;
  session: number;
  /** The peer's incarnation as last heard (-1: never heard). */
  incarnation: number;
  lastHeardUs: number;
  up: boolean;
  sentSinceTick: boolean;
  readonly outbox: Outbox<NodeMessage>;
}

export class PeerLinks {
  private readonly peers = new Map<string, Peer>();

  constructor(
    private readonly node: SimNode,
    names: readonly string[],
    private readonly netTicktimeMs: number,
    private readonly events: PeerEvents,
  ) {
    for (const name of names) {
      if (name === node.name) continue;
      const peer: Peer = {
        name,
        session: 0,
        incarnation: -1,
        lastHeardUs: node.nowUs,
        up: true,
        sentSinceTick: false,
        outbox: new Outbox<NodeMessage>(node, (msgs) => this.transmit(peer, msgs)),
      };
      this.peers.set(name, peer);
    }
  }

  /** Starts the ticker: every quarter of the tick time, tick quiet links and check silent peers. */
  start(): void {
    const everyUs = Math.max(1, Math.round((this.netTicktimeMs * 1000) / 4));
    const tick = (): void => {
      const now = this.node.nowUs;
      for (const p of this.peers.values()) {
        if (!p.sentSinceTick) p.outbox.push({ k: 'tick' });
        p.sentSinceTick = false;
        if (p.up && now - p.lastHeardUs > this.netTicktimeMs * 1000) {
          p.up = false;
          p.session++;
          p.outbox.discard();
          this.events.down(p.name);
        }
      }
      this.node.setTimer(everyUs, tick);
    };
    this.node.setTimer(everyUs, tick);
  }

  send(to: string, msg: NodeMessage): void {
    const p = this.peers.get(to);
    if (p !== undefined) p.outbox.push(msg);
  }

  isUp(name: string): boolean {
    return this.peers.get(name)?.up ?? false;
  }

  /** The peer's incarnation as last heard, or undefined. */
  incarnationOf(name: string): number | undefined {
    const i = this.peers.get(name)?.incarnation;
    return i === undefined || i < 0 ? undefined : i;
  }

  private transmit(p: Peer, msgs: NodeMessage[]): void {
    const packet: NodePacket = { amqp: 'n', fromInc: this.node.incarnation, toInc: p.incarnation, session: p.session, msgs };
    this.node.send(p.name, packet, { stream: true, label: packetLabel('n', msgs[0]!.k, msgs.length) });
    p.sentSinceTick = true;
  }

  receive(from: string, pkt: NodePacket): void {
    const p = this.peers.get(from);
    if (p === undefined) return;
    // Addressed to an earlier life of this node: that life's state is gone.
    if (pkt.toInc !== -1 && pkt.toInc !== this.node.incarnation) return;
    if (pkt.fromInc > p.incarnation) {
      if (p.incarnation >= 0) this.reset(p);
      p.incarnation = pkt.fromInc;
      p.session = pkt.session;
    } else if (pkt.fromInc < p.incarnation) return;
    if (pkt.session < p.session) return;
    if (pkt.session > p.session) {
      this.reset(p);
      p.session = pkt.session;
    }
    p.lastHeardUs = this.node.nowUs;
    if (!p.up) {
      p.up = true;
      this.events.up(from);
    }
    const msgs = pkt.msgs;
    for (let i = 0; i < msgs.length; i++) if (msgs[i]!.k !== 'tick') this.events.message(from, msgs[i]!);
  }

  /** The other side ended the session (or restarted): drop ours too. */
  private reset(p: Peer): void {
    p.outbox.discard();
    if (p.up) {
      p.up = false;
      this.events.down(p.name);
    }
  }
}
