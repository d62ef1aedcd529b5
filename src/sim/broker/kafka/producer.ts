/**
 * The producer, shaped like KafkaJS's (`producer.send({ topic, messages })`, `transaction()`),
 * configured with the Java client's keys and defaults (https://kafka.apache.org/documentation/#producerconfigs),
 * and behaving like the Java client's accumulator and sender:
 *
 * - records are partitioned (murmur2 for keys, sticky for null keys, or a custom partitioner),
 *   then batched per partition up to `batch.size`; a batch is sent when full or `linger.ms` after
 *   it was opened, in one ProduceRequest per leader broker, at most
 *   `max.in.flight.requests.per.connection` unanswered requests per broker;
 * - a failed batch is retried after `retry.backoff.ms` while `retries` and `delivery.timeout.ms`
 *   allow; a request unanswered for `request.timeout.ms` counts as failed. Without idempotence a
 *   retried batch can land after batches sent later (reordering) and twice (duplicates);
 * - with `enable.idempotence` (the default) batches carry a producer id, epoch and per-partition
 *   sequence numbers: the broker drops duplicates, and a partition with a batch being retried
 *   sends one batch at a time until it is through, so order holds;
 * - with `transactional.id`, sends happen inside transactions (AddPartitionsToTxn before the
 *   first batch to a partition, EndTxn to commit or abort).
 */

import type { Timer } from '../../kernel';
import { SimPromise } from '../../sim-promise';
import { KafkaJSError, type KafkaClientRuntime } from './client-runtime.ts';
import { COMPRESSION_RATIO, KafkaConfigError, PRODUCER_CONFIG, resolveConfig, type ConfigInput, type ProducerConfig } from './config.ts';
import { KafkaKinds } from './kinds.ts';
import { recordSizeBytes, type LogRecord, type RecordHeader } from './log-record.ts';
import { murmur2String, toPositive } from './murmur2.ts';
import { StickyPartitioner } from './partitioner.ts';
import { NEEDS_METADATA, RETRIABLE, tpKey, type ErrorCode, type ProduceBatch, type ProducePartitionResult, type TP } from './protocol.ts';

/** A message as KafkaJS takes it. Keys and values are strings (KafkaJS also takes Buffers). */
export interface Message {
  key?: string | null;
  value: string | null;
  headers?: Record<string, string>;
  partition?: number;
  /** Milliseconds since the epoch, as a string (KafkaJS); defaults to the producer's clock. */
  timestamp?: string;
}

/** One entry of `send()`'s result per topic-partition, as KafkaJS returns it. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  /** Offset of this call's first record in the partition ('-1' with acks=0). */
  baseOffset: string;
  logAppendTime: string;
  logStartOffset: string;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** KafkaJS per-call override of `acks` (-1 all, 1, 0). */
  acks?: -1 | 0 | 1;
  /** KafkaJS per-call broker-side timeout (ms); defaults to request.timeout.ms. */
  timeout?: number;
}

/** The custom partitioner KafkaJS calls for each message. */
export type PartitionerArgs = { topic: string; partitionMetadata: { partitionId: number; leader: string | null }[]; message: Message };
export type Partitioner = (args: PartitionerArgs) => number;

/** One producer config: Kafka's keys (see PRODUCER_CONFIG) plus KafkaJS's `createPartitioner`. */
export type ProducerConfigInput = ConfigInput<typeof PRODUCER_CONFIG> & { createPartitioner?: (() => Partitioner) | Partitioner };

interface SendOptions {
  acks: -1 | 0 | 1;
  timeoutMs: number;
  transactional: boolean;
  deadlineUs: number;
  /** The producer's clock when send() was called (the records' CreateTime). */
  timestampMs: number;
}

/** What the producer keeps per topic: its partition count and partition queues. */
interface TopicState {
  readonly topic: string;
  readonly n: number;
  readonly queues: PartitionQueue[];
}

interface SendCall {
  promise: SimPromise<RecordMetadata[]>;
  remaining: number;
  results: Map<string, RecordMetadata>;
  settled: boolean;
}

interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly records: LogRecord[];
  /** Which send() call each record came from, as runs: calls[i] sent the next counts[i] records. */
  readonly calls: SendCall[];
  readonly counts: number[];
  bytes: number;
  readonly createdUs: number;
  readonly deadlineUs: number;
  readonly acks: -1 | 0 | 1;
  readonly timeoutMs: number;
  readonly transactional: boolean;
  attempts: number;
  retryAtUs: number;
  baseSequence: number;
  producerId: number;
  producerEpoch: number;
  closed: boolean;
}

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  readonly batches: Batch[];
  nextSequence: number;
  inFlight: number;
}

type TxnState = 'uninitialized' | 'ready' | 'in-transaction' | 'committing' | 'aborting' | 'fatal';

