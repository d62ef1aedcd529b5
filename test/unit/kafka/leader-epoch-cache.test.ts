/**
 * LeaderEpochCache follows apache/kafka storage/.../epoch/LeaderEpochFileCache.java:
 * assign() ignores a repeat of the latest epoch, and a new entry removes contradicting entries at
 * the end; truncateFromStart keeps the epoch in force at the new start offset.
 */
import { describe, expect, it } from 'vitest';
import { LeaderEpochCache } from '../../../src/sim/broker/kafka/leader-epoch-cache.ts';

describe('LeaderEpochCache', () => {
  it('records the first offset of each new epoch and ignores repeats of the latest one', () => {
    const c = new LeaderEpochCache();
    c.assign(1, 0);
    c.assign(1, 5);
    c.assign(2, 7);
    expect(c.list()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 7 },
    ]);
  });

  it('an entry that contradicts newer ones replaces them (LeaderEpochFileCache.maybeTruncateNonMonotonicEntries)', () => {
    const c = new LeaderEpochCache();
    c.assign(1, 0);
    c.assign(3, 10);
    c.assign(2, 4); // epoch 3 starting later is removed
    expect(c.list()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 4 },
    ]);
  });

  it('truncateFromStart moves the epoch in force up to the new log start offset', () => {
    const c = new LeaderEpochCache();
    c.assign(1, 0);
    c.assign(2, 10);
    c.assign(3, 20);
    c.truncateFromStart(15);
    expect(c.list()).toEqual([
      { epoch: 2, startOffset: 15 },
      { epoch: 3, startOffset: 20 },
    ]);
    // A requested epoch older than all known ones ends where the first known epoch starts.
    expect(c.endOffsetFor(1, 30)).toEqual({ epoch: 1, endOffset: 15 });
  });
});
