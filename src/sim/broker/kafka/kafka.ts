/**
 * The learner-facing entry points: a simulated cluster (`KafkaCluster.create`) and a KafkaJS-like
 * `Kafka` client object bound to a client node (`cluster.client('p1')` or `new Kafka(world, …)`).
 *
 *   const cluster = KafkaCluster.create(world, { brokers: 3, config: { 'min.insync.replicas': 2 } });
 *   const kafka = cluster.client('app');
 *   await world.runUntilSettled(kafka.admin().createTopics({ topics: [{ topic: 'orders', numPartitions: 3, replicationFactor: 3 }] }));
 *   const producer = kafka.producer({ acks: 'all' });
 */

import type { LatencyModel } from '../../rng';
import type { SimNode } from '../../node';
import type { World } from '../../world';
import { Admin } from './admin.ts';
import { KafkaBroker } from './broker.ts';
import { KafkaClientRuntime, KafkaJSError } from './client-runtime.ts';
import { storageOf, type ClusterContext } from './cluster-context.ts';
import { BROKER_CONFIG, resolveConfig, topicDefaultsFromBroker, type ConfigInput, type CONSUMER_CONFIG } from './config.ts';
import { Consumer } from './consumer.ts';
import { KafkaController } from './controller.ts';
import { inspectCluster, type ClusterInspection } from './inspect.ts';
import { KafkaKinds } from './kinds.ts';
import { Producer, type ProducerConfigInput } from './producer.ts';
import { DEFAULT_PAGE_CACHE, type PageCacheOptions } from './storage.ts';

export interface KafkaClusterOptions {
  /** Number of brokers (named b1, b2, …) or their names. Default 3. */
  brokers?: number | string[];
  /** The controller node's name. Default 'controller'. */
  controller?: string;
  /** Broker configuration, Kafka's names (`min.insync.replicas`, `log.retention.ms`, …). */
  config?: ConfigInput<typeof BROKER_CONFIG>;
  /** The page-cache model of the brokers' disks (simulation settings). */
  pageCache?: Partial<PageCacheOptions>;
  /** Tiered storage: latency of reads from the remote tier. Default lognormal, median 40 ms. */
  remoteLatency?: LatencyModel;
}

/** A simulated Kafka cluster: brokers and a controller, each a node of the world. */
export class KafkaCluster {
  readonly brokerNames: readonly string[];
  readonly controllerName: string;
  readonly ctx: ClusterContext;

  private constructor(
    readonly world: World,
    opts: KafkaClusterOptions,
  ) {
    const brokers = typeof opts.brokers === 'number' || opts.brokers === undefined ? Array.from({ length: opts.brokers ?? 3 }, (_, i) => `b${i + 1}`) : [...opts.brokers];
    if (brokers.length < 1) throw new KafkaJSError('a Kafka cluster needs at least one broker');
    this.brokerNames = brokers;
    this.controllerName = opts.controller ?? 'controller';
    const config = resolveConfig(BROKER_CONFIG, opts.config, 'broker config');
    this.ctx = {
      brokers,
      controller: this.controllerName,
      config,
      topicDefaults: topicDefaultsFromBroker(config),
      pageCache: { ...DEFAULT_PAGE_CACHE, ...opts.pageCache },
      remoteLatency: opts.remoteLatency ?? { kind: 'lognormal', medianUs: 40_000, sigma: 0.3 },
      storages: new Map(),
      remote: new Map(),
    };
  }

  /** Adds the controller and the brokers to the world and starts them. */
  static create(world: World, opts: KafkaClusterOptions = {}): KafkaCluster {
    const cluster = new KafkaCluster(world, opts);
    const ctx = cluster.ctx;
    world.addNode(cluster.controllerName, (node) => new KafkaController(node, ctx));
    for (const name of cluster.brokerNames) {
      const node = world.addNode(name, (n) => new KafkaBroker(n, ctx));
      // The machine's page cache dies with it: logs lose what was not written back.
      node.listen({
        onCrash: (n) => {
          const losses = storageOf(ctx, n.name).crash(Math.floor(n.clock.readUs(n.nowUs) / 1000));
          for (const l of losses) n.record(KafkaKinds.unflushedLost, l);
        },
      });
    }
    return cluster;
  }

