import type { HistoryEntry } from '../../sim';
import { consoleLineOf, type ConsoleLine } from './console-lines';
import { frameThrottle } from './frame-scheduler';
import { MessageIndex } from './message-index';
import { MetricBins } from './metric-bins';
import { NodeIndex } from './node-index';
import { NodeStates } from './node-states';
import { PartitionEpochs } from './partition-epochs';
import { upperBound } from './sorted-search';

/** Where the history stands: nothing yet, entries arriving from the worker, or the whole run. */
export type StreamState = 'empty' | 'streaming' | 'complete';

/**
 * The streamed history of one run and the indexes every view reads, kept outside React. Batches
 * are appended as they arrive (each costs time proportional to its size, never to the history),
 * and subscribers hear about them at most once per animation frame, so a 100k-entry run does not
 * re-render anything per batch. Views read plain data only: HistoryEntry objects and typed arrays.
 */
export class HistoryStore {
  entries: HistoryEntry[] = [];
  nodes = new NodeIndex();
  messages = new MessageIndex(this.nodes);
  lives = new NodeStates(this.nodes);
  partitions = new PartitionEpochs(this.nodes);
  metrics = new MetricBins();
  consoleLines: ConsoleLine[] = [];
  state: StreamState = 'empty';
  /** Bumped on every notification; React reads it through useSyncExternalStore. */
  version = 0;

  private readonly listeners = new Set<() => void>();
  private readonly notifySoon = frameThrottle(() => this.notifyNow());

  /** Starts a new history: the lanes the scenario announced, and no entries. */
  begin(nodeNames: readonly string[] = []): void {
    this.resetIndexes(nodeNames);
    this.state = 'streaming';
    this.notifyNow();
  }

  private resetIndexes(nodeNames: readonly string[]): void {
    this.entries = [];
    this.nodes = new NodeIndex(nodeNames);
    this.messages = new MessageIndex(this.nodes);
    this.lives = new NodeStates(this.nodes);
    this.partitions = new PartitionEpochs(this.nodes);
    this.metrics = new MetricBins();
    this.consoleLines = [];
  }

  /** Appends a batch of entries, in history order. */
  append(batch: readonly HistoryEntry[]): void {
    for (const e of batch) {
      this.entries.push(e);
      if (e.node !== '') this.nodes.id(e.node);
      this.messages.add(e);
      this.lives.add(e);
      this.partitions.add(e);
      this.metrics.add(e);
      const line = consoleLineOf(e);
      if (line) this.consoleLines.push(line);
    }
    this.notifySoon();
  }

  /** Marks the history whole: the run ended and every batch arrived. */
  complete(): void {
    this.state = 'complete';
    this.notifyNow();
  }

  /** Forgets everything (the Reset button). */
  clear(): void {
    this.resetIndexes([]);
    this.state = 'empty';
    this.notifyNow();
  }

  get length(): number {
    return this.entries.length;
  }

  /** Time of the last entry so far (0 for an empty history). */
  get endUs(): number {
    return this.entries.length === 0 ? 0 : this.entries[this.entries.length - 1]!.timeUs;
  }

  /** The last entry at or before `timeUs` (-1 when none is). */
  seqAt(timeUs: number): number {
    const es = this.entries;
    return upperBound(es.length, (i) => es[i]!.timeUs, timeUs) - 1;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  private notifyNow(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
