/**
 * A client connection (amqplib's ChannelModel over lib/connection.js): it lives on a client node,
 * talks to one broker node over a TCP-like stream, runs AMQP heartbeats, and dies with its node —
 * a crashed client runs nothing more, and a restarted client must connect again.
 *
 * Events, as amqplib emits them: 'error' (heartbeat timeout, a connection error from the server),
 * 'close' (always, once), 'blocked' (with the reason) and 'unblocked' (resource alarms).
 */

import type { SimNode } from '../../../node.ts';
import { SimPromise } from '../../../sim-promise.ts';
import { Heartbeat } from '../heartbeat.ts';
import { AmqpKinds } from '../kinds.ts';
import { Outbox } from '../outbox.ts';
import { packetLabel, type ClientFrame, type ClientPacket, type ServerFrame } from '../protocol.ts';
import { Channel, ConfirmChannel } from './channel.ts';
import type { ClientHost } from './client-host.ts';
import { Emitter } from './emitter.ts';
import { connectionClosedError, IllegalOperationError, type AmqpClientError } from './errors.ts';

type ConnectionState = 'opening' | 'open' | 'closing' | 'closed';

type ConnectionEvents = {
  error: [AmqpClientError];
  close: [AmqpClientError | undefined];
  blocked: [string];
  unblocked: [];
};

export class Connection extends Emitter<ConnectionEvents> {
  state: ConnectionState = 'opening';
  /** Negotiated heartbeat timeout in seconds (0: none). */
  heartbeatS = 0;
  /** True between `connection.blocked` and `connection.unblocked`. */
  blocked = false;
  private readonly channels = new Map<number, Channel>();
  private readonly outbox: Outbox<ClientFrame>;
  private heartbeat: Heartbeat | undefined;
  private closeWaiter: SimPromise<void> | undefined;
  private channelNext = 1;

  constructor(
    private readonly host: ClientHost,
    readonly id: string,
    readonly node: SimNode,
    /** The broker node this connection talks to. */
    readonly broker: string,
    readonly messageHistory: boolean,
  ) {
    super();
    this.outbox = new Outbox<ClientFrame>(node, (frames) => {
      const packet: ClientPacket = { amqp: 'c', conn: id, frames };
      node.send(broker, packet, { stream: true, label: packetLabel('c', frames[0]!.m, frames.length) });
      this.heartbeat?.sent();
    });
  }

  /** Sends the handshake; the returned promise settles on `connection.open-ok` or the timeout. */
  open(heartbeatS: number, timeoutMs: number): SimPromise<Connection> {
    const p = new SimPromise<Connection>();
    this.opening = p;
    this.sendFrame({ m: 'connection.open', heartbeatS, client: this.node.name });
    this.node.setTimer(timeoutMs * 1000, () => {
      if (this.state !== 'opening') return;
      this.state = 'closed';
      this.host.forget(this);
      p.reject(Object.assign(new Error(`connect ETIMEDOUT ${this.broker}:5672`), { code: 'ETIMEDOUT' }));
    });
    return p;
  }

  private opening: SimPromise<Connection> | undefined;

  createChannel(): SimPromise<Channel> {
    return this.newChannel(false) as SimPromise<Channel>;
  }

  createConfirmChannel(): SimPromise<ConfirmChannel> {
    return this.newChannel(true) as SimPromise<ConfirmChannel>;
  }

  private newChannel(confirm: boolean): SimPromise<Channel | ConfirmChannel> {
    const p = new SimPromise<Channel | ConfirmChannel>();
    if (this.state !== 'open') {
      p.reject(new IllegalOperationError(`Connection closed (${this.state === 'closing' ? 'closing' : 'by client'})`));
      return p;
    }
    let n = this.channelNext;
    while (this.channels.has(n)) n++;
    this.channelNext = n + 1;
    const ch = confirm ? new ConfirmChannel(this, n) : new Channel(this, n);
    this.channels.set(n, ch);
    this.pendingOpens.set(n, { ch, p, confirm });
    this.sendFrame({ m: 'channel.open', ch: n });
    return p;
  }

  private readonly pendingOpens = new Map<number, { ch: Channel; p: SimPromise<Channel | ConfirmChannel>; confirm: boolean }>();