  /** A KafkaJS-like client on node `nodeName` (created if it does not exist). */
  client(nodeName: string, opts: { clientId?: string } = {}): Kafka {
    return new Kafka(this.world, { clientId: opts.clientId ?? nodeName, brokers: [...this.brokerNames], node: nodeName });
  }

  /** The broker's live state (undefined while it is crashed). */
  broker(name: string): KafkaBroker | undefined {
    return this.world.node(name).peek<KafkaBroker>();
  }

  controller(): KafkaController | undefined {
    return this.world.node(this.controllerName).peek<KafkaController>();
  }

  /** A plain-data snapshot for inspectors: partitions, replicas, groups, lag. */
  inspect(): ClusterInspection {
    return inspectCluster(this);
  }
}

export interface KafkaOptions {
  clientId?: string;
  /** Bootstrap brokers: node names (a KafkaJS-style `host:port` suffix is ignored). */
  brokers: string[];
  /** The node the clients live on; defaults to clientId. */
  node?: string;
}

/** KafkaJS's `Kafka` object, bound to one client node. */
export class Kafka {
  readonly clientId: string;
  readonly nodeName: string;
  private readonly brokers: string[];

  constructor(
    readonly world: World,
    opts: KafkaOptions,
  ) {
    if (!Array.isArray(opts.brokers) || opts.brokers.length === 0) throw new KafkaJSError('new Kafka(world, { brokers: ["b1", "b2"] }) needs at least one broker');
    this.brokers = opts.brokers.map((b) => b.replace(/:\d+$/, ''));
    this.clientId = opts.clientId ?? opts.node ?? 'kafkajs';
    this.nodeName = opts.node ?? this.clientId;
    if (world.nodeOrUndefined(this.nodeName) === undefined) world.addNode(this.nodeName, () => ({}));
  }

  /** The client runtime of the node's current incarnation (attached on first use, whatever the node's behaviour). */
  runtime(): KafkaClientRuntime {
    const node = this.world.node(this.nodeName);
    if (node.state === 'crashed') throw new KafkaJSError(`node ${this.nodeName} is crashed: restart it before making clients`);
    return attachKafkaClient(node, this.brokers);
  }

  producer(config: ProducerConfigInput = {}): Producer {
    return new Producer(this.runtime(), config);
  }

  consumer(config: ConfigInput<typeof CONSUMER_CONFIG>): Consumer {
    return new Consumer(this.runtime(), config);
  }

  admin(): Admin {
    return new Admin(this.runtime());
  }
}

const attached = new WeakMap<SimNode, KafkaClientRuntime>();

/** The Kafka client runtime of the node's current incarnation, if one was attached. */
export function runtimeOf(node: SimNode): KafkaClientRuntime | undefined {
  const rt = attached.get(node);
  return rt !== undefined && rt.incarnation === node.incarnation ? rt : undefined;
}

/**
 * The Kafka client runtime of the node's current incarnation, attached as a node receiver the
 * first time (so it works on any node, whatever its behaviour: a learner's service, a test node).
 * A crash detaches it with everything else volatile; the next call after a restart attaches a
 * fresh one. Every client made on the node shares it.
 */
export function attachKafkaClient(node: SimNode, brokers: readonly string[]): KafkaClientRuntime {
  const existing = runtimeOf(node);
  if (existing !== undefined) return existing;
  const rt = new KafkaClientRuntime(node, brokers);
  node.addReceiver((payload) => rt.handle(payload));
  attached.set(node, rt);
  return rt;
}
