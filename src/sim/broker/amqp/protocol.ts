/**
 * What crosses the simulated network, as plain data: AMQP 0-9-1 methods between a client and the
 * broker node it is connected to, and the messages RabbitMQ nodes exchange among themselves
 * (channel ↔ queue traffic, Raft for quorum queues, liveness ticks).
 *
 * Frames travel in packets: everything one end writes to a connection within one simulated instant
 * goes out as one packet, as a socket write coalesces frames. Packets use the network's stream
 * mode (TCP: in order, retransmitted, held across a partition). The history records a small label
 * per packet (`packetLabel`), never the frames themselves.
 *
 * Methods are named as the AMQP 0-9-1 spec names them (`basic.publish`, `queue.declare-ok`); the
 * fields are amqplib's names. Messages keep the broker's immutable {@link AmqpMessage} form on the
 * wire: it is never mutated, so sharing it is safe, and the client turns it into amqplib's
 * message shape when it hands it to learner code.
 */

import type { FieldTable } from './field-value.ts';
import type { AmqpMessage, BasicProperties } from './message.ts';

/** The method that failed, for amqplib's "Operation failed: QueueDeclare; …" text. */
export type RpcMethod =
  | 'channel.open'
  | 'confirm.select'
  | 'basic.qos'
  | 'exchange.declare'
  | 'exchange.delete'
  | 'exchange.bind'
  | 'exchange.unbind'
  | 'queue.declare'
  | 'queue.bind'
  | 'queue.unbind'
  | 'queue.purge'
  | 'queue.delete'
  | 'basic.consume'
  | 'basic.cancel'
  | 'basic.get'
  | 'basic.recover'
  | 'channel.close';

// ---------------------------------------------------------------- client → broker

export type ClientFrame =
  | { readonly m: 'connection.open'; readonly heartbeatS: number; readonly client: string }
  | { readonly m: 'connection.close'; readonly code: number; readonly text: string }
  | { readonly m: 'connection.close-ok' }
  | { readonly m: 'heartbeat' }
  | { readonly m: 'channel.open'; readonly ch: number }
  | { readonly m: 'channel.close'; readonly ch: number; readonly code: number; readonly text: string }
  | { readonly m: 'channel.close-ok'; readonly ch: number }
  | { readonly m: 'confirm.select'; readonly ch: number }
  | { readonly m: 'basic.qos'; readonly ch: number; readonly prefetchCount: number; readonly global: boolean }
  | {
      readonly m: 'exchange.declare';
      readonly ch: number;
      readonly exchange: string;
      readonly type: string;
      readonly passive: boolean;
      readonly durable: boolean;
      readonly autoDelete: boolean;
      readonly internal: boolean;
      readonly arguments: FieldTable;
    }
  | { readonly m: 'exchange.delete'; readonly ch: number; readonly exchange: string; readonly ifUnused: boolean }
  | {
      readonly m: 'exchange.bind' | 'exchange.unbind';
      readonly ch: number;
      readonly destination: string;
      readonly source: string;
      readonly routingKey: string;
      readonly arguments: FieldTable;
    }
  | {
      readonly m: 'queue.declare';
      readonly ch: number;
      readonly queue: string;
      readonly passive: boolean;
      readonly durable: boolean;
      readonly exclusive: boolean;
      readonly autoDelete: boolean;
      readonly arguments: FieldTable;
    }
  | {
      readonly m: 'queue.bind' | 'queue.unbind';
      readonly ch: number;
      readonly queue: string;
      readonly exchange: string;
      readonly routingKey: string;
      readonly arguments: FieldTable;
    }
  | { readonly m: 'queue.purge'; readonly ch: number; readonly queue: string }
  | { readonly m: 'queue.delete'; readonly ch: number; readonly queue: string; readonly ifUnused: boolean; readonly ifEmpty: boolean }
  | {
      readonly m: 'basic.publish';
      readonly ch: number;
      /** Simulator identity of this publish, `${origin}:${serial}` (`messageId`). */
      readonly origin: string;
      readonly serial: number;
      readonly exchange: string;
      readonly routingKey: string;
      readonly mandatory: boolean;
      readonly properties: BasicProperties;
      readonly body: string;
      readonly bodySize: number;
    }
  | {
      readonly m: 'basic.consume';
      readonly ch: number;
      readonly queue: string;
      readonly consumerTag: string;
      readonly noAck: boolean;
      readonly exclusive: boolean;
      readonly arguments: FieldTable;
    }
  | { readonly m: 'basic.cancel'; readonly ch: number; readonly consumerTag: string }
  | { readonly m: 'basic.get'; readonly ch: number; readonly queue: string; readonly noAck: boolean }
  | { readonly m: 'basic.ack'; readonly ch: number; readonly deliveryTag: number; readonly multiple: boolean }
  | { readonly m: 'basic.nack'; readonly ch: number; readonly deliveryTag: number; readonly multiple: boolean; readonly requeue: boolean }
  | { readonly m: 'basic.reject'; readonly ch: number; readonly deliveryTag: number; readonly requeue: boolean }
  | { readonly m: 'basic.recover'; readonly ch: number; readonly requeue: boolean };

