import type { HistoryEntry } from '../../sim';
import { upperBound } from './sorted-search';

/** Parsed batches kept at once: a screenful of rows and a hovered message touch two or three. */
const PARSED_KEPT = 8;

interface Batch {
  firstSeq: number;
  count: number;
  /** The batch as the worker sent it: JSON text of its entries, or already plain objects. */
  text?: string;
  parsed?: HistoryEntry[];
}

/**
 * The history's entries, kept as the JSON text of each streamed batch and turned back into plain
 * HistoryEntry objects on demand. A 100k-entry run held as objects is a hundred thousand small
 * objects (with their vector clocks) that every garbage collection copies or scans; held as a few
 * hundred large strings it is nearly free to keep, and the views only ever look at a screenful.
 */
export class BatchTextStore {
  private batches: Batch[] = [];
  private readonly recent: Batch[] = [];
  length = 0;

  /** Adds a batch kept as its JSON text (`count` entries). */
  addText(text: string, count: number): void {
    this.batches.push({ firstSeq: this.length, count, text });
    this.length += count;
  }

  /** Adds a batch of objects (a host that sends objects); they are kept as they are. */
  addParsed(entries: HistoryEntry[]): void {
    this.batches.push({ firstSeq: this.length, count: entries.length, parsed: entries });
    this.length += entries.length;
  }

  /** The entry at `seq` as a plain object. */
  entry(seq: number): HistoryEntry {
    const bs = this.batches;
    const b = bs[upperBound(bs.length, (i) => bs[i]!.firstSeq, seq) - 1]!;
    return this.parsedOf(b)[seq - b.firstSeq]!;
  }

  private parsedOf(b: Batch): HistoryEntry[] {
    if (b.parsed) return b.parsed;
    const parsed = JSON.parse(b.text!) as HistoryEntry[];
    // Keep a few parsed batches; older ones fall back to their text.
    b.parsed = parsed;
    this.recent.push(b);
    if (this.recent.length > PARSED_KEPT) {
      const old = this.recent.shift()!;
      if (old.text !== undefined) old.parsed = undefined;
    }
    return parsed;
  }
}