/** A transaction as KafkaJS hands it out. */
export interface Transaction {
  send(record: ProducerRecord): SimPromise<RecordMetadata[]>;
  sendBatch(batch: { topicMessages: { topic: string; messages: Message[] }[]; acks?: -1 | 0 | 1; timeout?: number }): SimPromise<RecordMetadata[]>;
  sendOffsets(args: { consumerGroupId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): SimPromise<void>;
  commit(): SimPromise<void>;
  abort(): SimPromise<void>;
  isActive(): boolean;
}

export class Producer {
  readonly config: ProducerConfig;
  readonly clientId: string;
  private readonly idempotent: boolean;
  private readonly transactionalId: string | null;
  private readonly ratio: number;
  // Hot settings, read once.
  private readonly batchSize: number;
  private readonly lingerUs: number;
  private readonly maxRequestSize: number;
  private readonly ignoreKeys: boolean;
  private producerId = -1;
  private producerEpoch = -1;
  private connected = false;
  private connecting: SimPromise<void> | null = null;
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly topics = new Map<string, TopicState>();
  private readonly inFlightPerBroker = new Map<string, number>();
  private readonly sticky = new Map<string, StickyPartitioner>();
  private partitionerFn: Partitioner | undefined;
  private drainTimer: Timer | null = null;
  private drainAtUs = Infinity;
  /** Records waiting for their topic's metadata, by topic. */
  private readonly awaitingMetadata = new Map<string, { message: Message; call: SendCall; opts: SendOptions }[]>();
  private resetting = false;
  // Transactions
  private txnState: TxnState = 'uninitialized';
  private readonly txnPartitions = new Set<string>();
  private txnPendingAdd = new Map<string, TP>();
  private txnAddInFlight = false;
  private txnError: KafkaJSError | null = null;
  private readonly txnWaiters: (() => void)[] = [];

  constructor(
    private readonly runtime: KafkaClientRuntime,
    input: ProducerConfigInput = {},
  ) {
    const { createPartitioner, ...rest } = input;
    this.config = resolveConfig(PRODUCER_CONFIG, rest, 'producer config');
    if (createPartitioner !== undefined && typeof createPartitioner !== 'function') {
      throw new KafkaConfigError('producer config: "createPartitioner" must be a function returning the partitioner, like KafkaJS: createPartitioner: () => ({ topic, partitionMetadata, message }) => 0');
    }
    this.clientId = this.config['client.id'] ?? runtime.node.name;
    const c = this.config;
    if (c['delivery.timeout.ms'] < c['linger.ms'] + c['request.timeout.ms']) {
      throw new KafkaConfigError(`producer config: "delivery.timeout.ms" should be equal to or larger than linger.ms + request.timeout.ms (${c['delivery.timeout.ms']} < ${c['linger.ms']} + ${c['request.timeout.ms']})`);
    }
    const explicit = Object.prototype.hasOwnProperty.call(rest, 'enable.idempotence');
    this.transactionalId = c['transactional.id'];
    let idempotent = c['enable.idempotence'];
    const incompatible = c.acks !== -1 || c.retries === 0 || c['max.in.flight.requests.per.connection'] > 5;
    if (incompatible && (explicit || this.transactionalId !== null) && idempotent) {
      const why = c.acks !== -1 ? 'Must set acks to all in order to use the idempotent producer' : c.retries === 0 ? 'Must set retries to non-zero when using the idempotent producer' : 'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer';
      throw new KafkaConfigError(`producer config: ${why}`);
    }
    // As in Kafka 3.x: idempotence is on by default, and quietly off when the other settings conflict.
    if (incompatible && !explicit) idempotent = false;
    if (this.transactionalId !== null && !idempotent) throw new KafkaConfigError('producer config: transactional.id requires enable.idempotence=true');
    this.idempotent = idempotent;
    this.ratio = COMPRESSION_RATIO[c['compression.type']];
    this.batchSize = c['batch.size'];
    this.lingerUs = c['linger.ms'] * 1000;
    this.maxRequestSize = c['max.request.size'];
    this.ignoreKeys = c['partitioner.ignore.keys'];
    runtime.requestTimeoutMs = c['request.timeout.ms'];
    runtime.refreshMetadataEvery(c['metadata.max.age.ms']);
    if (createPartitioner !== undefined) {
      // KafkaJS passes a factory, () => partitioner; a function that takes the arguments itself
      // ({ topic, partitionMetadata, message }) => partition is accepted as the partitioner.
      const fn = (createPartitioner as (...a: unknown[]) => unknown).length >= 1 ? createPartitioner : (createPartitioner as () => unknown)();
      if (typeof fn !== 'function') throw new KafkaConfigError('producer config: createPartitioner() must return a function ({ topic, partitionMetadata, message }) => partition');
      this.partitionerFn = fn as Partitioner;
    }
  }

  get node(): string {
    return this.runtime.node.name;
  }