// ---------------------------------------------------------------- broker → client

/** Fields every message-carrying method shares. */
interface MessageFields {
  readonly ch: number;
  readonly message: AmqpMessage;
  /** Quorum queues' delivery count (becomes the `x-delivery-count` header when above 0). */
  readonly deliveryCount: number;
}

export type ServerFrame =
  | { readonly m: 'connection.open-ok'; readonly heartbeatS: number; readonly node: string }
  | { readonly m: 'connection.close'; readonly code: number; readonly text: string }
  | { readonly m: 'connection.close-ok' }
  | { readonly m: 'connection.blocked'; readonly reason: string }
  | { readonly m: 'connection.unblocked' }
  | { readonly m: 'heartbeat' }
  | { readonly m: 'channel.open-ok'; readonly ch: number }
  | {
      readonly m: 'channel.close';
      readonly ch: number;
      readonly code: number;
      readonly text: string;
      /** The method that caused it (absent for errors not caused by a method, e.g. a consumer timeout). */
      readonly method: RpcMethod | 'basic.publish' | 'basic.ack' | 'basic.nack' | 'basic.reject' | undefined;
    }
  | { readonly m: 'channel.close-ok'; readonly ch: number }
  | { readonly m: 'confirm.select-ok'; readonly ch: number }
  | { readonly m: 'basic.qos-ok'; readonly ch: number }
  | { readonly m: 'exchange.declare-ok'; readonly ch: number }
  | { readonly m: 'exchange.delete-ok'; readonly ch: number }
  | { readonly m: 'exchange.bind-ok' | 'exchange.unbind-ok'; readonly ch: number }
  | { readonly m: 'queue.declare-ok'; readonly ch: number; readonly queue: string; readonly messageCount: number; readonly consumerCount: number }
  | { readonly m: 'queue.bind-ok' | 'queue.unbind-ok'; readonly ch: number }
  | { readonly m: 'queue.purge-ok' | 'queue.delete-ok'; readonly ch: number; readonly messageCount: number }
  | { readonly m: 'basic.consume-ok'; readonly ch: number; readonly consumerTag: string }
  | { readonly m: 'basic.cancel-ok'; readonly ch: number; readonly consumerTag: string }
  | { readonly m: 'basic.recover-ok'; readonly ch: number }
  | (MessageFields & {
      readonly m: 'basic.deliver';
      readonly consumerTag: string;
      readonly deliveryTag: number;
      readonly redelivered: boolean;
    })
  | (MessageFields & {
      readonly m: 'basic.get-ok';
      readonly deliveryTag: number;
      readonly redelivered: boolean;
      readonly messageCount: number;
    })
  | { readonly m: 'basic.get-empty'; readonly ch: number }
  | (MessageFields & {
      readonly m: 'basic.return';
      readonly replyCode: number;
      readonly replyText: string;
      readonly exchange: string;
      readonly routingKey: string;
    })
  | { readonly m: 'basic.ack' | 'basic.nack'; readonly ch: number; readonly deliveryTag: number; readonly multiple: boolean }
  /** The broker cancelled a consumer (its queue was deleted or became unavailable). */
  | { readonly m: 'basic.cancel'; readonly ch: number; readonly consumerTag: string };

/** A client's packet to a broker node: frames of one connection. */
export interface ClientPacket {
  readonly amqp: 'c';
  /** Connection id, chosen by the client and unique in the world. */
  readonly conn: string;
  readonly frames: readonly ClientFrame[];
}

/** A broker node's packet to a client. */
export interface ServerPacket {
  readonly amqp: 's';
  readonly conn: string;
  readonly frames: readonly ServerFrame[];
}

// ---------------------------------------------------------------- broker node ↔ broker node

/**
 * Channel → queue commands. `ch` is the channel's cluster-wide id (it names the node it lives on,
 * see `channelNode`). `qs` numbers the commands one channel sends one quorum queue, so a new leader
 * can tell a resent command from a new one.
 */
export type QueueCommand =
  | { readonly k: 'q.enq'; readonly q: string; readonly ch: string; readonly seq: number; readonly msg: AmqpMessage; readonly qs?: number }
  | {
      readonly k: 'q.consume';
      readonly q: string;
      readonly ch: string;
      readonly tag: string;
      readonly noAck: boolean;
      readonly prefetch: number;
      readonly priority: number;
      readonly exclusive: boolean;
      readonly rid: number;
      readonly qs?: number;
    }
  | { readonly k: 'q.cancel'; readonly q: string; readonly ch: string; readonly tag: string; readonly qs?: number }
  | {
      readonly k: 'q.settle';
      readonly q: string;
      readonly ch: string;
      readonly tags: readonly number[];
      /** ack; reject = nack/reject without requeue (dead-letter); requeue = with requeue. */
      readonly op: 'ack' | 'reject' | 'requeue';
      readonly why?: 'recover';
      readonly qs?: number;
    }
  | { readonly k: 'q.chdown'; readonly q: string; readonly ch: string; readonly qs?: number }
  | { readonly k: 'q.get'; readonly q: string; readonly ch: string; readonly noAck: boolean; readonly rid: number; readonly qs?: number }
  | { readonly k: 'q.purge'; readonly q: string; readonly ch: string; readonly rid: number; readonly qs?: number }
  | {
      readonly k: 'q.delete';
      readonly q: string;
      readonly ch: string;
      readonly rid: number;
      readonly ifUnused: boolean;
      readonly ifEmpty: boolean;
      readonly qs?: number;
    }
  | { readonly k: 'q.stat'; readonly q: string; readonly ch: string; readonly rid: number; readonly redeclare: boolean }
  | { readonly k: 'q.resume'; readonly q: string; readonly ch: string };

