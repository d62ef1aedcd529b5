/**
 * Stories about one partition's log. Each test names the Kafka rule it checks: the documentation
 * (https://kafka.apache.org/documentation/…) or the Kafka source it follows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORD_OVERHEAD_BYTES, recordSizeBytes, type NewRecord } from '../../../src/sim/broker/kafka/log-record.ts';
import { PartitionLog, type ReadResult } from '../../../src/sim/broker/kafka/partition-log.ts';

/** A 31-byte record: 21 bytes overhead + 2-byte key + 8-byte value. */
const rec = (key: string | null, value: string | null, timestampMs = 0, extra: Partial<NewRecord> = {}): NewRecord => ({
  key,
  value,
  timestampMs,
  ...extra,
});
const k = (i: number) => `k${i % 10}`;
const v = (i: number) => `value-${String(i).padStart(2, '0')}`.slice(0, 8);

function records(result: ReadResult) {
  if (result.kind !== 'records') throw new Error(`expected records, got ${JSON.stringify(result)}`);
  return result.records;
}
const offsetsOf = (log: PartitionLog) => records(log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER)).map((r) => r.offset);

describe('offsets and reads (https://kafka.apache.org/documentation/#log)', () => {
  it('gives each appended record the next offset and reads them back from any offset', () => {
    const log = new PartitionLog();
    expect(log.append([rec('a', '1'), rec('b', '2')], 0)).toMatchObject({ kind: 'appended', baseOffset: 0, lastOffset: 1 });
    expect(log.append([rec('c', '3')], 1)).toMatchObject({ kind: 'appended', baseOffset: 2, lastOffset: 2 });
    expect(log.logEndOffset).toBe(3);
    expect(records(log.read(1, 1_000_000)).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'b', '2'],
      [2, 'c', '3'],
    ]);
  });

  it('answers OFFSET_OUT_OF_RANGE below the log start and above the log end, and nothing at the log end', () => {
    const log = new PartitionLog({}, { startOffset: 10 });
    log.append([rec('a', '1')], 0);
    expect(log.read(9, 100)).toEqual({ kind: 'offsetOutOfRange', requestedOffset: 9, logStartOffset: 10, logEndOffset: 11 });
    expect(log.read(12, 100).kind).toBe('offsetOutOfRange');
    expect(log.read(11, 100)).toEqual({ kind: 'records', records: [], nextOffset: 11, sizeBytes: 0 });
  });

  it('reads from the first offset at or after the one asked for, across segments and over gaps, and reports the bytes it returns', () => {
    // A follower's copy of a compacted leader log has gaps; small segments make the read span several.
    const log = new PartitionLog({ 'segment.bytes': 80 });
    const at = (offset: number, key: string) => ({ ...rec(key, 'v'), offset });
    log.appendAsFollower([at(0, 'a'), at(1, 'b'), at(5, 'c')], 0);
    log.appendAsFollower([at(6, 'd'), at(9, 'e')], 0);
    log.appendAsFollower([at(10, 'f'), at(11, 'g')], 0);
    expect(log.segments().length).toBeGreaterThan(1);
    const from = (offset: number) => records(log.read(offset, 1_000_000)).map((r) => r.offset);
    expect(from(0)).toEqual([0, 1, 5, 6, 9, 10, 11]);
    expect(from(2)).toEqual([5, 6, 9, 10, 11]);
    expect(from(5)).toEqual([5, 6, 9, 10, 11]);
    expect(from(7)).toEqual([9, 10, 11]);
    expect(from(11)).toEqual([11]);
    expect(from(12)).toEqual([]);
    const size = recordSizeBytes(rec('a', 'v'));
    for (const offset of [0, 2, 7, 11, 12]) {
      const read = log.read(offset, 1_000_000);
      if (read.kind !== 'records') throw new Error('expected records');
      expect(read.sizeBytes).toBe(read.records.length * size);
    }
    const bounded = log.read(1, size * 3);
    expect(bounded).toMatchObject({ kind: 'records', nextOffset: 7, sizeBytes: size * 3 });
  });

  it('returns at least one record even when it is larger than maxBytes, so a consumer always makes progress (KIP-74)', () => {
    const log = new PartitionLog();
    log.append([rec('big', 'x'.repeat(500)), rec('a', '1'), rec('b', '2')], 0);
    const first = log.read(0, 10);
    expect(records(first).map((r) => r.offset)).toEqual([0]);
    expect(first).toMatchObject({ nextOffset: 1 });
    const size = recordSizeBytes(rec('a', '1'));
    expect(records(log.read(1, size * 2)).map((r) => r.offset)).toEqual([1, 2]);
    expect(records(log.read(1, size * 2 - 1)).map((r) => r.offset)).toEqual([1]);
  });

  it('does not return records at or above the high watermark to a reader bounded by it', () => {
    const log = new PartitionLog();
    log.append([rec('a', '1'), rec('b', '2'), rec('c', '3')], 0);
    const result = log.read(0, 1_000_000, { maxOffsetExclusive: 2 });
    expect(records(result).map((r) => r.offset)).toEqual([0, 1]);
    expect(result).toMatchObject({ nextOffset: 2 });
  });

  it(`sizes a record as UTF-8 key + value + header bytes + ${RECORD_OVERHEAD_BYTES} bytes (DefaultRecord.MAX_RECORD_OVERHEAD)`, () => {
    expect(recordSizeBytes(rec('k0', 'abcdefgh'))).toBe(21 + 2 + 8);
    expect(recordSizeBytes(rec(null, null))).toBe(21);
    expect(recordSizeBytes(rec('é', '€'))).toBe(21 + 2 + 3);
    expect(recordSizeBytes(rec('k', 'v', 0, { headers: [{ key: 'trace', value: 'abc' }, { key: 'x', value: null }] }))).toBe(21 + 1 + 1 + 5 + 3 + 1);
  });

  it('refuses a batch larger than max.message.bytes with RecordBatchTooLargeException, leaving the log unchanged', () => {
    const log = new PartitionLog({ 'max.message.bytes': 100 });
    const result = log.append([rec('k', 'x'.repeat(200))], 0);
    expect(result).toMatchObject({ kind: 'rejected', error: 'RecordBatchTooLargeException' });
    expect(log.logEndOffset).toBe(0);
  });
});