  /** Whether the producer uses producer ids and sequence numbers. */
  get isIdempotent(): boolean {
    return this.idempotent;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Fetches a producer id (idempotent or transactional producers); resolves when ready. */
  connect(): SimPromise<void> {
    this.runtime.assertAlive('producer.connect');
    if (this.connected) return SimPromise.resolved<void>(undefined);
    if (this.connecting !== null) return this.connecting;
    const p = new SimPromise<void>();
    this.connecting = p;
    const ready = (): void => {
      this.connected = true;
      this.connecting = null;
      if (this.transactionalId !== null) this.txnState = 'ready';
      p.resolve();
      this.scheduleDrain(this.runtime.node.nowUs);
    };
    if (!this.idempotent) {
      this.runtime.metadata.refresh([], ready);
      return p;
    }
    this.initProducerId((error) => {
      if (error === null) ready();
      else {
        this.connecting = null;
        p.reject(error);
      }
    });
    return p;
  }

  /** Waits for every record sent so far to be acknowledged (or to fail), then stops. */
  disconnect(): SimPromise<void> {
    const p = new SimPromise<void>();
    const check = (): void => {
      if (!this.runtime.alive) return;
      if (this.pendingCount() === 0) {
        this.connected = false;
        p.resolve();
      } else this.runtime.after(10, check);
    };
    this.scheduleDrain(this.runtime.node.nowUs);
    check();
    return p;
  }

  private initProducerId(done: (error: KafkaJSError | null) => void): void {
    const rt = this.runtime;
    const deadlineUs = rt.node.nowUs + 60_000_000;
    if (this.transactionalId === null) {
      const attempt = (): void => {
        const brokers = rt.metadata.brokers;
        const broker = brokers[rt.node.rng.int(0, brokers.length - 1)]!;
        const req = { type: 'InitProducerId' as const, cid: rt.rpc.nextCid(), transactionalId: null, transactionTimeoutMs: this.config['transaction.timeout.ms'] };
        rt.rpc.call(broker, req, { type: 'InitProducerId' }, this.config['request.timeout.ms'], (resp) => {
          if (resp !== null && resp.error === 'NONE') {
            this.producerId = resp.producerId;
            this.producerEpoch = resp.producerEpoch;
            return done(null);
          }
          if (rt.node.nowUs > deadlineUs) return done(new KafkaJSError('could not get a producer id within 60000 ms', { retriable: true }));
          rt.metadata.refresh([]);
          rt.after(this.config['retry.backoff.ms'], attempt);
        });
      };
      return attempt();
    }
    const txnId = this.transactionalId;
    rt.coordinatorCall(
      txnId,
      'transaction',
      () => ({ type: 'InitProducerId' as const, cid: rt.rpc.nextCid(), transactionalId: txnId, transactionTimeoutMs: this.config['transaction.timeout.ms'] }),
      { type: 'InitProducerId', transactionalId: txnId },
      this.config['request.timeout.ms'],
      (resp) => resp.error === 'CONCURRENT_TRANSACTIONS',
      (resp) => {
        if (resp === null) return done(new KafkaJSError('InitProducerId timed out', { retriable: true, type: 'REQUEST_TIMED_OUT' }));
        if (resp.error !== 'NONE') return done(new KafkaJSError(`InitProducerId failed: ${resp.error}`, { type: resp.error }));
        this.producerId = resp.producerId;
        this.producerEpoch = resp.producerEpoch;
        this.runtime.node.record(KafkaKinds.txn, { client: this.clientId, transactionalId: txnId, producerId: resp.producerId, epoch: resp.producerEpoch, state: 'initialized' });
        done(null);
      },
      deadlineUs,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** KafkaJS `producer.send`: resolves with one RecordMetadata per topic-partition once acknowledged. */
  send(record: ProducerRecord): SimPromise<RecordMetadata[]> {
    if (this.transactionalId !== null) {
      return SimPromise.rejected(new KafkaJSError('a transactional producer sends inside a transaction: const txn = await producer.transaction(); await txn.send(...)'));
    }
    return this.sendBatch({ topicMessages: [{ topic: record.topic, messages: record.messages }], acks: record.acks, timeout: record.timeout });
  }

  /** KafkaJS `producer.sendBatch`. */
  sendBatch(batch: { topicMessages: { topic: string; messages: Message[] }[]; acks?: -1 | 0 | 1; timeout?: number }, transactional = false): SimPromise<RecordMetadata[]> {
    this.runtime.assertAlive('producer.send');
    const promise = new SimPromise<RecordMetadata[]>();
    if (!this.connected) {
      promise.reject(new KafkaJSError('the producer is not connected: call await producer.connect() first'));
      return promise;
    }
    if (this.txnState === 'fatal') {
      promise.reject(this.txnError ?? new KafkaJSError('the producer was fenced'));
      return promise;
    }
    const acks = batch.acks ?? this.config.acks;
    if (this.idempotent && acks !== -1) {
      promise.reject(new KafkaJSError('an idempotent producer needs acks=-1 (all)'));
      return promise;
    }
    const call: SendCall = { promise, remaining: 0, results: new Map(), settled: false };
    const timeoutMs = batch.timeout ?? this.config['request.timeout.ms'];
    const nowUs = this.runtime.node.nowUs;
    const deadlineUs = nowUs + this.config['delivery.timeout.ms'] * 1000;
    for (const tm of batch.topicMessages) {
      if (typeof tm.topic !== 'string' || tm.topic.length === 0) {
        promise.reject(new KafkaJSError('send needs a topic: producer.send({ topic: "orders", messages: [{ value: "…" }] })'));
        return promise;
      }
      if (!Array.isArray(tm.messages)) {
        promise.reject(new KafkaJSError(`send to "${tm.topic}" needs messages: an array like [{ key: "k", value: "v" }]`));
        return promise;
      }
      for (const m of tm.messages) {
        const problem = messageProblem(m);
        if (problem !== undefined) {
          promise.reject(new KafkaJSError(`invalid message for topic "${tm.topic}": ${problem}`));
          return promise;
        }
        call.remaining++;
      }
    }
    if (call.remaining === 0) {
      promise.resolve([]);
      return promise;
    }
    const timestampMs = Math.floor(this.runtime.node.clock.readUs(nowUs) / 1000);
    const opts: SendOptions = { acks, timeoutMs, transactional, deadlineUs, timestampMs };
    for (const tm of batch.topicMessages) {
      const ts = this.topicState(tm.topic);
      for (const m of tm.messages) {
        if (ts !== undefined) {
          this.append(ts, m, call, opts);
          continue;
        }
        let list = this.awaitingMetadata.get(tm.topic);
        if (list === undefined) {
          this.awaitingMetadata.set(tm.topic, (list = []));
          this.waitForTopic(tm.topic);
        }
        list.push({ message: m, call, opts });
      }
    }
    return promise;
  }

  private waitForTopic(topic: string): void {
    this.runtime.awaitTopics([topic], this.config['delivery.timeout.ms']).onSettled((p) => {
      const list = this.awaitingMetadata.get(topic) ?? [];
      this.awaitingMetadata.delete(topic);
      if (p.state === 'rejected') {
        for (const e of list) this.failCall(e.call, p.reason as KafkaJSError);
        return;
      }
      const ts = this.topicState(topic)!;
      for (const e of list) if (!e.call.settled) this.append(ts, e.message, e.call, e.opts);
    });
  }

  /** The topic's state, or undefined while its metadata is unknown. */
  private topicState(topic: string): TopicState | undefined {
    const n = this.runtime.metadata.partitionCount(topic);
    if (n === undefined) return undefined;
    let ts = this.topics.get(topic);
    if (ts === undefined || ts.n !== n) {
      ts = { topic, n, queues: ts?.queues ?? [] };
      this.topics.set(topic, ts);
    }
    return ts;
  }

  private choosePartition(ts: TopicState, message: Message): number {
    if (message.partition !== undefined) return message.partition;
    const n = ts.n;
    if (this.partitionerFn !== undefined) {
      const partitionMetadata = [];
      for (let i = 0; i < n; i++) partitionMetadata.push({ partitionId: i, leader: this.runtime.metadata.partition(ts.topic, i)?.leader ?? null });
      return this.partitionerFn({ topic: ts.topic, partitionMetadata, message });
    }
    const key = message.key ?? null;
    // Kafka's BuiltInPartitioner.partitionForKey: toPositive(murmur2(keyBytes)) % numPartitions.
    if (key !== null && !this.ignoreKeys) return toPositive(murmur2String(key)) % n;
    let s = this.sticky.get(ts.topic);
    if (s === undefined) {
      const rng = this.runtime.node.rng.fork(`sticky:${ts.topic}`);
      s = new StickyPartitioner({ batchSizeBytes: Math.max(1, this.batchSize), random: () => rng.next() });
      this.sticky.set(ts.topic, s);
    }
    return s.currentPartition(n);
  }

  private append(ts: TopicState, m: Message, call: SendCall, e: SendOptions): void {
    const topic = ts.topic;
    const n = ts.n;
    let partition: number;
    try {
      partition = this.choosePartition(ts, m);
    } catch (err) {
      return this.failCall(call, new KafkaJSError(`the custom partitioner threw for topic "${topic}": ${(err as Error).message}`));
    }
    if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
      return this.failCall(call, new KafkaJSError(`partition ${String(partition)} chosen for topic "${topic}" is not one of its partitions 0..${n - 1}`));
    }
    const nowUs = this.runtime.node.nowUs;
    // The record is built in the log's own shape (offset -1 until a leader assigns one), so the
    // leader can store this very object instead of copying it (see PartitionLog.append).
    const record: LogRecord = {
      key: m.key ?? null,
      value: m.value,
      timestampMs: m.timestamp !== undefined ? Number(m.timestamp) : e.timestampMs,
      headers: m.headers === undefined ? undefined : Object.entries(m.headers).map(([key, value]): RecordHeader => ({ key, value })),
      producerId: undefined,
      producerEpoch: undefined,
      sequence: undefined,
      isTransactional: undefined,
      control: undefined,
      leaderEpoch: undefined,
      offset: -1,
      sizeBytes: 0,
      deleteHorizonMs: undefined,
    };
    const size = recordSizeBytes(record);
    (record as { sizeBytes: number }).sizeBytes = size;
    if (size > this.maxRequestSize) {
      return this.failCall(call, new KafkaJSError(`The message is ${size} bytes when serialized which is larger than ${this.maxRequestSize}, which is the value of the max.request.size configuration.`, { type: 'MESSAGE_TOO_LARGE' }));
    }
    let q = ts.queues[partition];
    if (q === undefined) {
      const key = tpKey(topic, partition);
      q = this.queues.get(key) ?? { topic, partition, key, batches: [], nextSequence: 0, inFlight: 0 };
      ts.queues[partition] = q;
      this.queues.set(key, q);
    }
    const key = q.key;
    const bytes = size * this.ratio;
    const batchSize = this.batchSize;
    let b = q.batches[q.batches.length - 1];
    let opened = false;
    if (b === undefined || b.closed || b.attempts > 0 || b.acks !== e.acks || b.transactional !== e.transactional || (b.records.length > 0 && b.bytes + bytes > batchSize)) {
      if (b !== undefined) b.closed = true;
      opened = true;
      b = { topic, partition, key, records: [], calls: [], counts: [], bytes: 0, createdUs: nowUs, deadlineUs: e.deadlineUs, acks: e.acks, timeoutMs: e.timeoutMs, transactional: e.transactional, attempts: 0, retryAtUs: 0, baseSequence: -1, producerId: -1, producerEpoch: -1, closed: false };
      q.batches.push(b);
    }
    b.records.push(record);
    const runs = b.calls.length;
    if (runs > 0 && b.calls[runs - 1] === call) b.counts[runs - 1]!++;
    else {
      b.calls.push(call);
      b.counts.push(1);
    }
    b.bytes += bytes;
    if (m.key == null && m.partition === undefined && this.partitionerFn === undefined) this.sticky.get(topic)?.onAppend(size, n);
    if (e.transactional && !this.txnPartitions.has(key) && !this.txnPendingAdd.has(key)) this.txnPendingAdd.set(key, { topic, partition });
    const full = b.bytes >= batchSize;
    if (full) b.closed = true;
    // A batch that was already open has its drain scheduled (at its linger time) already.
    if (full || opened) this.scheduleDrain(full ? nowUs : b.createdUs + this.lingerUs);
  }

  private scheduleDrain(atUs: number): void {
    const node = this.runtime.node;
    const at = Math.max(atUs, node.nowUs);
    if (this.drainTimer !== null && this.drainAtUs <= at) return;
    if (this.drainTimer !== null) node.cancelTimer(this.drainTimer);
    this.drainAtUs = at;
    this.drainTimer = node.setTimer(at - node.nowUs, this.onDrainTimer);
  }

  /** The drain timer's callback, made once rather than per scheduling. */
  private readonly onDrainTimer = (): void => {
    this.drainTimer = null;
    this.drainAtUs = Infinity;
    this.drain();
  };

  /**
   * The sender: sends every ready batch, one request per leader broker with at most one batch per
   * partition, in rounds until nothing more may go (in-flight limits, linger, retry backoff).
   */
  private drain(): void {
    if (!this.runtime.alive || !this.connected || this.resetting) return;
    const now = this.runtime.node.nowUs;
    if (this.txnPendingAdd.size > 0) this.addPartitionsToTxn();
    let nextUs = Infinity;
    let needMetadata = false;
    for (let round = 0; round < 1000; round++) {
      const r = this.drainRound(now);
      nextUs = Math.min(nextUs, r.nextUs);
      needMetadata ||= r.needMetadata;
      if (!r.sent) break;
    }
    if (needMetadata) this.runtime.metadata.refresh([], () => this.scheduleDrain(this.runtime.node.nowUs + this.config['retry.backoff.ms'] * 1000));
    if (nextUs !== Infinity) this.scheduleDrain(nextUs);
  }

  /**
   * One round of Kafka's `RecordAccumulator.ready` + `drain`: a leader is ready when the first
   * batch of any of its partitions is full, has lingered long enough, or is a retry whose backoff
   * passed; then the first batch of every partition it leads goes into one request, ready or not.
   */
  private drainRound(now: number): { sent: boolean; nextUs: number; needMetadata: boolean } {
    const lingerUs = this.config['linger.ms'] * 1000;
    const maxInFlight = this.config['max.in.flight.requests.per.connection'];
    let nextUs = Infinity;
    let needMetadata = false;
    const candidates = new Map<string, { q: PartitionQueue; b: Batch; ready: boolean }[]>();
    for (const q of this.queues.values()) {
      // Expire batches that waited past delivery.timeout.ms without being sent.
      while (q.batches.length > 0 && q.batches[0]!.deadlineUs <= now) {
        const b = q.batches.shift()!;
        this.failBatch(b, new KafkaJSError(`Expiring ${b.records.length} record(s) for ${b.topic}-${b.partition}: ${this.config['delivery.timeout.ms']} ms has passed since batch creation`, { retriable: true, type: 'REQUEST_TIMED_OUT' }), 'REQUEST_TIMED_OUT');
      }
      const b = q.batches[0];
      if (b === undefined) continue;
      nextUs = Math.min(nextUs, b.deadlineUs);
      if (b.attempts > 0 && b.retryAtUs > now) {
        nextUs = Math.min(nextUs, b.retryAtUs);
        continue;
      }
      // A retried batch of an idempotent producer goes alone, so sequence numbers stay in order.
      if (this.idempotent && q.inFlight > 0 && hasRetry(q)) continue;
      if (b.transactional && !this.txnPartitions.has(b.key)) continue;
      const leader = this.runtime.metadata.partition(b.topic, b.partition)?.leader ?? null;
      if (leader === null) {
        needMetadata = true;
        continue;
      }
      const readyUs = b.attempts > 0 || b.closed || this.flushing ? now : b.createdUs + lingerUs;
      const ready = readyUs <= now;
      if (!ready) nextUs = Math.min(nextUs, readyUs);
      let list = candidates.get(leader);
      if (list === undefined) candidates.set(leader, (list = []));
      list.push({ q, b, ready });
    }
    let sent = false;
    for (const [leader, list] of candidates) {
      if (!list.some((c) => c.ready)) continue;
      if ((this.inFlightPerBroker.get(leader) ?? 0) >= maxInFlight) continue;
      const batches: Batch[] = [];
      for (const { q, b } of list) {
        q.batches.shift();
        b.closed = true;
        q.inFlight++;
        batches.push(b);
      }
      this.sendRequest(leader, batches);
      sent = true;
    }
    return { sent, nextUs, needMetadata };
  }

  private flushing = false;

  private sendRequest(leader: string, batches: Batch[]): void {
    const rt = this.runtime;
    this.inFlightPerBroker.set(leader, (this.inFlightPerBroker.get(leader) ?? 0) + 1);
    const wire: ProduceBatch[] = [];
    let records = 0;
    for (const b of batches) {
      const q = this.queues.get(b.key)!;
      if (this.idempotent && b.baseSequence < 0) {
        b.baseSequence = q.nextSequence;
        b.producerId = this.producerId;
        b.producerEpoch = this.producerEpoch;
        q.nextSequence += b.records.length;
        for (let i = 0; i < b.records.length; i++) {
          const r = b.records[i]!;
          r.producerId = b.producerId;
          r.producerEpoch = b.producerEpoch;
          r.sequence = b.baseSequence + i;
          if (b.transactional) r.isTransactional = true;
        }
      }
      if (b.attempts === 0 && b.records.length > 0) {
        // KIP-480: once a sticky partition's batch is sent, keyless records move to another partition.
        const n = rt.metadata.partitionCount(b.topic);
        if (n !== undefined) this.sticky.get(b.topic)?.onBatchCompleted(b.partition, n);
      }
      records += b.records.length;
      wire.push({ topic: b.topic, partition: b.partition, records: b.records, producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence, isTransactional: b.transactional, sizeBytes: Math.ceil(b.bytes) });
    }
    const acks = batches[0]!.acks;
    const req = { type: 'Produce' as const, cid: rt.rpc.nextCid(), acks, timeoutMs: batches[0]!.timeoutMs, transactionalId: this.transactionalId, batches: wire };
    const label = wire.length === 1 ? { type: 'Produce', topic: wire[0]!.topic, partition: wire[0]!.partition, records } : { type: 'Produce', batches: wire.length, records };
    if (acks === 0) {
      rt.rpc.call(leader, req, label, 0);
      this.inFlightPerBroker.set(leader, this.inFlightPerBroker.get(leader)! - 1);
      for (const b of batches) {
        this.queues.get(b.key)!.inFlight--;
        this.completeBatch(b, -1, -1);
      }
      return;
    }
    rt.rpc.call(leader, req, label, this.config['request.timeout.ms'], (resp) => this.onResponse(leader, batches, resp === null ? null : resp.results));
  }

  private onResponse(leader: string, batches: Batch[], results: ProducePartitionResult[] | null): void {
    const rt = this.runtime;
    this.inFlightPerBroker.set(leader, this.inFlightPerBroker.get(leader)! - 1);
    let refresh = false;
    const now = rt.node.nowUs;
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i]!;
      const q = this.queues.get(b.key)!;
      q.inFlight--;
      const res = results?.[i];
      const error: ErrorCode = res === undefined ? 'REQUEST_TIMED_OUT' : res.error;
      if (error === 'NONE') {
        this.completeBatch(b, res!.baseOffset, res!.logStartOffset);
        continue;
      }
      if (this.transactionalId !== null && (error === 'INVALID_PRODUCER_EPOCH' || error === 'PRODUCER_FENCED')) {
        this.txnState = 'fatal';
        this.txnError = new KafkaJSError(`the producer was fenced by a newer instance with transactional.id "${this.transactionalId}"`, { type: error, name: 'KafkaJSProducerFenced' });
        this.failBatch(b, this.txnError, error);
        continue;
      }
      const retriable = RETRIABLE.has(error) || (this.idempotent && error === 'OUT_OF_ORDER_SEQUENCE_NUMBER');
      if (retriable && b.attempts < this.config.retries && now < b.deadlineUs && this.txnState !== 'aborting') {
        b.attempts++;
        b.retryAtUs = now + this.config['retry.backoff.ms'] * 1000;
        rt.node.record(KafkaKinds.produceRetry, { topic: b.topic, partition: b.partition, count: b.records.length, error, attempt: b.attempts });
        if (NEEDS_METADATA.has(error) || res === undefined) refresh = true;
        this.requeue(q, b);
        continue;
      }
      const message = res?.message ?? (res === undefined ? `Request timed out after ${this.config['request.timeout.ms']} ms` : error);
      this.failBatch(b, new KafkaJSError(`${error}: ${message}`, { retriable: RETRIABLE.has(error), type: error }), error);
      if (this.idempotent && this.transactionalId === null && b.baseSequence >= 0) this.resetProducerId();
    }
    if (refresh) rt.metadata.refresh([], () => this.scheduleDrain(rt.node.nowUs));
    this.scheduleDrain(now);
    this.notifyTxnWaiters();
  }

