/**
 * The wire protocol between Kafka clients, brokers and the controller: plain data, one interface
 * per request and response, named after Kafka's APIs (https://kafka.apache.org/protocol#protocol_api_keys).
 *
 * A request carries a correlation id `cid`; its response carries the same number in `re`. Payloads
 * are never recorded in the history: senders pass a small `label` to `node.send` instead.
 * Record objects inside payloads are shared, never mutated, between nodes (the simulation's way
 * of avoiding a serialisation round trip).
 */

import type { LogRecord, NewRecord } from './log-record.ts';

/** Kafka error codes by name (the ones the model produces). */
export type ErrorCode =
  | 'NONE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'LEADER_NOT_AVAILABLE'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'REQUEST_TIMED_OUT'
  | 'OFFSET_OUT_OF_RANGE'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'PRODUCER_FENCED'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'RECORD_LIST_TOO_LARGE'
  | 'KAFKA_STORAGE_ERROR'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  | 'NOT_COORDINATOR'
  | 'ILLEGAL_GENERATION'
  | 'UNKNOWN_MEMBER_ID'
  | 'REBALANCE_IN_PROGRESS'
  | 'MEMBER_ID_REQUIRED'
  | 'INVALID_SESSION_TIMEOUT'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'FENCED_INSTANCE_ID'
  | 'UNSTABLE_OFFSET_COMMIT'
  | 'CONCURRENT_TRANSACTIONS'
  | 'INVALID_TXN_STATE'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_PARTITIONS'
  | 'INVALID_CONFIG'
  | 'INVALID_REQUEST'
  | 'INELIGIBLE_REPLICA'
  | 'INVALID_UPDATE_VERSION'
  | 'STALE_BROKER_EPOCH';

/** Errors a client may retry (Kafka's `RetriableException` subclasses, plus the coordinator ones). */
export const RETRIABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'KAFKA_STORAGE_ERROR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'NOT_COORDINATOR',
  'CONCURRENT_TRANSACTIONS',
  'UNSTABLE_OFFSET_COMMIT',
]);

/** Errors after which a client should refresh its metadata before retrying. */
export const NEEDS_METADATA: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'KAFKA_STORAGE_ERROR',
]);

// ---------------------------------------------------------------------------------------------
// Metadata as the controller publishes it. Immutable: the controller replaces objects it changes,
// so brokers can compare partition states by identity.

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  /** Assignment order; elections prefer earlier replicas. */
  readonly replicas: readonly string[];
  readonly isr: readonly string[];
  /** null when no replica can lead (offline partition). */
  readonly leader: string | null;
  readonly leaderEpoch: number;
  /** Bumped by every change of this partition (KRaft's partition epoch). */
  readonly partitionEpoch: number;
}

export interface TopicImage {
  readonly name: string;
  readonly partitions: readonly PartitionState[];
  /** Topic config overrides, Kafka names, already parsed. */
  readonly configs: Readonly<Record<string, unknown>>;
  readonly internal: boolean;
}

export interface BrokerRegistration {
  readonly name: string;
  readonly fenced: boolean;
  /** The node incarnation that registered (KRaft's incarnation id / broker epoch). */
  readonly incarnation: number;
}

export interface MetadataImage {
  readonly version: number;
  readonly brokers: ReadonlyMap<string, BrokerRegistration>;
  readonly topics: ReadonlyMap<string, TopicImage>;
}

export const EMPTY_IMAGE: MetadataImage = { version: 0, brokers: new Map(), topics: new Map() };

// ---------------------------------------------------------------------------------------------
// Requests and responses.

export interface TP {
  topic: string;
  partition: number;
}

export interface MetadataRequest {
  type: 'Metadata';
  cid: number;
  /** null = every topic. */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}
export interface PartitionMetadata {
  partition: number;
  error: ErrorCode;
  leader: string | null;
  leaderEpoch: number;
  replicas: readonly string[];
  isr: readonly string[];
}
export interface TopicMetadata {
  name: string;
  error: ErrorCode;
  partitions: PartitionMetadata[];
}
export interface MetadataResponse {
  type: 'MetadataResponse';
  re: number;
  brokers: string[];
  controller: string;
  topics: TopicMetadata[];
}

export interface ProduceBatch {
  topic: string;
  partition: number;
  records: NewRecord[];
  /** -1 when not idempotent. */
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  sizeBytes: number;
}
export interface ProduceRequest {
  type: 'Produce';
  cid: number;
  acks: -1 | 0 | 1;
  timeoutMs: number;
  transactionalId: string | null;
  batches: ProduceBatch[];
}
export interface ProducePartitionResult {
  topic: string;
  partition: number;
  error: ErrorCode;
  baseOffset: number;
  logStartOffset: number;
  message?: string;
}
export interface ProduceResponse {
  type: 'ProduceResponse';
  re: number;
  results: ProducePartitionResult[];
}

