/**
 * The AMQP client library's presence on one node: it receives the broker's packets for that
 * node's connections (through a node receiver, so it works whatever the node's own behaviour is)
 * and forgets every connection when the node crashes — a crashed process keeps no sockets.
 */

import type { SimNode } from '../../../node.ts';
import type { ServerPacket } from '../protocol.ts';
import type { Connection } from './connection.ts';

const hosts = new WeakMap<SimNode, ClientHost>();

export class ClientHost {
  private readonly connections = new Map<string, Connection>();
  private attachedIncarnation = -1;
  private connectionSerial = 0;
  private messageSerial = 0;

  private constructor(readonly node: SimNode) {
    node.listen({
      onCrash: () => {
        for (const c of this.connections.values()) c.died();
        this.connections.clear();
        this.attachedIncarnation = -1;
      },
    });
  }

  /** The client library on this node (created on first use). */
  static of(node: SimNode): ClientHost {
    let h = hosts.get(node);
    if (h === undefined) {
      h = new ClientHost(node);
      hosts.set(node, h);
    }
    return h;
  }

  /** A connection id unique in the world: node, incarnation, serial. */
  nextConnectionId(): string {
    return `${this.node.name}#${this.node.incarnation}/${++this.connectionSerial}`;
  }

  /**
   * The serial of this node's next message: its id, unique in the world, is `node:serial` (the
   * history follows a message by it).
   */
  nextMessageSerial(): number {
    return ++this.messageSerial;
  }

  register(conn: Connection): void {
    if (this.attachedIncarnation !== this.node.incarnation) {
      this.node.addReceiver((payload) => this.receive(payload));
      this.attachedIncarnation = this.node.incarnation;
    }
    this.connections.set(conn.id, conn);
  }

  forget(conn: Connection): void {
    if (this.connections.get(conn.id) === conn) this.connections.delete(conn.id);
  }

  private receive(payload: unknown): boolean {
    if (typeof payload !== 'object' || payload === null || (payload as { amqp?: unknown }).amqp !== 's') return false;
    const p = payload as ServerPacket;
    this.connections.get(p.conn)?.receive(p.frames);
    return true;
  }
}
