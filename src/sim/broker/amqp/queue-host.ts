/**
 * What a queue process (classic queue, quorum member) needs from the broker node it runs on.
 * Keeping it an interface lets the queue files stay small and testable.
 */

import type { HistoryName } from '../../history.ts';
import type { SimNode } from '../../node.ts';
import type { RabbitConfig } from './config.ts';
import type { DiskSync } from './disk-sync.ts';
import type { AmqpMessage } from './message.ts';
import type { ClusterMetadata, QueueRecord } from './metadata.ts';
import type { ChannelEvent, NodeMessage } from './protocol.ts';
import type { Delivery } from './queue-step.ts';
import type { DeadLetterReason } from './x-death.ts';

export interface QueueHost {
  readonly node: SimNode;
  readonly metadata: ClusterMetadata;
  readonly config: RabbitConfig;
  readonly diskSync: DiskSync;
  /** The node's clock in whole milliseconds, as queues count TTLs. */
  nowMs(): number;
  /** Sends an event to a channel, wherever it lives (directly when it is on this node). */
  toChannel(ev: ChannelEvent): void;
  /** A queue's delivery to a consumer's channel (the hot path of `toChannel`). */
  deliver(q: string, d: Delivery): void;
  /** Sends a message to another broker node over the cluster link. */
  toNode(node: string, msg: NodeMessage): void;
  /** Dead-letters a message that left `queue` for `reason` (or drops it without a usable DLX). */
  deadLetter(queue: QueueRecord, message: AmqpMessage, reason: DeadLetterReason): void;
  /** Records a per-message history entry when message history is on. */
  recordMessage(kind: string, data: unknown): void;
  /**
   * Records that a queue delivered a message, when message history is on (`amqp.deliver`). `q`
   * and `ch` are the queue's and the channel's names, or their handles from `historyName`.
   */
  recordDeliver(msg: AmqpMessage, q: string | HistoryName, ch: string | HistoryName, redelivered: boolean, noAck: boolean): void;
  /** Records that a queue settled a message with an ack, when message history is on (`amqp.ack`). */
  recordAck(msg: AmqpMessage, q: string | HistoryName): void;
  /**
   * A queue's or a channel's name as the per-message history keeps it (a `HistoryName`, so the
   * entries need not look it up), or the name itself when message history is off.
   */
  historyName(name: string): string | HistoryName;
  /** Records a history entry. */
  record(kind: string, data: unknown): void;
  /** The queue process is gone (deleted, expired): forget it and its record. */
  queueDeleted(name: string, why: string): void;
  /** Is this channel still alive, as far as this node can tell? */
  channelAlive(channelId: string): boolean;
}

/**
 * The names a queue's per-message entries record, as `QueueHost.historyName` gives them: its own,
 * fetched on first use, and the channel it delivered to last (a queue mostly delivers to the same
 * channel again, and a miss costs only the lookup the entry would have made anyway).
 */
export class QueueHistoryNames {
  private queue: string | HistoryName | undefined;
  private lastChannel: string | undefined;
  private lastChannelName: string | HistoryName = '';

  constructor(
    private readonly host: QueueHost,
    private readonly queueName: string,
  ) {}

  get q(): string | HistoryName {
    return (this.queue ??= this.host.historyName(this.queueName));
  }

  channel(ch: string): string | HistoryName {
    if (ch !== this.lastChannel) {
      this.lastChannel = ch;
      this.lastChannelName = this.host.historyName(ch);
    }
    return this.lastChannelName;
  }
}
