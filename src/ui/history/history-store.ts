import type { HistoryEntry } from '../../sim';
import { AmqpIndex } from './amqp-state';
import { BatchTextStore } from './batch-text-store';
import { ClientRoleIndex } from './client-roles';
import { consoleLineOf, type ConsoleLine } from './console-lines';
import { frameThrottle } from './frame-scheduler';
import { KafkaIndex } from './kafka-state';
import { MessageIndex } from './message-index';
import { MetricBins } from './metric-bins';
import { NodeIndex } from './node-index';
import { NodeStates } from './node-states';
import { PartitionEpochs } from './partition-epochs';
import { upperBound } from './sorted-search';

const TIMES_START = 16_384;

const STREAMING_REFRESH_MS = 100;

/** Where the history stands: nothing yet, entries arriving from the worker, or the whole run. */
export type StreamState = 'empty' | 'streaming' | 'complete';

/**
 * The streamed history of one run and the indexes every view reads, kept outside React. Batches
 * are appended as they arrive (each costs time proportional to its size, never to the history),
 * and subscribers hear about them at most once per animation frame, so a 100k-entry run does not
 * re-render anything per batch. Views read plain data only: HistoryEntry objects and typed arrays.
 */
export class HistoryStore {
  nodes = new NodeIndex();
  messages = new MessageIndex(this.nodes);
  lives = new NodeStates(this.nodes);
  partitions = new PartitionEpochs(this.nodes);
  metrics = new MetricBins();
  /** The inspectors' folds: Kafka partitions and groups, RabbitMQ queues and dead letters. */
  kafka = new KafkaIndex();
  amqp = new AmqpIndex();
  /** The topology's roles: clients, the Kafka controller, RabbitMQ nodes, exchanges → queues. */
  roles = new ClientRoleIndex();
  consoleLines: ConsoleLine[] = [];
  state: StreamState = 'empty';
  /** Bumped on every notification; React reads it through useSyncExternalStore. */
  version = 0;
  /** Bumped when a new history begins, so views can drop their selection and zoom. */
  runId = 0;

  private store = new BatchTextStore();
  /** Time of every entry, by seq: the timeline's searches never touch the entries themselves. */
  private times = new Float64Array(TIMES_START);
  private readonly listeners = new Set<() => void>();
  // While a run streams, views refresh ten times a second: enough to watch it grow, and it leaves
  // most frames to the batches themselves. Anything else (a jump, the end of a run) is immediate.
  private readonly notifySoon = frameThrottle(
    () => this.notifyNow(),
    () => (this.state === 'streaming' ? STREAMING_REFRESH_MS : 0),
  );

  /** Starts a new history: the lanes the scenario announced, and no entries. */
  begin(nodeNames: readonly string[] = []): void {
    this.resetIndexes(nodeNames);
    this.state = 'streaming';
    this.notifyNow();
  }

  private resetIndexes(nodeNames: readonly string[]): void {
    this.store = new BatchTextStore();
    this.times = new Float64Array(TIMES_START);
    this.nodes = new NodeIndex(nodeNames);
    this.messages = new MessageIndex(this.nodes);
    this.lives = new NodeStates(this.nodes);
    this.partitions = new PartitionEpochs(this.nodes);
    this.metrics = new MetricBins();
    this.kafka = new KafkaIndex();
    this.amqp = new AmqpIndex();
    this.roles = new ClientRoleIndex();
    this.consoleLines = [];
    this.runId++;
  }

  /** Appends a batch of entries, in history order. */
  append(batch: HistoryEntry[]): void {
    this.index(batch);
    this.store.addParsed(batch);
    this.notifySoon();
  }

  /**
   * Appends a batch sent as JSON text (an array of HistoryEntry). The parsed objects feed the
   * indexes and are dropped; the text is what the store keeps.
   */
  appendJson(text: string): void {
    const batch = JSON.parse(text) as HistoryEntry[];
    this.index(batch);
    this.store.addText(text, batch.length);
    this.notifySoon();
  }

  private index(batch: readonly HistoryEntry[]): void {
    let n = this.store.length;
    if (n + batch.length > this.times.length) {
      const grown = new Float64Array(Math.max(this.times.length * 2, n + batch.length));
      grown.set(this.times);
      this.times = grown;
    }
    for (const e of batch) {
      this.times[n++] = e.timeUs;
      if (e.node !== '') this.nodes.id(e.node);
      this.messages.add(e);
      this.lives.add(e);
      this.partitions.add(e);
      this.metrics.add(e);
      this.kafka.add(e);
      this.amqp.add(e);
      this.roles.add(e);
      const line = consoleLineOf(e);
      if (line) this.consoleLines.push(line);
    }
  }

  /** Marks the history whole: the run ended and every batch arrived. */
  complete(): void {
    this.state = 'complete';
    this.notifyNow();
  }

  /** Forgets every entry (the Reset button), keeping the lanes of the scenario about to run. */
  clear(nodeNames: readonly string[] = []): void {
    this.resetIndexes(nodeNames);
    this.state = 'empty';
    this.notifyNow();
  }

  get length(): number {
    return this.store.length;
  }

  /** The entry at `seq`, as a plain object. */
  entry(seq: number): HistoryEntry {
    return this.store.entry(seq);
  }

  /** The simulated time of entry `seq`. */
  timeOf(seq: number): number {
    return this.times[seq]!;
  }

  /** Time of the last entry so far (0 for an empty history). */
  get endUs(): number {
    const n = this.store.length;
    return n === 0 ? 0 : this.times[n - 1]!;
  }

  /** The last entry at or before `timeUs` (-1 when none is). */
  seqAt(timeUs: number): number {
    const t = this.times;
    return upperBound(this.store.length, (i) => t[i]!, timeUs) - 1;
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
