/**
 * The log of one partition replica: records, segments, offsets, retention and compaction.
 *
 * It has no clock and no timers: every operation that depends on time takes `nowMs`, and the
 * broker model decides when retention and cleaning run (Kafka runs them on
 * `log.retention.check.interval.ms` and in the cleaner threads). Offsets are assigned once and
 * never renumbered. The rules follow Kafka's `UnifiedLog`, `LogSegment` and `LogCleaner`; see
 * https://kafka.apache.org/documentation/#design_log and #compaction.
 */

import { LeaderEpochCache } from './leader-epoch-cache.ts';
import { cleanSegments, type CleanStats } from './log-cleaner.ts';
import { compacts, deletesOldSegments, resolveLogConfig, type LogConfig } from './log-config.ts';
import { recordSizeBytes, type LogRecord, type NewRecord } from './log-record.ts';
import { emptySegment, firstRecordAtOrAfter, largestTimestampMs, recomputeSegmentStats, type LogSegment } from './log-segment.ts';

/** Result of an append: the offsets given, or why the batch was refused (as a Kafka error name). */
export type AppendResult =
  | { kind: 'appended'; baseOffset: number; lastOffset: number; rolledSegment: boolean; records: readonly LogRecord[] }
  | { kind: 'rejected'; error: 'InvalidRecordException' | 'RecordBatchTooLargeException' | 'OffsetOutOfOrder'; message: string };

/** Result of a read: records, or Kafka's OFFSET_OUT_OF_RANGE with the valid range. */
export type ReadResult =
  | { kind: 'records'; records: LogRecord[]; nextOffset: number; /** Bytes of `records`. */ sizeBytes: number }
  | { kind: 'offsetOutOfRange'; requestedOffset: number; logStartOffset: number; logEndOffset: number };

/** What a retention pass deleted. */
export interface RetentionResult {
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
}

/** A read-only summary of a segment for views and tests. */
export interface SegmentInfo {
  baseOffset: number;
  /** Offset after the segment's range (next segment's base, or the log end offset for the active one). */
  endOffset: number;
  sizeBytes: number;
  recordCount: number;
  largestTimestampMs: number;
  active: boolean;
}

/** A pure, in-memory partition log. */
export class PartitionLog {
  readonly config: LogConfig;
  private segmentList: LogSegment[];
  private startOffset: number;
  private endOffset: number;
  private cleanerCheckpoint: number;
  private readonly epochs = new LeaderEpochCache();

  /**
   * Creates an empty log whose first offset is `startOffset` (0 for a new partition).
   * `config` takes Kafka topic config names; missing ones get Kafka's defaults.
   */
  constructor(config: Partial<LogConfig> = {}, options: { startOffset?: number; nowMs?: number } = {}) {
    this.config = resolveLogConfig(config);
    const start = options.startOffset ?? 0;
    this.segmentList = [emptySegment(start, options.nowMs ?? 0)];
    this.startOffset = start;
    this.endOffset = start;
    this.cleanerCheckpoint = start;
  }

  /** The first offset a consumer can read (moves up when old segments are deleted). */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** The offset the next appended record will get (LEO). */
  get logEndOffset(): number {
    return this.endOffset;
  }

  /** Total bytes of all segments, the number `retention.bytes` limits. */
  get sizeBytes(): number {
    return this.segmentList.reduce((sum, s) => sum + s.sizeBytes, 0);
  }

  /** Segments oldest first; the last one is the active segment. */
  segments(): SegmentInfo[] {
    return this.segmentList.map((s, i) => ({
      baseOffset: s.baseOffset,
      endOffset: this.segmentList[i + 1]?.baseOffset ?? this.endOffset,
      sizeBytes: s.sizeBytes,
      recordCount: s.records.length,
      largestTimestampMs: largestTimestampMs(s),
      active: i === this.segmentList.length - 1,
    }));
  }

  /** Leader epoch bookkeeping: the newest epoch written, if any. */
  latestEpoch(): number | undefined {
    return this.epochs.latestEpoch();
  }

  /**
   * A new leader records that its epoch starts at the current log end offset (Kafka's
   * `makeLeader` → `maybeAssignEpochStartOffset`), so followers with a newer-looking tail learn
   * where to truncate even before the new leader appends anything.
   */
  assignEpochStart(epoch: number): void {
    this.epochs.assign(epoch, this.endOffset);
  }

