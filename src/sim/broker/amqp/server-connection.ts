/**
 * A client connection as a broker node holds it (`rabbit_reader`): its channels, heartbeats, the
 * exclusive queues it owns, and flow control under a resource alarm.
 *
 * - Heartbeats: see heartbeat.ts; a connection whose client went silent (crashed machine,
 *   partition) is closed with "missed heartbeats from client, timeout: Ns", and everything its
 *   channels held goes back to the queues.
 * - Alarms (https://www.rabbitmq.com/docs/alarms, https://www.rabbitmq.com/docs/connection-blocked):
 *   while any node of the cluster has a memory alarm, a connection that publishes is blocked: it
 *   gets `connection.blocked` ("low on memory"), the broker stops reading from it (its frames wait
 *   in the socket) and stops counting its heartbeats; connections that only consume carry on.
 * - Exclusive queues die with their connection (https://www.rabbitmq.com/docs/queues#exclusive-queues).
 */

import { Heartbeat } from './heartbeat.ts';
import { AmqpKinds } from './kinds.ts';
import { Outbox } from './outbox.ts';
import { packetLabel, type ClientFrame, type ServerFrame, type ServerPacket } from './protocol.ts';
import type { RabbitNode } from './rabbit-node.ts';
import { ServerChannel } from './server-channel.ts';

type ReaderState = 'running' | 'blocked' | 'closed';

export class ServerConnection {
  readonly channels = new Map<number, ServerChannel>();
  readonly exclusiveQueues = new Set<string>();
  private state: ReaderState = 'running';
  private readonly paused: ClientFrame[] = [];
  private readonly outbox: Outbox<ServerFrame>;
  private readonly heartbeat: Heartbeat;
  private nextChannelSerial = 1;

  constructor(
    /** The connection's id on the wire (chosen by the client). */
    readonly id: string,
    /** This node's name for it: `node/incarnation.serial`, the prefix of its channels' ids. */
    readonly serverKey: string,
    readonly client: string,
    readonly heartbeatS: number,
    private readonly host: RabbitNode,
  ) {
    const node = host.node;
    this.outbox = new Outbox<ServerFrame>(node, (frames) => {
      const packet: ServerPacket = { amqp: 's', conn: id, frames };
      node.send(client, packet, { stream: true, label: packetLabel('s', frames[0]!.m, frames.length) });
      this.heartbeat.sent();
    });
    this.heartbeat = new Heartbeat(
      node,
      heartbeatS,
      () => this.send({ m: 'heartbeat' }),
      () => this.close(`missed heartbeats from client, timeout: ${heartbeatS}s`, false),
    );
    this.heartbeat.start();
  }

  get blocked(): boolean {
    return this.state === 'blocked';
  }

  send(frame: ServerFrame): void {
    if (this.state === 'closed') return;
    this.outbox.push(frame);
  }

  /** Frames of one packet from the client, in order. */
  receive(frames: readonly ClientFrame[]): void {
    if (this.state === 'closed') return;
    this.heartbeat.received();
    for (let i = 0; i < frames.length; i++) {
      if (this.state === 'blocked') {
        // Not read: the frames wait in the socket until the alarm clears.
        this.paused.push(frames[i]!);
        continue;
      }
      this.frame(frames[i]!);
      if ((this.state as ReaderState) === 'closed') return;
    }
  }

  private frame(f: ClientFrame): void {
    switch (f.m) {
      case 'heartbeat':
      case 'connection.open':
        return;
      case 'connection.close':
        this.send({ m: 'connection.close-ok' });
        this.close('client closed the connection', true);
        return;
      case 'connection.close-ok':
        this.close('closed', true);
        return;
      case 'channel.open': {
        if (this.channels.has(f.ch) || f.ch < 1 || f.ch > this.host.config.channelMax) {
          this.fail(504, `CHANNEL_ERROR - second 'channel.open' seen`);
          return;
        }
        const id = `${this.serverKey}.${this.nextChannelSerial++}/${f.ch}`;
        const ch = new ServerChannel(id, f.ch, this, this.host);
        this.channels.set(f.ch, ch);
        this.host.channels.set(id, ch);
        this.send({ m: 'channel.open-ok', ch: f.ch });
        return;
      }
      default: {
        const ch = this.channels.get((f as { ch: number }).ch);
        if (ch === undefined) {
          // A frame for a channel that is not open: a connection-level error in AMQP 0-9-1.
          this.fail(504, `CHANNEL_ERROR - expected 'channel.open'`);
          return;
        }
        ch.handle(f);
      }
    }
  }

  /** A channel finished closing: its number may be reused. */
  forgetChannel(n: number): void {
    this.channels.delete(n);
  }

  /** The connection published: under an alarm it is now blocked (`rabbit_reader:control_throttle`). */
  published(): void {
    if (this.state === 'running' && this.host.metadata.alarms.size > 0) this.block();
  }

  private block(): void {
    this.state = 'blocked';
    this.heartbeat.paused = true;
    this.send({ m: 'connection.blocked', reason: 'low on memory' });
    this.host.record(AmqpKinds.blocked, { conn: this.id, blocked: true });
  }

  /** Called by the node when the cluster's alarms may have changed. */
  alarmsChanged(): void {
    // A publisher is blocked when it next publishes under an alarm (see `published`); here only unblocking.
    if (this.state === 'blocked' && this.host.metadata.alarms.size === 0) {
      this.state = 'running';
      this.heartbeat.paused = false;
      this.send({ m: 'connection.unblocked' });
      this.host.record(AmqpKinds.blocked, { conn: this.id, blocked: false });
      const frames = this.paused.splice(0);
      this.receive(frames);
    }
  }

  /** A connection-level error: `connection.close` with the code, then the connection is gone. */
  fail(code: number, text: string): void {
    this.send({ m: 'connection.close', code, text });
    this.close(text, true);
  }

  /**
   * Closes the connection: channels go down (deliveries requeued), exclusive queues are deleted.
   * `flush` sends what is queued (a clean close); a dead peer gets nothing.
   */
  close(reason: string, flush: boolean): void {
    if (this.state === 'closed') return;
    for (const ch of this.channels.values()) ch.down();
    this.channels.clear();
    for (const q of this.exclusiveQueues) this.host.deleteExclusiveQueue(q);
    this.exclusiveQueues.clear();
    if (flush) this.outbox.flush();
    else this.outbox.discard();
    this.state = 'closed';
    this.heartbeat.stop();
    this.host.connectionClosed(this, reason);
  }

  /** Consumer timeouts of this connection's channels. */
  checkConsumerTimeouts(timeoutMs: number): void {
    for (const ch of this.channels.values()) ch.checkConsumerTimeout(timeoutMs);
  }
}