describe('segments roll on size and age (#topicconfigs_segment.bytes, #topicconfigs_segment.ms)', () => {
  it('starts a new segment when the next batch would push the active one past segment.bytes', () => {
    // LogSegment.shouldRoll: size > segment.bytes - batchSize. Three 31-byte records fit in 100 bytes.
    const log = new PartitionLog({ 'segment.bytes': 100 });
    for (let i = 0; i < 7; i++) log.append([rec(k(i), v(i))], 0);
    expect(log.segments().map((s) => [s.baseOffset, s.recordCount, s.sizeBytes])).toEqual([
      [0, 3, 93],
      [3, 3, 93],
      [6, 1, 31],
    ]);
    expect(log.segments().map((s) => s.active)).toEqual([false, false, true]);
  });

  it('starts a new segment when a batch is more than segment.ms newer than the segment\'s first batch', () => {
    const log = new PartitionLog({ 'segment.ms': 1000 });
    log.append([rec('a', '1', 5000)], 5000);
    log.append([rec('b', '2', 6000)], 6000); // exactly segment.ms later: not yet
    expect(log.segments()).toHaveLength(1);
    const rolled = log.append([rec('c', '3', 6001)], 6001);
    expect(rolled).toMatchObject({ rolledSegment: true, baseOffset: 2 });
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0, 2]);
  });
});