  /** Puts a failed batch back in front of its partition's queue (in sequence order when idempotent). */
  private requeue(q: PartitionQueue, b: Batch): void {
    if (!this.idempotent) {
      q.batches.unshift(b);
      return;
    }
    let i = 0;
    while (i < q.batches.length && q.batches[i]!.baseSequence >= 0 && q.batches[i]!.baseSequence < b.baseSequence) i++;
    q.batches.splice(i, 0, b);
  }

  /**
   * After an idempotent batch failed for good, later sequence numbers can never be accepted: like
   * the Java client (KIP-360) the producer starts over with a fresh producer id once nothing is
   * in flight, renumbering the batches still queued.
   */
  private resetProducerId(): void {
    if (this.resetting) return;
    this.resetting = true;
    const rt = this.runtime;
    const waitIdle = (): void => {
      if (!rt.alive) return;
      let inFlight = 0;
      for (const q of this.queues.values()) inFlight += q.inFlight;
      if (inFlight > 0) return rt.after(this.config['retry.backoff.ms'], waitIdle);
      this.initProducerId((error) => {
        this.resetting = false;
        if (error !== null) return rt.after(this.config['retry.backoff.ms'], () => this.resetProducerId());
        for (const q of this.queues.values()) {
          q.nextSequence = 0;
          for (const b of q.batches) b.baseSequence = -1;
        }
        this.scheduleDrain(rt.node.nowUs);
      });
    };
    waitIdle();
  }

