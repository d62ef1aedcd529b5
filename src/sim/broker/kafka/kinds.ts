/**
 * History kinds the Kafka model records. Views and lab checkers read these; the data of each is
 * small (counts and offsets, never payloads). Every entry's `node` is the node that observed it.
 */
export const KafkaKinds = {
  /** A leader appended a batch: { topic, partition, baseOffset, count, epoch }. */
  append: 'kafka.append',
  /** A leader's high watermark moved: { topic, partition, hw }. */
  hw: 'kafka.hw',
  /** The ISR shrank (a follower lagged past replica.lag.time.max.ms, or a broker was fenced): { topic, partition, isr, removed }. */
  isrShrink: 'kafka.isr.shrink',
  /** The ISR grew back: { topic, partition, isr, added }. */
  isrExpand: 'kafka.isr.expand',
  /** The controller chose a leader: { topic, partition, leader, epoch, isr, unclean? }. */
  leader: 'kafka.leader',
  /** A replica became leader or follower on a broker: { topic, partition, role, epoch }. */
  role: 'kafka.role',
  /** A replica removed records from its log end: { topic, partition, from, to, removed, reason }. */
  truncate: 'kafka.truncate',
  /** A producer got an acknowledgement: { topic, partition, baseOffset, count }. */
  produceAck: 'kafka.produce.ack',
  /** A producer batch failed for good: { topic, partition, count, error }. */
  produceError: 'kafka.produce.error',
  /** A producer batch is being resent: { topic, partition, count, error, attempt }. */
  produceRetry: 'kafka.produce.retry',
  /** A leader answered a fetch with records: { topic, partition, from, count, replica? } (replica: a follower's fetch). */
  fetchRecords: 'kafka.fetch.records',
  /** A consumer handed records of one partition to the application: { topic, partition, firstOffset, lastOffset, count }. */
  consume: 'kafka.consume',
  /** A consumer's committed offsets were stored by the coordinator: { group, member, offsets: [[topic, partition, offset]] }. */
  commit: 'kafka.commit',
  /** A group rebalanced: { group, generation, members, protocol, leader }. */
  rebalance: 'kafka.rebalance',
  /** A consumer received its assignment: { group, member, generation, partitions, revoked }. */
  assign: 'kafka.assign',
  /** A member joined, left or expired: { group, member, event, reason? }. */
  member: 'kafka.member',
  /** A consumer reset its position: { topic, partition, from, to, policy }. */
  offsetReset: 'kafka.offset.reset',
  /** The controller fenced or unfenced a broker: { broker, fenced, reason }. */
  brokerState: 'kafka.broker',
  /** Records lost from a crashed broker's page cache: { topic, partition, from, to }. */
  unflushedLost: 'kafka.unflushed.lost',
  /** Retention deleted segments: { topic, partition, deletedSegments, logStartOffset, tier? }. */
  retention: 'kafka.retention',
  /** The cleaner compacted a log: { topic, partition, recordsRemoved, tombstonesRemoved }. */
  clean: 'kafka.clean',
  /** Segments copied to the remote tier: { topic, partition, upTo }. */
  tierCopy: 'kafka.tier.copy',
  /** A transaction changed state at its coordinator: { transactionalId, producerId, epoch, state }. */
  txn: 'kafka.txn',
  /** A transaction marker was written to a partition: { topic, partition, producerId, control, offset }. */
  txnMarker: 'kafka.txn.marker',
  /** A topic was created: { topic, partitions, replicationFactor }. */
  topic: 'kafka.topic',
  /** A client-side problem the learner should see: { client, message }. */
  clientError: 'kafka.client.error',
} as const;

export type KafkaKind = (typeof KafkaKinds)[keyof typeof KafkaKinds];
