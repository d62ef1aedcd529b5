/**
 * The network-independent parts of the Kafka model: key partitioning, consumer-group assignors
 * and the partition log. The broker and client nodes build on these.
 */

export { murmur2, toPositive, utf8Bytes } from './murmur2.ts';
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