  /** OffsetsForLeaderEpoch: where `epoch` ends in this log (see {@link LeaderEpochCache.endOffsetFor}). */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.endOffset);
  }

  /**
   * Appends one producer batch as the leader: records get consecutive offsets from the log end
   * offset. Rolls a new segment first if the batch would overflow `segment.bytes` or is more than
   * `segment.ms` newer than the active segment's first batch. Refuses (as a value, not a throw)
   * batches Kafka would refuse: keyless records on a compacted topic, and batches larger than
   * `max.message.bytes` or `segment.bytes`.
   */
  append(batch: readonly NewRecord[], nowMs: number, options: { leaderEpoch?: number } = {}): AppendResult {
    if (batch.length === 0) return { kind: 'rejected', error: 'InvalidRecordException', message: 'empty record batch' };
    if (compacts(this.config['cleanup.policy'])) {
      const keyless = batch.find((r) => r.control === undefined && r.key === null);
      if (keyless !== undefined) {
        return { kind: 'rejected', error: 'InvalidRecordException', message: 'Compacted topic cannot accept message without key' };
      }
    }
    const epoch = options.leaderEpoch;
    const base = this.endOffset;
    // A producer's batch is all unplaced records (the usual case): place them and store the
    // producer's array as it is; otherwise copy into a new array. Only the records are kept.
    let withOffsets: LogRecord[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i]!;
      if (withOffsets === undefined && !isUnplacedRecord(r)) withOffsets = (batch as LogRecord[]).slice(0, i);
      const placed = isUnplacedRecord(r) ? place(r, base + i, epoch) : this.materialize(r, base + i, epoch);
      if (withOffsets !== undefined) withOffsets.push(placed);
    }
    return this.appendRecords(withOffsets ?? (batch as LogRecord[]), nowMs);
  }

  /**
   * Appends records fetched from the leader, keeping the leader's offsets (which may have gaps
   * where the leader's log was compacted). Offsets must be increasing and not below the log end.
   * Records that already are log records (they carry `sizeBytes`, as fetched from a leader's log)
   * are stored as they are: log records are never mutated, so replicas may share them.
   */
  appendAsFollower(records: readonly (NewRecord & { offset: number })[] | readonly LogRecord[], nowMs: number): AppendResult {
    if (records.length === 0) return { kind: 'rejected', error: 'InvalidRecordException', message: 'empty record batch' };
    let expected = this.endOffset;
    let allLogRecords = true;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.offset < expected) {
        return { kind: 'rejected', error: 'OffsetOutOfOrder', message: `offset ${r.offset} is below the next expected offset ${expected}` };
      }
      expected = r.offset + 1;
      if (allLogRecords && !isLogRecord(r)) allLogRecords = false;
    }
    // Fetched from a leader's log (the usual case): the records are stored as they are, no copy of the array.
    return this.appendRecords(allLogRecords ? (records as LogRecord[]) : records.map((r) => (isLogRecord(r) ? r : this.materialize(r, r.offset))), nowMs);
  }

  /**
   * Fetch: records from `fromOffset` on, up to about `maxBytes` (at least one record is returned
   * even if it is larger, as Kafka does so consumers always make progress) and below
   * `maxOffsetExclusive` (the high watermark or last stable offset the reader may see).
   * Offsets below the log start or above the log end are OFFSET_OUT_OF_RANGE. `nextOffset` is
   * where the next fetch should start; it skips offsets removed by compaction. The records are the
   * log's own objects (never mutated by the log), so readers must treat them as read-only.
   */
  read(fromOffset: number, maxBytes: number, options: { maxOffsetExclusive?: number } = {}): ReadResult {
    if (fromOffset < this.startOffset || fromOffset > this.endOffset) {
      return { kind: 'offsetOutOfRange', requestedOffset: fromOffset, logStartOffset: this.startOffset, logEndOffset: this.endOffset };
    }
    const upper = Math.min(this.endOffset, options.maxOffsetExclusive ?? this.endOffset);
    // Each segment's run of records is found first and copied with one slice (no growing array).
    let records: LogRecord[] | undefined;
    let count = 0;
    let bytes = 0;
    for (let i = this.segmentIndexFor(fromOffset); i < this.segmentList.length; i++) {
      const segment = this.segmentList[i]!;
      if (segment.baseOffset >= upper) break;
      const segmentRecords = segment.records;
      const first = firstRecordAtOrAfter(segment, fromOffset);
      let j = first;
      let full = false;
      for (; j < segmentRecords.length; j++) {
        const r = segmentRecords[j]!;
        if (r.offset >= upper) break;
        if (count > 0 && bytes + r.sizeBytes > maxBytes) {
          full = true;
          break;
        }
        count++;
        bytes += r.sizeBytes;
      }
      if (j > first) records = records === undefined ? segmentRecords.slice(first, j) : records.concat(segmentRecords.slice(first, j));
      if (full) return { kind: 'records', records: records!, nextOffset: records![records!.length - 1]!.offset + 1, sizeBytes: bytes };
    }
    return { kind: 'records', records: records ?? [], nextOffset: Math.max(fromOffset, upper), sizeBytes: bytes };
  }

  /**
   * Truncates the log so that `targetOffset` becomes the log end offset, as a follower does after
   * a leader change (`UnifiedLog.truncateTo`). Later segments are deleted; the segment holding
   * `targetOffset` becomes the active one. Returns how many records were removed.
   */
  truncateTo(targetOffset: number, nowMs = 0): number {
    if (!Number.isInteger(targetOffset) || targetOffset < 0) throw new RangeError(`cannot truncate to offset ${targetOffset}`);
    if (targetOffset >= this.endOffset) {
      this.epochs.truncateFromEnd(this.endOffset);
      return 0;
    }
    let removed = 0;
    if (this.segmentList[0]!.baseOffset > targetOffset) {
      removed = this.segmentList.reduce((n, s) => n + s.records.length, 0);
      this.truncateFullyAndStartAt(targetOffset, nowMs);
      return removed;
    }
    const kept: LogSegment[] = [];
    for (const segment of this.segmentList) {
      if (segment.baseOffset > targetOffset) {
        removed += segment.records.length;
        continue;
      }
      const cut = firstRecordAtOrAfter(segment, targetOffset);
      removed += segment.records.length - cut;
      if (cut < segment.records.length) {
        segment.records = segment.records.slice(0, cut);
        recomputeSegmentStats(segment);
        if (segment.records.length === 0) segment.rollingBasedTimestampMs = null;
      }
      kept.push(segment);
    }
    this.segmentList = kept;
    this.endOffset = targetOffset;
    this.startOffset = Math.min(this.startOffset, targetOffset);
    this.cleanerCheckpoint = Math.min(this.cleanerCheckpoint, targetOffset);
    this.epochs.truncateFromEnd(targetOffset);
    return removed;
  }

  /** Empties the log and restarts it at `newOffset` (both log start and end). */
  truncateFullyAndStartAt(newOffset: number, nowMs = 0): void {
    this.segmentList = [emptySegment(newOffset, nowMs)];
    this.startOffset = newOffset;
    this.endOffset = newOffset;
    this.cleanerCheckpoint = newOffset;
    this.epochs.clear();
  }

  /**
   * AdminClient `deleteRecords`: moves the log start offset up to `offset` (at most the high
   * watermark, default the log end). Whole segments below it are removed by the next
   * {@link applyRetention}, whatever the cleanup policy.
   */
  deleteRecordsBefore(offset: number, highWatermark = this.endOffset): void {
    if (offset > highWatermark) throw new RangeError(`cannot delete records beyond the high watermark ${highWatermark}`);
    if (offset > this.startOffset) {
      this.startOffset = offset;
      this.epochs.truncateFromStart(offset);
    }
  }

  /**
   * One retention pass (`UnifiedLog.deleteOldSegments`): segments wholly below the log start
   * offset always go; with `delete` in `cleanup.policy`, the oldest segments go while the log
   * exceeds `retention.bytes`, then while their newest record is older than `retention.ms`.
   * Deletion only ever removes a prefix of whole segments, and never data at or above the high
   * watermark. Like Kafka, if every segment (including the active one) is due, a new empty active
   * segment is rolled first so the log always has one.
   */
  applyRetention(nowMs: number, options: { highWatermark?: number } = {}): RetentionResult {
    const highWatermark = options.highWatermark ?? this.endOffset;
    const result: RetentionResult = { deletedSegments: 0, deletedBytes: 0, logStartOffset: this.startOffset };
    const run = (predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean) => {
      const deleted = this.deleteOldSegments(predicate, highWatermark, nowMs);
      result.deletedSegments += deleted.count;
      result.deletedBytes += deleted.bytes;
    };
    run((_, next) => next !== undefined && next.baseOffset <= this.startOffset);
    if (deletesOldSegments(this.config['cleanup.policy'])) {
      const retentionBytes = this.config['retention.bytes'];
      const size = this.sizeBytes;
      if (retentionBytes >= 0 && size >= retentionBytes) {
        let diff = size - retentionBytes;
        run((segment) => {
          if (diff - segment.sizeBytes < 0) return false;
          diff -= segment.sizeBytes;
          return true;
        });
      }
      const retentionMs = this.config['retention.ms'];
      if (retentionMs >= 0) run((segment) => nowMs - largestTimestampMs(segment) > retentionMs);
    }
    result.logStartOffset = this.startOffset;
    return result;
  }

  /**
   * The cleaner's view of how dirty the log is: bytes written since the last cleaning divided by
   * all cleanable bytes (Kafka compacts when this reaches `min.cleanable.dirty.ratio`).
   */
  cleanableDirtyRatio(options: { lastStableOffset?: number } = {}): number {
    const uncleanable = this.firstUncleanableOffset(options.lastStableOffset);
    let clean = 0;
    let dirty = 0;
    for (const segment of this.segmentList) {
      if (segment.baseOffset >= uncleanable) break;
      if (segment.baseOffset >= this.cleanerCheckpoint) dirty += segment.sizeBytes;
      else clean += segment.sizeBytes;
    }
    return clean + dirty === 0 ? 0 : dirty / (clean + dirty);
  }

  /** Whether the cleaner would pick this log now (compaction on and dirty ratio reached). */
  needsCompaction(options: { lastStableOffset?: number } = {}): boolean {
    if (!compacts(this.config['cleanup.policy'])) return false;
    const ratio = this.cleanableDirtyRatio(options);
    return ratio > 0 && ratio >= this.config['min.cleanable.dirty.ratio'];
  }

  /**
   * One cleaning pass over the closed segments below the last stable offset (see log-cleaner.ts).
   * Does nothing unless `cleanup.policy` includes `compact`. `nowMs` decides which tombstones have
   * outlived `delete.retention.ms`.
   */
  compact(nowMs: number, options: { lastStableOffset?: number } = {}): CleanStats {
    if (!compacts(this.config['cleanup.policy'])) return { recordsRemoved: 0, bytesRemoved: 0, tombstonesRemoved: 0, segmentsCleaned: 0 };
    const firstUncleanableOffset = this.firstUncleanableOffset(options.lastStableOffset);
    const { segments, stats } = cleanSegments(this.segmentList, {
      nowMs,
      deleteRetentionMs: this.config['delete.retention.ms'],
      segmentBytes: this.config['segment.bytes'],
      firstUncleanableOffset,
    });
    this.segmentList = segments;
    this.cleanerCheckpoint = Math.max(this.cleanerCheckpoint, firstUncleanableOffset);
    return stats;
  }

  /** Base offset of the first segment the cleaner must not touch: the active one, or the one holding the last stable offset. */
  private firstUncleanableOffset(lastStableOffset = this.endOffset): number {
    const active = this.segmentList[this.segmentList.length - 1]!;
    const limit = Math.min(lastStableOffset, active.baseOffset);
    return this.segmentList[this.segmentIndexFor(limit)]!.baseOffset;
  }

  /** Index of the segment whose range contains `offset` (the last segment with baseOffset <= offset). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segmentList.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segmentList[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private materialize(r: NewRecord, offset: number, leaderEpoch?: number): LogRecord {
    // One object literal with every field, so all log records share one hidden class (fast to
    // read and copy); absent optional fields are simply undefined.
    return {
      key: r.key,
      value: r.value,
      timestampMs: r.timestampMs,
      // Copy headers so a caller reusing its array cannot change the log.
      headers: r.headers === undefined ? undefined : r.headers.map((h) => ({ key: h.key, value: h.value })),
      producerId: r.producerId,
      producerEpoch: r.producerEpoch,
      sequence: r.sequence,
      isTransactional: r.isTransactional,
      control: r.control,
      leaderEpoch: leaderEpoch ?? r.leaderEpoch,
      offset,
      sizeBytes: recordSizeBytes(r),
      deleteHorizonMs: undefined,
    };
  }

  private appendRecords(records: LogRecord[], nowMs: number): AppendResult {
    let batchBytes = 0;
    let maxTimestampMs = -Infinity;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      batchBytes += r.sizeBytes;
      if (r.timestampMs > maxTimestampMs) maxTimestampMs = r.timestampMs;
    }
    if (batchBytes > this.config['max.message.bytes']) {
      return { kind: 'rejected', error: 'RecordBatchTooLargeException', message: `batch of ${batchBytes} bytes exceeds max.message.bytes=${this.config['max.message.bytes']}` };
    }
    if (batchBytes > this.config['segment.bytes']) {
      return { kind: 'rejected', error: 'RecordBatchTooLargeException', message: `batch of ${batchBytes} bytes exceeds segment.bytes=${this.config['segment.bytes']}` };
    }
    let active = this.segmentList[this.segmentList.length - 1]!;
    const waitedMs = active.rollingBasedTimestampMs !== null ? maxTimestampMs - active.rollingBasedTimestampMs : nowMs - active.createdMs;
    const shouldRoll =
      active.sizeBytes > this.config['segment.bytes'] - batchBytes || (active.sizeBytes > 0 && waitedMs > this.config['segment.ms']);
    if (shouldRoll) {
      active = emptySegment(records[0]!.offset, nowMs);
      this.segmentList.push(active);
    }
    const segmentRecords = active.records;
    let lastEpoch: number | undefined;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      segmentRecords.push(r);
      const epoch = r.leaderEpoch;
      if (epoch !== undefined && epoch >= 0 && epoch !== lastEpoch) {
        this.epochs.assign(epoch, r.offset);
        lastEpoch = epoch;
      }
    }
    active.sizeBytes += batchBytes;
    if (active.rollingBasedTimestampMs === null) active.rollingBasedTimestampMs = maxTimestampMs;
    active.maxTimestampMs = active.maxTimestampMs === null ? maxTimestampMs : Math.max(active.maxTimestampMs, maxTimestampMs);
    active.lastModifiedMs = nowMs;
    this.endOffset = records[records.length - 1]!.offset + 1;
    return { kind: 'appended', baseOffset: records[0]!.offset, lastOffset: records[records.length - 1]!.offset, rolledSegment: shouldRoll, records };
  }

  /** Kafka's `deletableSegments` + `deleteSegments` for one predicate. */
  private deleteOldSegments(
    predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean,
    highWatermark: number,
    nowMs: number,
  ): { count: number; bytes: number } {
    const deletable: LogSegment[] = [];
    for (let i = 0; i < this.segmentList.length; i++) {
      const segment = this.segmentList[i]!;
      const next = this.segmentList[i + 1];
      const isLastSegmentAndEmpty = next === undefined && segment.sizeBytes === 0;
      const upperBoundOffset = next !== undefined ? next.baseOffset : this.endOffset;
      if (highWatermark >= upperBoundOffset && predicate(segment, next) && !isLastSegmentAndEmpty) deletable.push(segment);
      else break;
    }
    if (deletable.length === 0) return { count: 0, bytes: 0 };
    if (deletable.length === this.segmentList.length) {
      // Always keep one segment: roll a new empty active segment at the log end first.
      this.segmentList.push(emptySegment(this.endOffset, nowMs));
    }
    const remaining = this.segmentList.slice(deletable.length);
    const bytes = deletable.reduce((n, s) => n + s.sizeBytes, 0);
    this.segmentList = remaining;
    const newStart = remaining[0]!.baseOffset;
    if (newStart > this.startOffset) {
      this.startOffset = newStart;
      this.epochs.truncateFromStart(newStart);
    }
    this.cleanerCheckpoint = Math.max(this.cleanerCheckpoint, this.startOffset);
    return { count: deletable.length, bytes };
  }
}

function isLogRecord(r: NewRecord & { offset: number }): r is LogRecord {
  return typeof (r as { sizeBytes?: unknown }).sizeBytes === 'number';
}

/**
 * A record a producer built in the log's own shape and that no log holds yet (offset -1): the
 * log takes the object itself instead of a copy. Once placed it has an offset, so appending the
 * same object again (a retried batch that was in fact written) makes a copy.
 */
function isUnplacedRecord(r: NewRecord): r is LogRecord {
  return (r as { offset?: unknown }).offset === -1 && typeof (r as { sizeBytes?: unknown }).sizeBytes === 'number';
}

function place(r: LogRecord, offset: number, leaderEpoch: number | undefined): LogRecord {
  const w = r as { offset: number; leaderEpoch?: number };
  w.offset = offset;
  if (leaderEpoch !== undefined) w.leaderEpoch = leaderEpoch;
  return r;
}
