/**
 * A RabbitMQ cluster in a World: `rabbit1` … `rabbitN`, each a SimNode running a {@link RabbitNode},
 * sharing one metadata store. `RabbitCluster.create(world, { nodes: 3 })` adds the nodes; clients
 * then `connect(world, 'app', { host: 'rabbit1' })`.
 *
 * The cluster also offers the read-only views the UI's inspectors show: per queue its ready and
 * unacknowledged counts, consumers and where it lives; per node its connections and alarm; and the
 * most recent dead-lettered messages with their `x-death`.
 */

import type { SimNode } from '../../node.ts';
import type { World } from '../../world.ts';
import { DEFAULT_RABBIT_CONFIG, type RabbitConfig } from './config.ts';
import { deliveredHeaders, messageId } from './message.ts';
import { tableToJs } from './field-value.ts';
import { AmqpKinds } from './kinds.ts';
import { ClusterMetadata, type DeadLetterRecord } from './metadata.ts';
import type { QueueStore } from './queue.ts';
import { RabbitNode } from './rabbit-node.ts';

export interface RabbitClusterOptions {
  /** How many nodes (named `rabbit1` … `rabbitN`); default 1. */
  nodes?: number;
  /** Or the node names, in order. */
  names?: readonly string[];
  config?: Partial<RabbitConfig>;
}

/** One consumer as inspectors show it. */
export interface ConsumerView {
  readonly channel: string;
  readonly consumerTag: string;
  readonly unacked: number;
}

/** One message sitting in a queue, as inspectors show it. */
export interface MessageView {
  readonly id: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  readonly headers: Record<string, unknown> | undefined;
  readonly body: unknown;
}

export interface QueueView {
  readonly name: string;
  readonly type: 'classic' | 'quorum';
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  /** Classic: its home node. Quorum: the current leader (undefined while there is none). */
  readonly node: string | undefined;
  readonly members: readonly string[];
  /** False when the node that holds it is down (classic) or there is no leader (quorum). */
  readonly available: boolean;
  readonly ready: number;
  readonly unacked: number;
  readonly consumers: readonly ConsumerView[];
  readonly arguments: Record<string, unknown>;
}

export interface NodeView {
  readonly name: string;
  readonly state: SimNode['state'];
  readonly connections: number;
  readonly channels: number;
  readonly memoryAlarm: boolean;
}

export class RabbitCluster {
  readonly names: readonly string[];
  readonly config: RabbitConfig;
  readonly metadata: ClusterMetadata;
  private readonly live = new Map<string, RabbitNode>();

  private constructor(
    readonly world: World,
    names: readonly string[],
    config: RabbitConfig,
  ) {
    this.names = names;
    this.config = config;
    this.metadata = new ClusterMetadata(config.topologyLimits, names);
  }

  /** Adds the nodes to the world and starts them. */
  static create(world: World, opts: RabbitClusterOptions = {}): RabbitCluster {
    const names = opts.names ?? Array.from({ length: opts.nodes ?? 1 }, (_, i) => `rabbit${i + 1}`);
    const cluster = new RabbitCluster(world, names, { ...DEFAULT_RABBIT_CONFIG, ...opts.config });
    const shared = { metadata: cluster.metadata, config: cluster.config };
    for (const name of names) {
      const node = world.addNode(name, (n) => {
        const rabbit = new RabbitNode(n, shared);
        cluster.live.set(name, rabbit);
        return rabbit;
      });
      node.listen({
        onCrash: () => {
          const dead = cluster.live.get(name);
          cluster.live.delete(name);
          cluster.metadata.alarms.delete(name);
          // What the crash took: messages that were only in memory.
          for (const { q, ids } of dead?.volatileMessages() ?? []) {
            world.record(AmqpKinds.lost, name, undefined, undefined, { q, count: ids.length, ids: ids.slice(0, 20) });
          }
        },
      });
    }
    return cluster;
  }