  private completeBatch(b: Batch, baseOffset: number, logStartOffset: number): void {
    const node = this.runtime.node;
    if (baseOffset >= 0) node.record(KafkaKinds.produceAck, { topic: b.topic, partition: b.partition, baseOffset, count: b.records.length });
    let offset = baseOffset;
    for (let i = 0; i < b.calls.length; i++) {
      const call = b.calls[i]!;
      const count = b.counts[i]!;
      if (!call.settled) {
        // KafkaJS reports, per topic-partition, the offset of the call's first record there.
        if (!call.results.has(b.key)) {
          call.results.set(b.key, { topicName: b.topic, partition: b.partition, errorCode: 0, baseOffset: String(baseOffset < 0 ? -1 : offset), logAppendTime: '-1', logStartOffset: String(logStartOffset) });
        }
        call.remaining -= count;
        if (call.remaining === 0) {
          call.settled = true;
          call.promise.resolve([...call.results.values()]);
        }
      }
      if (baseOffset >= 0) offset += count;
    }
  }

  private failBatch(b: Batch, error: KafkaJSError, code: ErrorCode): void {
    this.runtime.node.record(KafkaKinds.produceError, { topic: b.topic, partition: b.partition, count: b.records.length, error: code });
    if (b.transactional && this.txnState === 'in-transaction') this.txnError = error;
    for (const call of b.calls) this.failCall(call, error);
  }

