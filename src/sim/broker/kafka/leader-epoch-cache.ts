/**
 * Which leader epoch started at which offset (Kafka's `LeaderEpochFileCache`).
 *
 * After a leader change a follower asks the new leader "where does my last epoch end?" and
 * truncates its log there, instead of trusting its high watermark (KIP-101). This cache answers
 * that question for a log.
 */

/** `UNDEFINED_EPOCH` and `UNDEFINED_EPOCH_OFFSET` in Kafka. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

/** An epoch and the first offset written in it. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Ordered epoch → start offset entries with Kafka's update and lookup rules. */
export class LeaderEpochCache {
  private entries: EpochEntry[] = [];

  /** All entries, oldest first (a copy). */
  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** The newest epoch, or undefined when nothing was written with an epoch. */
  latestEpoch(): number | undefined {
    return this.entries[this.entries.length - 1]?.epoch;
  }

  /**
   * Records that `epoch` started at `startOffset`, as `LeaderEpochFileCache.assign` does: nothing
   * changes if this is the latest epoch already (and does not start earlier); otherwise entries
   * at the end that the new one contradicts (same or newer epoch, or starting at or after it) go.
   */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || startOffset < 0) throw new Error(`invalid leader epoch entry (epoch ${epoch}, startOffset ${startOffset})`);
    const latest = this.entries[this.entries.length - 1];
    if (latest !== undefined && latest.epoch === epoch && startOffset >= latest.startOffset) return;
    while (this.entries.length > 0) {
      const last = this.entries[this.entries.length - 1]!;
      if (last.epoch >= epoch || last.startOffset >= startOffset) this.entries.pop();
      else break;
    }
    this.entries.push({ epoch, startOffset });
  }

  /**
   * `endOffsetFor`: the epoch the requester should use and the offset where it ends, i.e. the
   * start of the next newer epoch, or the log end offset for the current epoch.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (requestedEpoch === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    if (this.latestEpoch() === requestedEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    const higher = this.entries.find((e) => e.epoch > requestedEpoch);
    if (higher === undefined) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
    let floor: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= requestedEpoch) floor = e;
    return floor === undefined
      ? { epoch: requestedEpoch, endOffset: higher.startOffset }
      : { epoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** Drops entries starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
  }

  /** Drops entries wholly before `startOffset`, keeping the epoch in force there (moved up to it). */
  truncateFromStart(startOffset: number): void {
    let lastBefore: EpochEntry | undefined;
    const kept: EpochEntry[] = [];
    for (const e of this.entries) {
      if (e.startOffset <= startOffset) lastBefore = e;
      else kept.push(e);
    }
    this.entries = lastBefore === undefined ? kept : [{ epoch: lastBefore.epoch, startOffset }, ...kept];
  }

  /** Forgets everything (the log was emptied). */
  clear(): void {
    this.entries = [];
  }
}
