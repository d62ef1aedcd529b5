/**
 * Broker settings, named after the RabbitMQ configuration keys they stand for. Where the
 * simulation uses a different default than RabbitMQ (so that failures show up within a lab's few
 * simulated seconds), the comment gives RabbitMQ's and docs/brokers/rabbitmq.md says so.
 */

import { DEFAULT_QUEUE_LIMITS, type QueueLimits } from './queue.ts';
import { DEFAULT_TOPOLOGY_LIMITS, type TopologyLimits } from './topology.ts';

export interface RabbitConfig {
  /**
   * `heartbeat`: the heartbeat timeout the server suggests, in seconds; the client may ask for
   * less (0 on either side means the other side's value). RabbitMQ: 60 s; here 5 s.
   */
  heartbeatS: number;
  /**
   * Erlang's `net_ticktime` between cluster nodes: a peer silent this long is down (partitioned or
   * crashed). RabbitMQ: 60 s; here 4 s.
   */
  netTicktimeMs: number;
  /** `vm_memory_high_watermark.absolute`: above this many bytes of messages a node raises a memory alarm. */
  memoryHighWatermarkBytes: number;
  /** Bytes counted per message besides its body (headers, index, process overhead). */
  messageOverheadBytes: number;
  /** `memory_monitor_interval`: how often a node checks its memory. RabbitMQ: 2500 ms; here 500 ms. */
  memoryMonitorIntervalMs: number;
  /** `quorum_cluster_size`: replicas of a new quorum queue without `x-quorum-initial-group-size`. RabbitMQ: 3. */
  quorumClusterSize: number;
  /** How often a quorum leader sends (possibly empty) AppendEntries to its followers. */
  raftHeartbeatMs: number;
  /** A follower that hears nothing from a leader for a time in this range starts an election. */
  raftElectionTimeoutMinMs: number;
  raftElectionTimeoutMaxMs: number;
  /**
   * `consumer_timeout`: a delivery unacknowledged for longer closes its channel with 406
   * (RabbitMQ 3.13: 30 minutes). 0 disables it.
   */
  consumerTimeoutMs: number;
  /** How long a client waits for its TCP connect and the AMQP handshake (amqplib's socket `timeout`). */
  connectTimeoutMs: number;
  /**
   * Record one `amqp.*` history entry per message and step (publish, route, deliver, ack…). Off,
   * only connection, channel, queue, cluster and fault-related entries are kept.
   */
  messageHistory: boolean;
  queueLimits: QueueLimits;
  topologyLimits: TopologyLimits;
  /** Connections one node accepts; more are refused (a modelled limit, like `connection_max`). */
  connectionsMax: number;
  /** Channels one connection may open (`channel_max`, RabbitMQ's default 2047). */
  channelMax: number;
}

export const DEFAULT_RABBIT_CONFIG: RabbitConfig = {
  heartbeatS: 5,
  netTicktimeMs: 4_000,
  memoryHighWatermarkBytes: 400 * 1024 * 1024,
  messageOverheadBytes: 512,
  memoryMonitorIntervalMs: 500,
  quorumClusterSize: 3,
  raftHeartbeatMs: 250,
  raftElectionTimeoutMinMs: 1_000,
  raftElectionTimeoutMaxMs: 2_000,
  consumerTimeoutMs: 1_800_000,
  connectTimeoutMs: 5_000,
  messageHistory: true,
  queueLimits: DEFAULT_QUEUE_LIMITS,
  topologyLimits: DEFAULT_TOPOLOGY_LIMITS,
  connectionsMax: 10_000,
  channelMax: 2_047,
};