export interface FetchPartition {
  topic: string;
  partition: number;
  fetchOffset: number;
  currentLeaderEpoch: number;
  /** Followers: epoch of the last record they have (KIP-595 divergence check); -1 = unknown. */
  lastFetchedEpoch: number;
  maxBytes: number;
}
export interface FetchRequest {
  type: 'Fetch';
  cid: number;
  /** The fetching broker for follower fetches; null for consumers. */
  replica: string | null;
  /** The follower's incarnation (broker epoch, KIP-903). */
  replicaIncarnation: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolation: 'read_uncommitted' | 'read_committed';
  partitions: FetchPartition[];
}
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
}
export interface FetchPartitionResult {
  topic: string;
  partition: number;
  error: ErrorCode;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** The leader's log end offset (a follower uses it to truncate after OFFSET_OUT_OF_RANGE). */
  logEndOffset: number;
  records: readonly LogRecord[];
  divergingEpoch?: { epoch: number; endOffset: number };
  abortedTransactions?: AbortedTxn[];
}
export interface FetchResponse {
  type: 'FetchResponse';
  re: number;
  partitions: FetchPartitionResult[];
}

export interface ListOffsetsRequest {
  type: 'ListOffsets';
  cid: number;
  isolation: 'read_uncommitted' | 'read_committed';
  /** timestamp -1 = latest, -2 = earliest, otherwise the first offset with timestamp ≥ it. */
  partitions: { topic: string; partition: number; timestamp: number }[];
}
export interface ListOffsetsResponse {
  type: 'ListOffsetsResponse';
  re: number;
  partitions: { topic: string; partition: number; error: ErrorCode; offset: number }[];
}

export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, unknown>;
  internal?: boolean;
}
export interface CreateTopicsRequest {
  type: 'CreateTopics';
  cid: number;
  topics: CreatableTopic[];
}
export interface CreateTopicsResponse {
  type: 'CreateTopicsResponse';
  re: number;
  results: { name: string; error: ErrorCode; message?: string }[];
}

export interface DeleteRecordsRequest {
  type: 'DeleteRecords';
  cid: number;
  partitions: { topic: string; partition: number; offset: number }[];
}
export interface DeleteRecordsResponse {
  type: 'DeleteRecordsResponse';
  re: number;
  partitions: { topic: string; partition: number; error: ErrorCode; lowWatermark: number }[];
}

export interface FindCoordinatorRequest {
  type: 'FindCoordinator';
  cid: number;
  key: string;
  keyType: 'group' | 'transaction';
}
export interface FindCoordinatorResponse {
  type: 'FindCoordinatorResponse';
  re: number;
  error: ErrorCode;
  node: string | null;
}

export interface GroupProtocol {
  name: string;
  topics: string[];
  ownedPartitions: TP[];
  generation: number;
}
export interface JoinGroupRequest {
  type: 'JoinGroup';
  cid: number;
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
}
export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: GroupProtocol;
}
export interface JoinGroupResponse {
  type: 'JoinGroupResponse';
  re: number;
  error: ErrorCode;
  generation: number;
  protocol: string | null;
  leader: string;
  memberId: string;
  /** Only the leader gets the members. */
  members: JoinGroupMember[];
  /** KIP-814: a static leader rejoining a stable group must not recompute the assignment. */
  skipAssignment: boolean;
}
export interface SyncGroupRequest {
  type: 'SyncGroup';
  cid: number;
  groupId: string;
  generation: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: { memberId: string; partitions: TP[] }[];
}
export interface SyncGroupResponse {
  type: 'SyncGroupResponse';
  re: number;
  error: ErrorCode;
  partitions: TP[];
}
export interface HeartbeatRequest {
  type: 'Heartbeat';
  cid: number;
  groupId: string;
  generation: number;
  memberId: string;
  groupInstanceId: string | null;
}
export interface HeartbeatResponse {
  type: 'HeartbeatResponse';
  re: number;
  error: ErrorCode;
}
export interface LeaveGroupRequest {
  type: 'LeaveGroup';
  cid: number;
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  reason: string;
}
export interface LeaveGroupResponse {
  type: 'LeaveGroupResponse';
  re: number;
  error: ErrorCode;
}
export interface OffsetCommitRequest {
  type: 'OffsetCommit';
  cid: number;
  groupId: string;
  generation: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: { topic: string; partition: number; offset: number; metadata: string | null }[];
}
export interface OffsetCommitResponse {
  type: 'OffsetCommitResponse';
  re: number;
  results: { topic: string; partition: number; error: ErrorCode }[];
}
export interface OffsetFetchRequest {
  type: 'OffsetFetch';
  cid: number;
  groupId: string;
  /** null = every partition the group has offsets for. */
  partitions: TP[] | null;
  requireStable: boolean;
}
export interface OffsetFetchResponse {
  type: 'OffsetFetchResponse';
  re: number;
  error: ErrorCode;
  offsets: { topic: string; partition: number; offset: number; metadata: string | null; error: ErrorCode }[];
}
export interface DescribeGroupRequest {
  type: 'DescribeGroup';
  cid: number;
  groupId: string;
}
export interface DescribeGroupResponse {
  type: 'DescribeGroupResponse';
  re: number;
  error: ErrorCode;
  group: GroupDescription | null;
}
export interface GroupDescription {
  groupId: string;
  state: string;
  protocol: string | null;
  generation: number;
  leader: string | null;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; assignment: TP[] }[];
}