  /** Closes the connection cleanly (its channels close with it). */
  close(): SimPromise<void> {
    const p = new SimPromise<void>();
    if (this.state !== 'open') {
      p.reject(new IllegalOperationError('Connection closed (by client)'));
      return p;
    }
    this.sendFrame({ m: 'connection.close', code: 200, text: 'Goodbye' });
    this.state = 'closing';
    this.closeWaiter = p;
    return p;
  }

  /** Writes a frame (it leaves with the others written this instant). */
  sendFrame(frame: ClientFrame): void {
    if (this.state === 'closed') throw new IllegalOperationError('Connection closed');
    this.outbox.push(frame);
  }

  /** The serial of the next message this connection publishes (its id is `node:serial`). */
  nextMessageSerial(): number {
    return this.host.nextMessageSerial();
  }

  /** Frames from the broker, in order. */
  receive(frames: readonly ServerFrame[]): void {
    if (this.state === 'closed') return;
    this.heartbeat?.received();
    for (let i = 0; i < frames.length; i++) {
      this.frame(frames[i]!);
      if ((this.state as ConnectionState) === 'closed') return;
    }
  }

  private frame(f: ServerFrame): void {
    switch (f.m) {
      case 'connection.open-ok': {
        this.state = 'open';
        this.heartbeatS = f.heartbeatS;
        this.heartbeat = new Heartbeat(
          this.node,
          f.heartbeatS,
          () => this.sendFrame({ m: 'heartbeat' }),
          () => {
            const err: AmqpClientError = new Error('Heartbeat timeout');
            this.emit('error', err);
            this.toClosed(err, 'heartbeat-timeout');
          },
        );
        this.heartbeat.start();
        this.node.record(AmqpKinds.connectionOpen, { conn: this.id, node: this.broker, heartbeatS: f.heartbeatS });
        this.opening?.resolve(this);
        this.opening = undefined;
        return;
      }
      case 'heartbeat':
        return;
      case 'connection.close': {
        this.outbox.push({ m: 'connection.close-ok' });
        const err = connectionClosedError(f.code, f.text);
        if (f.code !== 200 && f.code !== 320) this.emit('error', err);
        this.toClosed(err, f.text);
        return;
      }
      case 'connection.close-ok': {
        const w = this.closeWaiter;
        this.toClosed(undefined, 'closed by client');
        w?.resolve();
        return;
      }
      case 'connection.blocked':
        this.blocked = true;
        this.emit('blocked', f.reason);
        return;
      case 'connection.unblocked':
        this.blocked = false;
        this.emit('unblocked');
        for (const ch of this.channels.values()) ch.drained();
        return;
      case 'channel.open-ok': {
        const o = this.pendingOpens.get(f.ch);
        if (o === undefined) return;
        if (o.confirm) {
          this.sendFrame({ m: 'confirm.select', ch: f.ch });
          return;
        }
        this.pendingOpens.delete(f.ch);
        o.ch.opened();
        o.p.resolve(o.ch);
        return;
      }
      case 'confirm.select-ok': {
        const o = this.pendingOpens.get(f.ch);
        if (o === undefined) return;
        this.pendingOpens.delete(f.ch);
        (o.ch as ConfirmChannel).enableConfirms();
        o.ch.opened();
        o.p.resolve(o.ch);
        return;
      }
      default:
        this.channels.get((f as { ch: number }).ch)?.accept(f);
    }
  }

  /** A channel is fully closed: its number may be reused. */
  forgetChannel(n: number): void {
    this.channels.delete(n);
    const o = this.pendingOpens.get(n);
    if (o !== undefined) {
      this.pendingOpens.delete(n);
      o.p.reject(new Error('Channel ended, no reply will be forthcoming'));
    }
  }

  /** Moves to closed: channels close, 'close' is emitted (with the error that caused it, if any). */
  private toClosed(err: AmqpClientError | undefined, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.heartbeat?.stop();
    for (const ch of [...this.channels.values()]) ch.toClosed();
    this.channels.clear();
    this.host.forget(this);
    this.node.record(AmqpKinds.connectionClose, { conn: this.id, reason });
    const w = this.closeWaiter;
    this.closeWaiter = undefined;
    w?.resolve();
    this.emit('close', err);
    this.outbox.flush();
  }

  /** The client node crashed: nothing of this connection runs any more (no events, no callbacks). */
  died(): void {
    this.state = 'closed';
    this.outbox.discard();
  }
}
