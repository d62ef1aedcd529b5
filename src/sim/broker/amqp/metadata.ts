/**
 * The cluster's metadata store: exchanges, bindings and queue records, as RabbitMQ keeps them in
 * Mnesia / Khepri on every node. Simplification (docs/brokers/rabbitmq.md): one store shared by
 * the whole cluster, consistent at once and always available. Everything else — messages, queue
 * processes, consumers, connections — lives on nodes and crosses the network.
 *
 * A queue record says where the queue lives: a classic queue's home node, a quorum queue's
 * members and current leader. Durable definitions survive node restarts; a transient classic queue
 * disappears with its home node, and an exclusive queue with its owning connection.
 */

import type { FieldTable } from './field-value.ts';
import type { QueueConfig, QueueType } from './queue-args.ts';
import { RouteCache } from './route-cache.ts';
import { Topology, type TopologyLimits } from './topology.ts';

export interface QueueRecord {
  readonly name: string;
  readonly type: QueueType;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  /** The owning connection's id for an exclusive queue. */
  readonly exclusiveOwner: string | undefined;
  /** Declaration arguments, as given (what a redeclare is compared with). */
  readonly arguments: FieldTable;
  readonly config: QueueConfig;
  /** Classic: the node whose process holds the messages. Quorum: the first member. */
  readonly home: string;
  /** Quorum: the nodes with a replica (leader first at declaration). */
  readonly members: readonly string[];
  /** Quorum: the member that last won an election (the one channels send commands to). */
  leader: string | undefined;
  leaderTerm: number;
  /** Simulated time of declaration, for inspectors. */
  readonly declaredUs: number;
}

/** A dead-lettered message as inspectors show it (bounded log, newest last). */
export interface DeadLetterRecord {
  readonly timeUs: number;
  readonly id: string;
  readonly fromQueue: string;
  readonly reason: string;
  readonly exchange: string | undefined;
  readonly toQueues: readonly string[];
  /** The `x-death` header the copy carries, as amqplib would show it. */
  readonly xDeath: unknown;
}

const DEAD_LETTER_LOG_MAX = 1_000;

export class ClusterMetadata {
  readonly topology: Topology;
  readonly routes: RouteCache;
  private readonly queueRecords = new Map<string, QueueRecord>();
  /** Nodes with a resource alarm set (alarms are cluster-wide: any one blocks every publisher). */
  readonly alarms = new Set<string>();
  readonly deadLetters: DeadLetterRecord[] = [];

  constructor(
    limits: TopologyLimits,
    /** The cluster's node names, in order. */
    readonly clusterNodes: readonly string[],
  ) {
    this.topology = new Topology(limits);
    this.routes = new RouteCache(this.topology);
  }

  queue(name: string): QueueRecord | undefined {
    return this.queueRecords.get(name);
  }

  /** Every queue record, in declaration order. */
  queues(): readonly QueueRecord[] {
    return [...this.queueRecords.values()];
  }

  addQueue(record: QueueRecord): void {
    this.queueRecords.set(record.name, record);
    this.topology.declareQueue(record.name);
  }

  /** Removes a queue and its bindings (auto-delete exchanges left without bindings go too). */
  deleteQueue(name: string): boolean {
    if (!this.queueRecords.delete(name)) return false;
    this.topology.deleteQueue(name);
    return true;
  }

  logDeadLetter(record: DeadLetterRecord): void {
    if (this.deadLetters.length >= DEAD_LETTER_LOG_MAX) this.deadLetters.shift();
    this.deadLetters.push(record);
  }
}