export interface InitProducerIdRequest {
  type: 'InitProducerId';
  cid: number;
  transactionalId: string | null;
  transactionTimeoutMs: number;
}
export interface InitProducerIdResponse {
  type: 'InitProducerIdResponse';
  re: number;
  error: ErrorCode;
  producerId: number;
  producerEpoch: number;
}
export interface AddPartitionsToTxnRequest {
  type: 'AddPartitionsToTxn';
  cid: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  partitions: TP[];
}
export interface AddPartitionsToTxnResponse {
  type: 'AddPartitionsToTxnResponse';
  re: number;
  error: ErrorCode;
}
export interface AddOffsetsToTxnRequest {
  type: 'AddOffsetsToTxn';
  cid: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}
export interface AddOffsetsToTxnResponse {
  type: 'AddOffsetsToTxnResponse';
  re: number;
  error: ErrorCode;
}
export interface TxnOffsetCommitRequest {
  type: 'TxnOffsetCommit';
  cid: number;
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  offsets: { topic: string; partition: number; offset: number; metadata: string | null }[];
}
export interface TxnOffsetCommitResponse {
  type: 'TxnOffsetCommitResponse';
  re: number;
  error: ErrorCode;
}
export interface EndTxnRequest {
  type: 'EndTxn';
  cid: number;
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
}
export interface EndTxnResponse {
  type: 'EndTxnResponse';
  re: number;
  error: ErrorCode;
}
export interface WriteTxnMarkersRequest {
  type: 'WriteTxnMarkers';
  cid: number;
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  partitions: TP[];
}
export interface WriteTxnMarkersResponse {
  type: 'WriteTxnMarkersResponse';
  re: number;
  results: { topic: string; partition: number; error: ErrorCode }[];
}

// Broker ↔ controller.

export interface BrokerHeartbeatRequest {
  type: 'BrokerHeartbeat';
  cid: number;
  broker: string;
  incarnation: number;
  metadataVersion: number;
}
export interface BrokerHeartbeatResponse {
  type: 'BrokerHeartbeatResponse';
  re: number;
  fenced: boolean;
  /** Present when the broker's metadata is behind the controller's. */
  image: MetadataImage | null;
}
export interface AlterPartitionRequest {
  type: 'AlterPartition';
  cid: number;
  broker: string;
  topic: string;
  partition: number;
  leaderEpoch: number;
  partitionEpoch: number;
  /** The proposed ISR with each member's incarnation (KIP-903). */
  newIsr: { broker: string; incarnation: number }[];
}
export interface AlterPartitionResponse {
  type: 'AlterPartitionResponse';
  re: number;
  error: ErrorCode;
  state: PartitionState | null;
}
export interface ControllerCreateTopicsRequest {
  type: 'ControllerCreateTopics';
  cid: number;
  topics: CreatableTopic[];
}
export interface ControllerCreateTopicsResponse {
  type: 'ControllerCreateTopicsResponse';
  re: number;
  results: { name: string; error: ErrorCode; message?: string }[];
}
/** The controller's push of a new metadata image to a broker (no response). */
export interface MetadataUpdate {
  type: 'MetadataUpdate';
  image: MetadataImage;
}

export type KafkaRequest =
  | MetadataRequest
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | CreateTopicsRequest
  | DeleteRecordsRequest
  | FindCoordinatorRequest
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetCommitRequest
  | OffsetFetchRequest
  | DescribeGroupRequest
  | InitProducerIdRequest
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | TxnOffsetCommitRequest
  | EndTxnRequest
  | WriteTxnMarkersRequest
  | BrokerHeartbeatRequest
  | AlterPartitionRequest
  | ControllerCreateTopicsRequest;

export type KafkaResponse =
  | MetadataResponse
  | ProduceResponse
  | FetchResponse
  | ListOffsetsResponse
  | CreateTopicsResponse
  | DeleteRecordsResponse
  | FindCoordinatorResponse
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | OffsetCommitResponse
  | OffsetFetchResponse
  | DescribeGroupResponse
  | InitProducerIdResponse
  | AddPartitionsToTxnResponse
  | AddOffsetsToTxnResponse
  | TxnOffsetCommitResponse
  | EndTxnResponse
  | WriteTxnMarkersResponse
  | BrokerHeartbeatResponse
  | AlterPartitionResponse
  | ControllerCreateTopicsResponse;

/** The response type for a request type. */
export type ResponseFor<R extends KafkaRequest> = Extract<KafkaResponse, { type: `${R['type']}Response` }>;

/** Kafka's internal topics. */
export const CONSUMER_OFFSETS = '__consumer_offsets';
export const TRANSACTION_STATE = '__transaction_state';

/** A compact key for a partition in maps (topic names cannot contain NUL). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Kafka's `Utils.abs(s.hashCode) % n`: which partition of an internal topic owns a group or transactional id. */
export function partitionForKey(key: string, numPartitions: number, hashCode: (s: string) => number): number {
  const h = hashCode(key);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  return abs % numPartitions;
}