describe('retention (#topicconfigs_retention.ms, #topicconfigs_retention.bytes)', () => {
  const threeSegmentLog = (config = {}) => {
    // Segment 0: offsets 0-2 at t=1000; segment 3: offsets 3-5 at t=2000; active: offset 6 at t=3000.
    const log = new PartitionLog({ 'segment.bytes': 100, ...config });
    for (let i = 0; i < 7; i++) {
      const t = 1000 * (1 + Math.floor(i / 3));
      log.append([rec(k(i), v(i), t)], t);
    }
    return log;
  };

  it('deletes whole closed segments whose newest record is older than retention.ms, and moves the log start offset', () => {
    const log = threeSegmentLog({ 'retention.ms': 1500 });
    // At t=3000 the first segment's newest record (t=1000) is 2000 ms old; the second's is 1000 ms old.
    expect(log.applyRetention(3000)).toMatchObject({ deletedSegments: 1, logStartOffset: 3 });
    expect(log.read(0, 100).kind).toBe('offsetOutOfRange');
    expect(offsetsOf(log)).toEqual([3, 4, 5, 6]);
    // Nothing else is old enough yet.
    expect(log.applyRetention(3500)).toMatchObject({ deletedSegments: 0 });
  });

  it('keeps a segment while any of its records is young, even if older records in it are expired', () => {
    const log = new PartitionLog({ 'segment.bytes': 100, 'retention.ms': 1000 });
    log.append([rec('a', '1', 0)], 0);
    log.append([rec('b', '2', 5000)], 5000);
    log.append([rec('c', '3', 5000)], 5000);
    log.append([rec('d', '4', 5000)], 5000); // rolls: first segment holds t=0 and t=5000 records
    expect(log.applyRetention(5500).deletedSegments).toBe(0);
    expect(log.logStartOffset).toBe(0);
  });

  it('like Kafka, rolls a fresh active segment and empties the log when even the active segment has expired', () => {
    // UnifiedLog.deleteSegments: "we must always have at least one segment, so if we are going to
    // delete all the segments, create a new one first".
    const log = threeSegmentLog({ 'retention.ms': 100 });
    const result = log.applyRetention(10_000);
    expect(result).toMatchObject({ deletedSegments: 3, logStartOffset: 7 });
    expect(log.logEndOffset).toBe(7);
    expect(log.segments()).toEqual([expect.objectContaining({ baseOffset: 7, recordCount: 0, active: true })]);
    expect(log.append([rec('x', 'y', 10_000)], 10_000)).toMatchObject({ baseOffset: 7 });
  });

  it('never deletes data at or above the high watermark', () => {
    const log = threeSegmentLog({ 'retention.ms': 100 });
    // Only the first segment lies wholly below a high watermark of 4.
    expect(log.applyRetention(10_000, { highWatermark: 4 })).toMatchObject({ deletedSegments: 1, logStartOffset: 3 });
  });

  it('deletes the oldest segments while the log would still be at least retention.bytes without them', () => {
    // Sizes 93 + 93 + 31 = 217; limit 120 → excess 97: deleting the first segment (93) leaves 124 ≥ 120,
    // deleting the second too would go below, so Kafka stops and the log stays a bit over the limit.
    const log = threeSegmentLog({ 'retention.bytes': 120 });
    expect(log.applyRetention(0)).toMatchObject({ deletedSegments: 1, deletedBytes: 93, logStartOffset: 3 });
    expect(log.sizeBytes).toBe(124);
  });

  it('ignores retention.ms and retention.bytes when cleanup.policy=compact, and honours them with compact,delete', () => {
    const compacted = threeSegmentLog({ 'retention.ms': 100, 'retention.bytes': 10, 'cleanup.policy': 'compact' });
    expect(compacted.applyRetention(10_000).deletedSegments).toBe(0);
    const both = threeSegmentLog({ 'retention.ms': 1500, 'cleanup.policy': 'compact,delete' });
    expect(both.applyRetention(3000).deletedSegments).toBe(1);
  });

  it('retention.ms = -1 keeps data forever', () => {
    const log = threeSegmentLog({ 'retention.ms': -1 });
    expect(log.applyRetention(10 ** 12).deletedSegments).toBe(0);
  });

  it('deleteRecords moves the log start offset at once and frees whole segments below it on the next pass, whatever the policy', () => {
    const log = threeSegmentLog({ 'cleanup.policy': 'compact' });
    log.deleteRecordsBefore(4);
    expect(log.logStartOffset).toBe(4);
    expect(log.read(3, 100).kind).toBe('offsetOutOfRange');
    expect(records(log.read(4, 1000)).map((r) => r.offset)).toEqual([4, 5, 6]);
    expect(log.applyRetention(0)).toMatchObject({ deletedSegments: 1, logStartOffset: 4 });
    expect(log.segments()[0]!.baseOffset).toBe(3);
  });
});