/** What a reply to a channel's request to a queue carries. */
export type QueueReply =
  | { readonly ok: true; readonly messageCount: number; readonly consumerCount: number }
  | { readonly ok: false; readonly code: number; readonly text: string };

/** Queue → channel events. */
export type ChannelEvent =
  | {
      readonly k: 'ch.deliver';
      readonly ch: string;
      readonly q: string;
      /** Undefined for `basic.get`. */
      readonly tag: string | undefined;
      /** Queue-local ack tag; undefined when no ack is expected. */
      readonly ackTag: number | undefined;
      readonly msg: AmqpMessage;
      readonly redelivered: boolean;
      readonly deliveryCount: number;
      /** Set by quorum queues, whose deliveries a new leader may send again. */
      readonly qq?: true;
    }
  | { readonly k: 'ch.confirm'; readonly ch: string; readonly q: string; readonly seqs: readonly number[]; readonly ok: boolean }
  | { readonly k: 'ch.reply'; readonly ch: string; readonly rid: number; readonly reply: QueueReply; readonly get?: GetResult }
  | { readonly k: 'ch.applied'; readonly ch: string; readonly q: string; readonly upTo: number }
  | { readonly k: 'ch.cancelled'; readonly ch: string; readonly q: string; readonly tag: string };

/** The answer to a `basic.get`: a delivery and the ready count left, or nothing. */
export interface GetResult {
  readonly ackTag: number | undefined;
  readonly msg: AmqpMessage;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
  readonly messageCount: number;
}

/** One entry of a quorum queue's Raft log: a queue command (with the leader's clock) or a no-op. */
export type RaftCommand =
  | (QueueCommand & { readonly nowMs: number })
  | { readonly k: 'q.expire'; readonly q: string; readonly nowMs: number }
  | { readonly k: 'noop'; readonly q: string; readonly nowMs: number };

export interface RaftEntry {
  readonly term: number;
  readonly cmd: RaftCommand;
}

/** Raft messages of one quorum queue's group. */
export type RaftMessage =
  | { readonly k: 'rf.vote'; readonly q: string; readonly term: number; readonly lastIndex: number; readonly lastTerm: number }
  | { readonly k: 'rf.vote-reply'; readonly q: string; readonly term: number; readonly granted: boolean }
  | {
      readonly k: 'rf.append';
      readonly q: string;
      readonly term: number;
      readonly prevIndex: number;
      readonly prevTerm: number;
      readonly entries: readonly RaftEntry[];
      readonly commit: number;
    }
  | { readonly k: 'rf.append-reply'; readonly q: string; readonly term: number; readonly success: boolean; readonly matchIndex: number }
  /** A member became leader: every node learns it, so channels resend what is unapplied. */
  | { readonly k: 'rf.leader'; readonly q: string; readonly term: number; readonly leader: string };

/** Node liveness (the Erlang distribution's tick). */
export type PeerMessage = { readonly k: 'tick' };

export type NodeMessage = QueueCommand | ChannelEvent | RaftMessage | PeerMessage;

/** Messages one broker node sends another in one instant. */
export interface NodePacket {
  readonly amqp: 'n';
  /** The sender's incarnation, and what it believes the receiver's is (-1: not known yet). */
  readonly fromInc: number;
  readonly toInc: number;
  /** The session between the two nodes; a node that declared the other down starts a new one. */
  readonly session: number;
  readonly msgs: readonly NodeMessage[];
}

export type AmqpPacket = ClientPacket | ServerPacket | NodePacket;

/** Is this payload one of ours? */
export function isAmqpPacket(payload: unknown): payload is AmqpPacket {
  return typeof payload === 'object' && payload !== null && 'amqp' in payload;
}

/** The small label the history records for a packet: the first method and how many frames. */
export function packetLabel(kind: 'c' | 's' | 'n', first: string, count: number): { amqp: string; n?: number } {
  return count === 1 ? { amqp: first } : { amqp: first, n: count };
}

/** The node a channel lives on, from its id (`node/incarnation.connection/channel`). */
export function channelNode(channelId: string): string {
  return channelId.slice(0, channelId.indexOf('/'));
}

/** The incarnation of the node a channel lived on, from its id. */
export function channelIncarnation(channelId: string): number {
  const a = channelId.indexOf('/') + 1;
  return Number(channelId.slice(a, channelId.indexOf('.', a)));
}
