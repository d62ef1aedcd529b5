/**
 * The Kafka model. Pure parts (key partitioning, consumer-group assignors, the partition log)
 * and, built on them, the brokers, the KRaft-style controller and KafkaJS-shaped clients that
 * run as simulation nodes and talk over the simulated network. See docs/brokers/kafka.md.
 */

export { murmur2, murmur2String, toPositive, utf8Bytes } from './murmur2.ts';
export { defaultPartition, StickyPartitioner, type StickyPartitionerOptions } from './partitioner.ts';

export { assignPartitions } from './assign-partitions.ts';
export type { Assignment, AssignorStrategy, GroupMember } from './group-subscription.ts';
export { stickyAssign, type StickyAssignResult } from './sticky-assignor.ts';
export { toGroupSubscription } from './group-subscription.ts';
export { tp, tpName, compareTopicThenPartition, type TopicPartition } from './topic-partition.ts';

export { PartitionLog, type AppendResult, type ReadResult, type RetentionResult, type SegmentInfo } from './partition-log.ts';
export { DEFAULT_LOG_CONFIG, resolveLogConfig, type CleanupPolicy, type LogConfig } from './log-config.ts';
export { RECORD_OVERHEAD_BYTES, recordSizeBytes, type ControlType, type LogRecord, type NewRecord, type RecordHeader } from './log-record.ts';
export type { CleanStats } from './log-cleaner.ts';
export { LeaderEpochCache, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEntry } from './leader-epoch-cache.ts';

// The network-integrated model: brokers, controller and KafkaJS-shaped clients as simulation nodes.
export { KafkaCluster, Kafka, attachKafkaClient, runtimeOf, type KafkaClusterOptions, type KafkaOptions } from './kafka.ts';
export { Producer, type Message, type ProducerRecord, type RecordMetadata, type Transaction, type Partitioner, type PartitionerArgs, type ProducerConfigInput } from './producer.ts';
export { Consumer, type ConsumerState, type ConsumerRunConfig, type EachMessagePayload, type EachBatchPayload, type KafkaMessage, type Batch, type ConsumerEvent } from './consumer.ts';
export { Admin, type ITopicConfig } from './admin.ts';
export { KafkaClientRuntime, KafkaJSError } from './client-runtime.ts';
export { KafkaBroker } from './broker.ts';
export { KafkaController, assignReplicas } from './controller.ts';
export { KafkaKinds, type KafkaKind } from './kinds.ts';
export { inspectCluster, type ClusterInspection, type PartitionView, type ReplicaView, type GroupView, type GroupOffsetView } from './inspect.ts';
export {
  BROKER_CONFIG,
  TOPIC_CONFIG,
  PRODUCER_CONFIG,
  CONSUMER_CONFIG,
  COMPRESSION_RATIO,
  KafkaConfigError,
  resolveConfig,
  type BrokerConfig,
  type TopicConfig,
  type ProducerConfig,
  type ConsumerConfig,
  type ConfigSpec,
} from './config.ts';
export { DEFAULT_PAGE_CACHE, type PageCacheOptions } from './storage.ts';
export type { ErrorCode, MetadataImage, PartitionState } from './protocol.ts';