  private failCall(call: SendCall, error: KafkaJSError): void {
    if (call.settled) return;
    call.settled = true;
    call.promise.reject(error);
  }

  /** Records handed to send() and not yet acknowledged or failed. */
  private pendingCount(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.inFlight + q.batches.length;
    for (const list of this.awaitingMetadata.values()) n += list.length;
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Transactions

  /** KafkaJS `producer.transaction()`: begins a transaction (the producer must be transactional and connected). */
  transaction(): SimPromise<Transaction> {
    this.runtime.assertAlive('producer.transaction');
    if (this.transactionalId === null) return SimPromise.rejected(new KafkaJSError('transaction() needs a transactional producer: kafka.producer({ "transactional.id": "my-app-1" })'));
    if (!this.connected) return SimPromise.rejected(new KafkaJSError('the producer is not connected: call await producer.connect() first'));
    if (this.txnState === 'fatal') return SimPromise.rejected(this.txnError);
    if (this.txnState !== 'ready') return SimPromise.rejected(new KafkaJSError(`cannot begin a transaction while one is ${this.txnState}: commit or abort it first`, { type: 'INVALID_TXN_STATE' }));
    this.txnState = 'in-transaction';
    this.txnError = null;
    this.txnPartitions.clear();
    this.txnPendingAdd.clear();
    let active = true;
    const txn: Transaction = {
      send: (record) => (active ? this.sendBatch({ topicMessages: [{ topic: record.topic, messages: record.messages }], acks: record.acks, timeout: record.timeout }, true) : SimPromise.rejected(new KafkaJSError('this transaction has ended'))),
      sendBatch: (batch) => (active ? this.sendBatch(batch, true) : SimPromise.rejected(new KafkaJSError('this transaction has ended'))),
      sendOffsets: (args) => (active ? this.sendOffsets(args) : SimPromise.rejected(new KafkaJSError('this transaction has ended'))),
      commit: () => {
        if (!active) return SimPromise.rejected(new KafkaJSError('this transaction has ended'));
        active = false;
        return this.endTransaction(true);
      },
      abort: () => {
        if (!active) return SimPromise.rejected(new KafkaJSError('this transaction has ended'));
        active = false;
        return this.endTransaction(false);
      },
      isActive: () => active,
    };
    return SimPromise.resolved(txn);
  }

  private addPartitionsToTxn(): void {
    if (this.txnAddInFlight || this.txnPendingAdd.size === 0 || this.transactionalId === null) return;
    const rt = this.runtime;
    const partitions = [...this.txnPendingAdd.values()];
    this.txnAddInFlight = true;
    const txnId = this.transactionalId;
    rt.coordinatorCall(
      txnId,
      'transaction',
      () => ({ type: 'AddPartitionsToTxn' as const, cid: rt.rpc.nextCid(), transactionalId: txnId, producerId: this.producerId, producerEpoch: this.producerEpoch, partitions }),
      { type: 'AddPartitionsToTxn', partitions: partitions.length },
      this.config['request.timeout.ms'],
      (resp) => resp.error === 'CONCURRENT_TRANSACTIONS',
      (resp) => {
        this.txnAddInFlight = false;
        if (resp !== null && resp.error === 'NONE') {
          for (const p of partitions) {
            const k = tpKey(p.topic, p.partition);
            this.txnPartitions.add(k);
            this.txnPendingAdd.delete(k);
          }
        } else if (resp !== null && (resp.error === 'PRODUCER_FENCED' || resp.error === 'INVALID_PRODUCER_EPOCH' || resp.error === 'INVALID_PRODUCER_ID_MAPPING')) {
          this.txnState = 'fatal';
          this.txnError = new KafkaJSError(`the producer was fenced by a newer instance with transactional.id "${txnId}"`, { type: resp.error, name: 'KafkaJSProducerFenced' });
          for (const q of this.queues.values()) for (const b of q.batches.splice(0)) this.failBatch(b, this.txnError, resp.error);
        }
        this.scheduleDrain(rt.node.nowUs + (resp === null ? this.config['retry.backoff.ms'] * 1000 : 0));
      },
    );
  }

  private sendOffsets(args: { consumerGroupId: string; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): SimPromise<void> {
    const p = new SimPromise<void>();
    const rt = this.runtime;
    const txnId = this.transactionalId!;
    const groupId = args.consumerGroupId;
    const offsets = args.topics.flatMap((t) => t.partitions.map((x) => ({ topic: t.topic, partition: x.partition, offset: Number(x.offset), metadata: null })));
    rt.coordinatorCall(
      txnId,
      'transaction',
      () => ({ type: 'AddOffsetsToTxn' as const, cid: rt.rpc.nextCid(), transactionalId: txnId, producerId: this.producerId, producerEpoch: this.producerEpoch, groupId }),
      { type: 'AddOffsetsToTxn', group: groupId },
      this.config['request.timeout.ms'],
      (resp) => resp.error === 'CONCURRENT_TRANSACTIONS',
      (resp) => {
        if (resp === null || resp.error !== 'NONE') return p.reject(new KafkaJSError(`AddOffsetsToTxn failed: ${resp?.error ?? 'timed out'}`, { type: resp?.error ?? 'REQUEST_TIMED_OUT' }));
        rt.coordinatorCall(
          groupId,
          'group',
          () => ({ type: 'TxnOffsetCommit' as const, cid: rt.rpc.nextCid(), transactionalId: txnId, groupId, producerId: this.producerId, producerEpoch: this.producerEpoch, offsets }),
          { type: 'TxnOffsetCommit', group: groupId, offsets: offsets.length },
          this.config['request.timeout.ms'],
          () => false,
          (r2) => (r2 !== null && r2.error === 'NONE' ? p.resolve() : p.reject(new KafkaJSError(`TxnOffsetCommit failed: ${r2?.error ?? 'timed out'}`, { type: r2?.error ?? 'REQUEST_TIMED_OUT' }))),
        );
      },
    );
    return p;
  }

  private notifyTxnWaiters(): void {
    const waiters = this.txnWaiters.splice(0);
    for (const w of waiters) w();
  }

  /** Commit: wait for every batch of the transaction, then EndTxn(commit). Abort: drop unsent batches, wait for in-flight ones, EndTxn(abort). */
  private endTransaction(commit: boolean): SimPromise<void> {
    const p = new SimPromise<void>();
    const rt = this.runtime;
    this.txnState = commit ? 'committing' : 'aborting';
    if (!commit) {
      for (const q of this.queues.values()) {
        for (const b of q.batches.splice(0)) this.failBatch(b, new KafkaJSError('the transaction was aborted'), 'INVALID_TXN_STATE');
      }
      for (const [topic, list] of this.awaitingMetadata) {
        for (const e of list) this.failCall(e.call, new KafkaJSError('the transaction was aborted'));
        this.awaitingMetadata.delete(topic);
      }
    }
    const txnId = this.transactionalId!;
    const finish = (): void => {
      if (this.pendingCount() > 0 || this.txnAddInFlight) {
        this.flushing = true;
        this.scheduleDrain(rt.node.nowUs);
        this.txnWaiters.push(finish);
        rt.after(10, () => this.notifyTxnWaiters());
        return;
      }
      this.flushing = false;
      if (this.txnState === 'fatal') return p.reject(this.txnError);
      if (commit && this.txnError !== null) {
        this.txnState = 'in-transaction';
        return p.reject(new KafkaJSError(`cannot commit: a send in this transaction failed (${this.txnError.message}); abort the transaction`, { type: 'INVALID_TXN_STATE' }));
      }
      if (this.txnPartitions.size === 0) {
        this.txnState = 'ready';
        return p.resolve();
      }
      rt.coordinatorCall(
        txnId,
        'transaction',
        () => ({ type: 'EndTxn' as const, cid: rt.rpc.nextCid(), transactionalId: txnId, producerId: this.producerId, producerEpoch: this.producerEpoch, commit }),
        { type: 'EndTxn', commit },
        this.config['request.timeout.ms'],
        (resp) => resp.error === 'CONCURRENT_TRANSACTIONS',
        (resp) => {
          if (resp !== null && resp.error === 'NONE') {
            this.txnState = 'ready';
            this.txnPartitions.clear();
            return p.resolve();
          }
          const error = resp?.error ?? 'REQUEST_TIMED_OUT';
          if (error === 'PRODUCER_FENCED' || error === 'INVALID_PRODUCER_EPOCH' || error === 'INVALID_PRODUCER_ID_MAPPING') {
            this.txnState = 'fatal';
            this.txnError = new KafkaJSError(`the producer was fenced by a newer instance with transactional.id "${txnId}"`, { type: error, name: 'KafkaJSProducerFenced' });
            return p.reject(this.txnError);
          }
          this.txnState = 'in-transaction';
          p.reject(new KafkaJSError(`EndTxn failed: ${error}`, { type: error, retriable: true }));
        },
      );
    };
    finish();
    return p;
  }
}

/** Whether any batch of the partition is a retry (a retry of an idempotent producer goes alone). */
function hasRetry(q: PartitionQueue): boolean {
  const batches = q.batches;
  for (let i = 0; i < batches.length; i++) if (batches[i]!.attempts > 0) return true;
  return false;
}

function messageProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'each message is an object like { key: "k", value: "v" }';
  const msg = m as Record<string, unknown>;
  if (!('value' in msg)) return 'a message needs a value (a string, or null for a tombstone)';
  if (msg.value !== null && typeof msg.value !== 'string') return `value must be a string or null, got ${typeof msg.value}`;
  if (msg.key !== undefined && msg.key !== null && typeof msg.key !== 'string') return `key must be a string or null, got ${typeof msg.key}`;
  if (msg.partition !== undefined && (!Number.isInteger(msg.partition) || (msg.partition as number) < 0)) return `partition must be a non-negative integer, got ${String(msg.partition)}`;
  if (msg.timestamp !== undefined && !(typeof msg.timestamp === 'string' && /^\d+$/.test(msg.timestamp))) return 'timestamp must be milliseconds as a string, like "1700000000000"';
  if (msg.headers !== undefined && (typeof msg.headers !== 'object' || msg.headers === null || Object.values(msg.headers).some((v) => typeof v !== 'string'))) return 'headers must be an object of strings';
  return undefined;
}
