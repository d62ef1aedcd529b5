/**
 * One segment of a partition log: a contiguous run of offsets starting at `baseOffset`.
 */

import type { LogRecord } from './log-record.ts';

/** A segment's records and the bookkeeping Kafka keeps per segment file. */
export interface LogSegment {
  readonly baseOffset: number;
  records: LogRecord[];
  sizeBytes: number;
  /** Max timestamp of the first batch appended; `segment.ms` rolling measures from it. */
  rollingBasedTimestampMs: number | null;
  /** Largest record timestamp in the segment, or null when empty. */
  maxTimestampMs: number | null;
  /** When the segment was created (the fallback clock for `segment.ms` and retention). */
  createdMs: number;
  /** When the segment was last written. */
  lastModifiedMs: number;
}

/** A new, empty segment starting at `baseOffset`. */
export function emptySegment(baseOffset: number, nowMs: number): LogSegment {
  return { baseOffset, records: [], sizeBytes: 0, rollingBasedTimestampMs: null, maxTimestampMs: null, createdMs: nowMs, lastModifiedMs: nowMs };
}

/**
 * `LogSegment.largestTimestamp`: the newest record timestamp, or the last-modified time for an
 * empty segment. Time-based retention compares this against `retention.ms`.
 */
export function largestTimestampMs(segment: LogSegment): number {
  return segment.maxTimestampMs ?? segment.lastModifiedMs;
}

/** Recomputes size and max timestamp after records were removed (truncation, cleaning). */
export function recomputeSegmentStats(segment: LogSegment): void {
  let size = 0;
  let max: number | null = null;
  for (const r of segment.records) {
    size += r.sizeBytes;
    if (max === null || r.timestampMs > max) max = r.timestampMs;
  }
  segment.sizeBytes = size;
  segment.maxTimestampMs = max;
}

/** Index of the first record with offset >= `offset` (binary search; records are offset-ordered). */
export function firstRecordAtOrAfter(segment: LogSegment, offset: number): number {
  const records = segment.records;
  let hi = records.length;
  // Reads near the end (followers, caught-up consumers) are the common case.
  if (hi === 0 || records[hi - 1]!.offset < offset) return hi;
  // Offsets are consecutive unless compaction or truncation left gaps: try where `offset` would be
  // without gaps (offsets strictly increase, so a match there is the first record at or after it).
  const guess = offset - records[0]!.offset;
  if (guess <= 0) return 0;
  if (guess < hi && records[guess]!.offset === offset) return guess;
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segment.records[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
