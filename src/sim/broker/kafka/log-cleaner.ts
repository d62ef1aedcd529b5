/**
 * Log compaction, after Kafka's `LogCleaner`: https://kafka.apache.org/documentation/#compaction
 *
 * Only closed segments below the first uncleanable offset are cleaned (never the active segment,
 * never data at or above the last stable offset). In that range the cleaner keeps, for each key,
 * only the record with the highest offset; offsets are never renumbered, so the log just gets
 * holes. A tombstone (null value) that wins for its key is kept for `delete.retention.ms` after
 * the cleaner first sees it, so slow consumers still learn about the delete, then removed.
 * Records without a key are dropped, data of aborted transactions is dropped, and a transaction
 * marker goes (after the same delay) once no data of its transaction is left.
 * After cleaning, consecutive segments are merged while their original sizes fit in
 * `segment.bytes`, as Kafka's `groupSegmentsBySize` does.
 */

import type { LogRecord } from './log-record.ts';
import { recomputeSegmentStats, type LogSegment } from './log-segment.ts';

/** What one cleaning pass needs to know. */
export interface CleanOptions {
  nowMs: number;
  deleteRetentionMs: number;
  segmentBytes: number;
  /** Exclusive end of the cleanable range; must be a segment base offset. */
  firstUncleanableOffset: number;
}

/** Counts from one cleaning pass, for views and tests. */
export interface CleanStats {
  recordsRemoved: number;
  bytesRemoved: number;
  tombstonesRemoved: number;
  segmentsCleaned: number;
}

/**
 * Cleans `segments` (oldest first) below `firstUncleanableOffset` and returns the new segment
 * list; segments at or above it are returned untouched.
 */
export function cleanSegments(segments: readonly LogSegment[], options: CleanOptions): { segments: LogSegment[]; stats: CleanStats } {
  const { nowMs, deleteRetentionMs, segmentBytes, firstUncleanableOffset } = options;
  let cleanableCount = 0;
  while (cleanableCount < segments.length && segments[cleanableCount]!.baseOffset < firstUncleanableOffset) cleanableCount++;
  const cleanable = segments.slice(0, cleanableCount);
  const rest = segments.slice(cleanableCount);
  const stats: CleanStats = { recordsRemoved: 0, bytesRemoved: 0, tombstonesRemoved: 0, segmentsCleaned: cleanable.length };
  if (cleanable.length === 0) return { segments: [...segments], stats };

  // Transaction outcomes: for each producer, its markers in offset order (over the whole log).
  const markersByProducer = new Map<number, LogRecord[]>();
  for (const segment of segments) {
    for (const r of segment.records) {
      if (r.control === undefined) continue;
      const pid = r.producerId ?? -1;
      let list = markersByProducer.get(pid);
      if (list === undefined) markersByProducer.set(pid, (list = []));
      list.push(r);
    }
  }
  const isAborted = (r: LogRecord) =>
    r.isTransactional === true && markersByProducer.get(r.producerId ?? -1)?.find((m) => m.offset > r.offset)?.control === 'abort';

  // The offset map: latest offset per key in the cleanable range. Like Kafka, records of aborted
  // transactions do not count (they are about to be dropped).
  const latestOffsetForKey = new Map<string, number>();
  for (const segment of cleanable) {
    for (const r of segment.records) {
      if (r.control === undefined && r.key !== null && !isAborted(r)) latestOffsetForKey.set(r.key, r.offset);
    }
  }

  const retainedTxnDataByProducer = new Map<number, number>();
  const cleanedRecords = (segment: LogSegment): LogRecord[] => {
    const kept: LogRecord[] = [];
    const drop = (r: LogRecord, tombstone = false) => {
      stats.recordsRemoved++;
      stats.bytesRemoved += r.sizeBytes;
      if (tombstone) stats.tombstonesRemoved++;
    };
    for (const r of segment.records) {
      if (r.control !== undefined) {
        const pid = r.producerId ?? -1;
        const transactionEmpty = (retainedTxnDataByProducer.get(pid) ?? 0) === 0;
        retainedTxnDataByProducer.delete(pid);
        if (transactionEmpty && r.deleteHorizonMs !== undefined && r.deleteHorizonMs <= nowMs) {
          drop(r);
        } else {
          kept.push(transactionEmpty && r.deleteHorizonMs === undefined ? { ...r, deleteHorizonMs: nowMs + deleteRetentionMs } : r);
        }
        continue;
      }
      if (isAborted(r)) {
        drop(r);
        continue;
      }
      if (r.key === null || r.offset < (latestOffsetForKey.get(r.key) ?? -1)) {
        drop(r, r.value === null);
        continue;
      }
      let keptRecord = r;
      if (r.value === null) {
        if (r.deleteHorizonMs !== undefined && nowMs >= r.deleteHorizonMs) {
          drop(r, true);
          continue;
        }
        if (r.deleteHorizonMs === undefined) keptRecord = { ...r, deleteHorizonMs: nowMs + deleteRetentionMs };
      }
      kept.push(keptRecord);
      if (r.isTransactional) {
        const pid = r.producerId ?? -1;
        retainedTxnDataByProducer.set(pid, (retainedTxnDataByProducer.get(pid) ?? 0) + 1);
      }
    }
    return kept;
  };

  // groupSegmentsBySize: merge consecutive segments while their pre-clean sizes fit segment.bytes.
  const groups: LogSegment[][] = [];
  for (let i = 0; i < cleanable.length; ) {
    const group = [cleanable[i]!];
    let size = cleanable[i]!.sizeBytes;
    i++;
    while (i < cleanable.length && size + cleanable[i]!.sizeBytes <= segmentBytes) {
      size += cleanable[i]!.sizeBytes;
      group.push(cleanable[i]!);
      i++;
    }
    groups.push(group);
  }

  const cleaned: LogSegment[] = groups.map((group) => {
    const first = group[0]!;
    const merged: LogSegment = {
      baseOffset: first.baseOffset,
      records: group.flatMap(cleanedRecords),
      sizeBytes: 0,
      rollingBasedTimestampMs: first.rollingBasedTimestampMs,
      maxTimestampMs: null,
      createdMs: first.createdMs,
      lastModifiedMs: group[group.length - 1]!.lastModifiedMs,
    };
    recomputeSegmentStats(merged);
    return merged;
  });
  return { segments: [...cleaned, ...rest], stats };
}