describe('log compaction (https://kafka.apache.org/documentation/#compaction)', () => {
  const compactedLog = (config = {}) => new PartitionLog({ 'cleanup.policy': 'compact', 'segment.bytes': 100, ...config });

  it('keeps the latest value per key in closed segments; offsets never change and order is kept (#design_compactionguarantees)', () => {
    const log = compactedLog({ 'segment.bytes': 72 }); // 24-byte records: three per segment
    const writes: Array<[string, string]> = [
      ['a', 'a1'], ['b', 'b1'], ['a', 'a2'],
      ['c', 'c1'], ['b', 'b2'], ['a', 'a3'],
      ['d', 'd1'],
    ];
    writes.forEach(([key, value], i) => log.append([rec(key, value, i)], i));
    const stats = log.compact(100);
    expect(stats.recordsRemoved).toBe(3);
    expect(records(log.read(0, 10_000)).map((r) => [r.offset, r.key, r.value])).toEqual([
      [3, 'c', 'c1'],
      [4, 'b', 'b2'],
      [5, 'a', 'a3'],
      [6, 'd', 'd1'],
    ]);
    expect(log.logEndOffset).toBe(7);
  });

  it('a read at a compacted-away offset starts at the next offset still in the log', () => {
    // "offsets 36, 37, and 38 are all equivalent positions and a read beginning at any of these
    // offsets would return a message set beginning with 38" (#design_compactionbasics)
    const log = compactedLog();
    ['x', 'y', 'x', 'y', 'z', 'q', 'r'].forEach((key, i) => log.append([rec(key, `v${i}`)], i));
    log.compact(10);
    expect(records(log.read(0, 1000))[0]!.offset).toBe(2);
    expect(records(log.read(1, 1000))[0]!.offset).toBe(2);
  });

  it('never compacts the active segment: duplicates in the head stay readable', () => {
    const log = compactedLog();
    for (let i = 0; i < 2; i++) log.append([rec('same', `v${i}`)], i); // only the active segment
    log.compact(10);
    expect(offsetsOf(log)).toEqual([0, 1]);
  });

  it('keeps a tombstone for delete.retention.ms after the cleaner first sees it, then removes it', () => {
    const log = compactedLog({ 'delete.retention.ms': 1000 });
    log.append([rec('user-1', 'alice')], 0);
    log.append([rec('user-2', 'bob')], 0);
    log.append([rec('user-1', null)], 0); // tombstone
    log.append([rec('user-3', 'carol')], 0); // rolls; the first segment is closed
    log.compact(5000);
    // The old value is gone at once; the tombstone stays so lagging consumers can see the delete.
    expect(records(log.read(0, 1000)).map((r) => [r.offset, r.key, r.value])).toEqual([
      [1, 'user-2', 'bob'],
      [2, 'user-1', null],
      [3, 'user-3', 'carol'],
    ]);
    log.compact(5999); // less than delete.retention.ms after it was first cleaned
    expect(offsetsOf(log)).toEqual([1, 2, 3]);
    const stats = log.compact(6000);
    expect(stats.tombstonesRemoved).toBe(1);
    expect(offsetsOf(log)).toEqual([1, 3]);
  });

  it('rejects a record without a key on a compacted topic (InvalidRecordException)', () => {
    const log = compactedLog();
    expect(log.append([rec('k', 'v'), rec(null, 'v')], 0)).toMatchObject({
      kind: 'rejected',
      error: 'InvalidRecordException',
      message: 'Compacted topic cannot accept message without key',
    });
    expect(log.logEndOffset).toBe(0);
    expect(new PartitionLog().append([rec(null, 'v')], 0).kind).toBe('appended');
  });

  it('does not clean at or above the last stable offset (an open transaction)', () => {
    const log = compactedLog({ 'segment.bytes': 62 });
    ['a', 'a', 'a', 'a', 'a'].forEach((key, i) => log.append([rec(key, `v${i}`)], i)); // segments [0,1] [2,3] [4]
    log.compact(10, { lastStableOffset: 3 });
    // Only the first segment lies wholly below the segment holding offset 3; it alone is cleaned,
    // and the cleaner's key map covers only that range, so offset 1 is the latest 'a' it knows.
    expect(offsetsOf(log)).toEqual([1, 2, 3, 4]);
  });

  it('drops the data of aborted transactions and, once a transaction has no data left, its marker after delete.retention.ms', () => {
    const log = compactedLog({ 'delete.retention.ms': 100, 'segment.bytes': 1000 });
    const txn = { producerId: 7, producerEpoch: 0, isTransactional: true };
    log.append([rec('a', 'committed', 0, txn), rec('b', 'aborted', 0, txn)], 0);
    log.append([rec(null, null, 0, { producerId: 7, producerEpoch: 0, control: 'commit' })], 0);
    log.append([rec('b', 'in-aborted-txn', 0, txn)], 0);
    log.append([rec(null, null, 0, { producerId: 7, producerEpoch: 0, control: 'abort' })], 0);
    log.append([rec('a', 'newer', 0)], 0);
    log.append([rec('z', 'x'.repeat(900))], 0); // rolls: everything before offset 6 is closed
    log.compact(1000);
    // Offset 0 lost to the newer 'a' at 5; offset 3 was aborted. Offset 1 ('b' in the committed
    // transaction) stays: it is the latest 'b' that was not aborted.
    const after = records(log.read(0, 100_000)).map((r) => [r.offset, r.control ?? r.value]);
    expect(after).toEqual([
      [1, 'aborted'],
      [2, 'commit'],
      [4, 'abort'],
      [5, 'newer'],
      [6, 'x'.repeat(900)],
    ]);
    // The abort marker's transaction is now empty: it goes once delete.retention.ms has passed.
    log.compact(1100);
    expect(offsetsOf(log)).toEqual([1, 2, 5, 6]);
  });

  it('merges small cleaned segments while they fit in segment.bytes (LogCleaner.groupSegmentsBySize)', () => {
    const log = compactedLog({ 'segment.bytes': 100 });
    for (let i = 0; i < 10; i++) log.append([rec('same', v(i))], i); // 33-byte records: segments 0-2, 3-5, 6-8, active 9
    expect(log.segments().map((s) => s.baseOffset)).toEqual([0, 3, 6, 9]);
    log.compact(100);
    // Grouping uses the sizes before cleaning (99 + 99 > 100), so nothing merges in this pass,
    // but only offset 8 survives of the closed segments.
    expect(log.segments().map((s) => [s.baseOffset, s.recordCount])).toEqual([
      [0, 0],
      [3, 0],
      [6, 1],
      [9, 1],
    ]);
    // The next pass sees 0 + 0 + 33 bytes and merges the three closed segments into one.
    log.compact(200);
    expect(log.segments().map((s) => [s.baseOffset, s.recordCount])).toEqual([
      [0, 1],
      [9, 1],
    ]);
    expect(offsetsOf(log)).toEqual([8, 9]);
  });

  it('reports how dirty the log is, and compacts only when the policy includes compact', () => {
    const log = compactedLog({ 'min.cleanable.dirty.ratio': 0.5 });
    for (let i = 0; i < 7; i++) log.append([rec('k', v(i))], i);
    expect(log.cleanableDirtyRatio()).toBe(1);
    expect(log.needsCompaction()).toBe(true);
    log.compact(100);
    expect(log.cleanableDirtyRatio()).toBe(0);
    expect(log.needsCompaction()).toBe(false);
    const plain = new PartitionLog({ 'segment.bytes': 100 });
    for (let i = 0; i < 7; i++) plain.append([rec('k', v(i))], i);
    expect(plain.compact(100).recordsRemoved).toBe(0);
    expect(offsetsOf(plain)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('property: compaction keeps exactly the latest record per key in the cleaned range, with unchanged offsets and order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 31, max: 200 }),
        (writes, segmentBytes) => {
          const log = new PartitionLog({ 'cleanup.policy': 'compact', 'segment.bytes': segmentBytes, 'delete.retention.ms': 1_000_000 });
          writes.forEach(([key, tombstone], i) => log.append([rec(`k${key}`, tombstone ? null : v(i))], i));
          const before = records(log.read(0, Number.MAX_SAFE_INTEGER));
          const activeBase = log.segments().at(-1)!.baseOffset;
          log.compact(10);
          const after = records(log.read(0, Number.MAX_SAFE_INTEGER));
          const latest = new Map<string, number>();
          for (const r of before) if (r.offset < activeBase) latest.set(r.key!, r.offset);
          const expected = before.filter((r) => r.offset >= activeBase || latest.get(r.key!) === r.offset);
          expect(after.map((r) => [r.offset, r.key, r.value])).toEqual(expected.map((r) => [r.offset, r.key, r.value]));
          expect(log.logEndOffset).toBe(writes.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('follower truncation after a leader change (UnifiedLog.truncateTo, KIP-101)', () => {
  it('removes everything from the target offset on; the next append continues there', () => {
    const log = new PartitionLog({ 'segment.bytes': 100 });
    for (let i = 0; i < 8; i++) log.append([rec(k(i), v(i))], i);
    expect(log.truncateTo(4)).toBe(4);
    expect(log.logEndOffset).toBe(4);
    expect(log.segments().map((s) => [s.baseOffset, s.recordCount, s.active])).toEqual([
      [0, 3, false],
      [3, 1, true],
    ]);
    expect(log.read(5, 100).kind).toBe('offsetOutOfRange');
    expect(log.append([rec('new', 'leader')], 9)).toMatchObject({ baseOffset: 4 });
  });

  it('is a no-op at or beyond the log end offset', () => {
    const log = new PartitionLog();
    log.append([rec('a', '1')], 0);
    expect(log.truncateTo(5)).toBe(0);
    expect(log.logEndOffset).toBe(1);
  });

  it('empties the log and restarts at the target when the target is below the first segment', () => {
    const log = new PartitionLog({ 'segment.bytes': 100 }, { startOffset: 100 });
    for (let i = 0; i < 4; i++) log.append([rec(k(i), v(i))], i);
    log.truncateTo(50);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([50, 50]);
  });

  it('keeps the leader offsets, gaps included, when appending as a follower', () => {
    const log = new PartitionLog({ 'cleanup.policy': 'compact' });
    expect(log.appendAsFollower([{ ...rec('a', '1'), offset: 3 }, { ...rec('b', '2'), offset: 5 }], 0)).toMatchObject({ baseOffset: 3, lastOffset: 5 });
    expect(log.logEndOffset).toBe(6);
    expect(log.appendAsFollower([{ ...rec('c', '3'), offset: 4 }], 0)).toMatchObject({ kind: 'rejected', error: 'OffsetOutOfOrder' });
  });

  it('answers OffsetsForLeaderEpoch from the leader epochs of appended records', () => {
    const log = new PartitionLog();
    log.append([rec('a', '1', 0, { leaderEpoch: 0 }), rec('b', '2', 0, { leaderEpoch: 0 })], 0);
    log.append([rec('c', '3', 0, { leaderEpoch: 2 })], 0);
    log.append([rec('d', '4', 0, { leaderEpoch: 3 }), rec('e', '5', 0, { leaderEpoch: 3 })], 0);
    expect(log.latestEpoch()).toBe(3);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 2 });
    // Epoch 1 never wrote here: the answer is the last epoch before it and where the next one starts.
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 2 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 3 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 5 });
    expect(log.endOffsetForEpoch(7)).toEqual({ epoch: -1, endOffset: -1 });
    // A follower that truncates to the leader's answer forgets the epochs it had beyond it.
    log.truncateTo(3);
    expect(log.latestEpoch()).toBe(2);
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 3 });
  });
});