  /** The running behaviour of a node (undefined while it is crashed). */
  node(name: string): RabbitNode | undefined {
    return this.live.get(name);
  }

  // ------------------------------------------------------------ inspectors (plain data)

  nodes(): NodeView[] {
    return this.names.map((name) => {
      const r = this.live.get(name);
      return {
        name,
        state: this.world.node(name).state,
        connections: r?.connections.size ?? 0,
        channels: r?.channels.size ?? 0,
        memoryAlarm: r?.memoryView().alarm ?? false,
      };
    });
  }

  queues(): QueueView[] {
    return this.metadata.queues().map((q) => this.queue(q.name)!);
  }

  /** One queue's view, or undefined when it does not exist. */
  queue(name: string): QueueView | undefined {
    const q = this.metadata.queue(name);
    if (q === undefined) return undefined;
    const where = q.type === 'classic' ? q.home : q.leader;
    const r = where === undefined ? undefined : this.live.get(where);
    const proc = q.type === 'classic' ? r?.classic.get(name) : r?.quorum.get(name);
    const store = proc?.store;
    return {
      name,
      type: q.type,
      durable: q.durable,
      exclusive: q.exclusiveOwner !== undefined,
      autoDelete: q.autoDelete,
      node: where,
      members: q.members,
      available: store !== undefined && (q.type === 'classic' || (proc as { role?: string }).role === 'leader'),
      ready: store?.messagesReady ?? 0,
      unacked: store?.messagesUnacknowledged ?? 0,
      consumers: store === undefined ? [] : this.consumersOf(store),
      arguments: tableToJs(q.arguments),
    };
  }

  private consumersOf(store: QueueStore): ConsumerView[] {
    const unacked = new Map<string, number>();
    for (const d of store.unackedDeliveries()) {
      if (d.consumerTag === undefined) continue;
      const key = `${d.channelId}\u0000${d.consumerTag}`;
      unacked.set(key, (unacked.get(key) ?? 0) + 1);
    }
    return store.consumers().map((c) => ({ channel: c.channelId, consumerTag: c.consumerTag, unacked: unacked.get(`${c.channelId}\u0000${c.consumerTag}`) ?? 0 }));
  }

  /** The ready messages of a queue, in delivery order. */
  messages(name: string): MessageView[] {
    const q = this.metadata.queue(name);
    if (q === undefined) return [];
    const where = q.type === 'classic' ? q.home : q.leader;
    const r = where === undefined ? undefined : this.live.get(where);
    const store = (q.type === 'classic' ? r?.classic.get(name) : r?.quorum.get(name))?.store;
    if (store === undefined) return [];
    return store.readyMessages().map((e) => {
      const headers = deliveredHeaders(e.message, { deliveryCount: e.deliveryCount });
      return {
        id: messageId(e.message),
        routingKey: e.message.routingKeys[0] ?? '',
        redelivered: e.redelivered,
        headers: headers === undefined ? undefined : tableToJs(headers),
        body: e.message.body,
      };
    });
  }

  /** The most recent dead-lettered messages (newest last), with the `x-death` their copy carries. */
  deadLetters(): readonly DeadLetterRecord[] {
    return this.metadata.deadLetters.slice();
  }

  /** Exchanges and bindings. */
  topology(): { exchanges: Array<{ name: string; type: string; durable: boolean; internal: boolean; arguments: Record<string, unknown> }>; bindings: Array<{ source: string; destination: string; destinationKind: string; routingKey: string; arguments: Record<string, unknown> }> } {
    const t = this.metadata.topology;
    return {
      exchanges: t.exchanges().map((x) => ({ name: x.name, type: x.type, durable: x.durable, internal: x.internal, arguments: tableToJs(x.arguments) })),
      bindings: t.bindings().map((b) => ({ source: b.source, destination: b.destination, destinationKind: b.destinationKind, routingKey: b.routingKey, arguments: tableToJs(b.arguments) })),
    };
  }
}
