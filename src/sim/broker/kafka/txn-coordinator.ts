/**
 * The transaction coordinator, hosted by the leader of the `__transaction_state` partition that
 * owns a transactional id. It follows Kafka's `TransactionCoordinator` (KIP-98,
 * https://kafka.apache.org/documentation/#semantics):
 *
 * - InitProducerId gives a transactional producer its id and a new epoch, fencing older instances
 *   (an open transaction of the old instance is aborted first);
 * - AddPartitionsToTxn / AddOffsetsToTxn record which partitions the transaction touches;
 * - EndTxn writes PrepareCommit (or PrepareAbort) to the transaction log, answers, then writes a
 *   commit (abort) marker to every partition of the transaction and finally CompleteCommit;
 * - a transaction open longer than its `transaction.timeout.ms` is aborted, with an epoch bump.
 *
 * Producer ids for idempotent (non-transactional) producers are handed out by any broker.
 */

import type { KafkaBroker } from './broker.ts';
import { KafkaKinds } from './kinds.ts';
import {
  CONSUMER_OFFSETS,
  tpKey,
  type AddOffsetsToTxnRequest,
  type AddPartitionsToTxnRequest,
  type EndTxnRequest,
  type ErrorCode,
  type InitProducerIdRequest,
  type KafkaRequest,
  type TP,
} from './protocol.ts';
import type { Replica } from './replica.ts';

export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

export interface TxnMetadata {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: TP[];
  startUs: number;
  /** A state write to the transaction log is in flight. */
  writing: boolean;
}

interface OwnedPartition {
  replica: Replica;
  txns: Map<string, TxnMetadata>;
}

const MARKER_RETRY_MS = 100;

export class TxnCoordinator {
  private readonly owned = new Map<number, OwnedPartition>();

  constructor(private readonly broker: KafkaBroker) {
    const interval = broker.ctx.config['transaction.abort.timed.out.transaction.cleanup.interval.ms'];
    const tick = (): void => {
      this.abortTimedOut();
      broker.node.setTimer(interval * 1000, tick);
    };
    broker.node.setTimer(interval * 1000, tick);
  }

  /** Transactions this broker coordinates now (for inspectors). */
  transactions(): TxnMetadata[] {
    const out: TxnMetadata[] = [];
    for (const o of this.owned.values()) for (const t of o.txns.values()) out.push(t);
    return out;
  }

  onElected(partition: number, replica: Replica): void {
    const o: OwnedPartition = { replica, txns: new Map() };
    this.owned.set(partition, o);
    const all = replica.log.read(replica.log.logStartOffset, Number.MAX_SAFE_INTEGER);
    if (all.kind !== 'records') return;
    for (const rec of all.records) {
      if (rec.key === null || rec.value === null) continue;
      const t = JSON.parse(rec.value) as TxnMetadata;
      o.txns.set(t.transactionalId, { ...t, writing: false, startUs: this.broker.node.nowUs });
    }
    // Finish what the previous coordinator started.
    for (const t of o.txns.values()) {
      if (t.state === 'PrepareCommit' || t.state === 'PrepareAbort') this.writeMarkers(o, t);
    }
  }

  onResigned(partition: number): void {
    this.owned.delete(partition);
  }

  onRequest(req: KafkaRequest, from: string): void {
    switch (req.type) {
      case 'InitProducerId':
        return this.onInitProducerId(req, from);
      case 'AddPartitionsToTxn':
        return this.onAddPartitions(req, from, req.partitions);
      case 'AddOffsetsToTxn':
        return this.onAddOffsets(req, from);
      case 'EndTxn':
        return this.onEndTxn(req, from);
      default:
        return;
    }
  }

  private lookup(transactionalId: string): OwnedPartition | undefined {
    const o = this.owned.get(this.broker.coordinatorPartition(transactionalId, 'transaction'));
    return o !== undefined && o.replica.role === 'leader' ? o : undefined;
  }

  private onInitProducerId(req: InitProducerIdRequest, from: string): void {
    const reply = (error: ErrorCode, producerId = -1, producerEpoch = -1): void =>
      this.broker.rpc.reply(from, { type: 'InitProducerIdResponse', re: req.cid, error, producerId, producerEpoch }, { type: 'InitProducerIdResponse', error, producerId });
    if (req.transactionalId === null) return reply('NONE', this.broker.storage.allocateProducerId(), 0);
    const o = this.lookup(req.transactionalId);
    if (o === undefined) return reply('NOT_COORDINATOR');
    if (req.transactionTimeoutMs > this.broker.ctx.config['transaction.max.timeout.ms']) return reply('INVALID_TRANSACTION_TIMEOUT');
    let t = o.txns.get(req.transactionalId);
    if (t === undefined) {
      t = { transactionalId: req.transactionalId, producerId: this.broker.storage.allocateProducerId(), producerEpoch: 0, timeoutMs: req.transactionTimeoutMs, state: 'Empty', partitions: [], startUs: this.broker.node.nowUs, writing: false };
      o.txns.set(t.transactionalId, t);
      const created = t;
      return this.persist(o, created, (error) => (error === 'NONE' ? reply('NONE', created.producerId, created.producerEpoch) : reply(error)));
    }
    if (t.writing || t.state === 'PrepareCommit' || t.state === 'PrepareAbort') return reply('CONCURRENT_TRANSACTIONS');
    if (t.state === 'Ongoing') {
      // A new instance of the producer: fence the old one by aborting its transaction with a new epoch.
      t.producerEpoch++;
      this.end(o, t, false, 'fenced by a new producer instance');
      return reply('CONCURRENT_TRANSACTIONS');
    }
    t.producerEpoch++;
    t.timeoutMs = req.transactionTimeoutMs;
    t.state = 'Empty';
    t.partitions = [];
    const fenced = t;
    this.persist(o, t, (error) => (error === 'NONE' ? reply('NONE', fenced.producerId, fenced.producerEpoch) : reply(error)));
  }

  /** Checks a request's producer id and epoch against the transaction; returns the error, if any. */
  private check(t: TxnMetadata | undefined, producerId: number, producerEpoch: number): ErrorCode {
    if (t === undefined || t.producerId !== producerId) return 'INVALID_PRODUCER_ID_MAPPING';
    if (producerEpoch < t.producerEpoch) return 'PRODUCER_FENCED';
    if (t.writing || t.state === 'PrepareCommit' || t.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS';
    return 'NONE';
  }

  private onAddPartitions(req: AddPartitionsToTxnRequest | AddOffsetsToTxnRequest, from: string, partitions: TP[]): void {
    const replyType = req.type === 'AddPartitionsToTxn' ? ('AddPartitionsToTxnResponse' as const) : ('AddOffsetsToTxnResponse' as const);
    const reply = (error: ErrorCode): void => this.broker.rpc.reply(from, { type: replyType, re: req.cid, error }, { type: replyType, error });
    const o = this.lookup(req.transactionalId);
    if (o === undefined) return reply('NOT_COORDINATOR');
    const t = o.txns.get(req.transactionalId);
    const error = this.check(t, req.producerId, req.producerEpoch);
    if (error !== 'NONE') return reply(error);
    const txn = t!;
    const known = new Set(txn.partitions.map((p) => tpKey(p.topic, p.partition)));
    const added = partitions.filter((p) => !known.has(tpKey(p.topic, p.partition)));
    if (added.length === 0 && txn.state === 'Ongoing') return reply('NONE');
    if (txn.state !== 'Ongoing') {
      txn.state = 'Ongoing';
      txn.partitions = [];
      txn.startUs = this.broker.node.nowUs;
      this.broker.node.record(KafkaKinds.txn, { transactionalId: txn.transactionalId, producerId: txn.producerId, epoch: txn.producerEpoch, state: 'Ongoing' });
    }
    txn.partitions.push(...added.map((p) => ({ topic: p.topic, partition: p.partition })));
    this.persist(o, txn, reply);
  }

  private onAddOffsets(req: AddOffsetsToTxnRequest, from: string): void {
    const partition = this.broker.coordinatorPartition(req.groupId, 'group');
    this.onAddPartitions(req, from, [{ topic: CONSUMER_OFFSETS, partition }]);
  }

  private onEndTxn(req: EndTxnRequest, from: string): void {
    const reply = (error: ErrorCode): void => this.broker.rpc.reply(from, { type: 'EndTxnResponse', re: req.cid, error }, { type: 'EndTxnResponse', error, commit: req.commit });
    const o = this.lookup(req.transactionalId);
    if (o === undefined) return reply('NOT_COORDINATOR');
    const t = o.txns.get(req.transactionalId);
    if (t !== undefined && t.producerId === req.producerId && t.producerEpoch === req.producerEpoch && !t.writing) {
      // A retried EndTxn whose first attempt already went through.
      if ((t.state === 'CompleteCommit' || t.state === 'PrepareCommit') && req.commit) return reply('NONE');
      if ((t.state === 'CompleteAbort' || t.state === 'PrepareAbort') && !req.commit) return reply('NONE');
    }
    const error = this.check(t, req.producerId, req.producerEpoch);
    if (error !== 'NONE') return reply(error);
    if (t!.state !== 'Ongoing') return reply('INVALID_TXN_STATE');
    this.end(o, t!, req.commit, req.commit ? 'commit requested' : 'abort requested', reply);
  }

  /** PrepareCommit/PrepareAbort, then markers, then Complete*. `reply` runs once the prepare state is durable. */
  private end(o: OwnedPartition, t: TxnMetadata, commit: boolean, reason: string, reply?: (error: ErrorCode) => void): void {
    t.state = commit ? 'PrepareCommit' : 'PrepareAbort';
    this.broker.node.record(KafkaKinds.txn, { transactionalId: t.transactionalId, producerId: t.producerId, epoch: t.producerEpoch, state: t.state, reason });
    this.persist(o, t, (error) => {
      // If the prepare state could not be replicated, the transaction stays open: the producer
      // retries EndTxn, or the timeout aborts it later.
      if (error !== 'NONE') t.state = 'Ongoing';
      reply?.(error);
      if (error === 'NONE') this.writeMarkers(o, t);
    });
  }

  private writeMarkers(o: OwnedPartition, t: TxnMetadata): void {
    const commit = t.state === 'PrepareCommit';
    const remaining = new Map(t.partitions.map((p) => [tpKey(p.topic, p.partition), p]));
    const send = (): void => {
      if (this.owned.get(o.replica.partition) !== o) return;
      if (remaining.size === 0) {
        t.state = commit ? 'CompleteCommit' : 'CompleteAbort';
        t.partitions = [];
        this.broker.node.record(KafkaKinds.txn, { transactionalId: t.transactionalId, producerId: t.producerId, epoch: t.producerEpoch, state: t.state });
        this.persist(o, t, () => undefined);
        return;
      }
      // One WriteTxnMarkers request per partition leader.
      const byLeader = new Map<string, TP[]>();
      for (const p of remaining.values()) {
        const leader = this.broker.image.topics.get(p.topic)?.partitions[p.partition]?.leader;
        if (leader === null || leader === undefined) continue;
        let list = byLeader.get(leader);
        if (list === undefined) byLeader.set(leader, (list = []));
        list.push(p);
      }
      let outstanding = byLeader.size;
      const retry = (): void => void this.broker.node.setTimer(MARKER_RETRY_MS * 1000, send);
      if (outstanding === 0) return retry();
      for (const [leader, partitions] of byLeader) {
        const req = { type: 'WriteTxnMarkers' as const, cid: this.broker.rpc.nextCid(), producerId: t.producerId, producerEpoch: t.producerEpoch, commit, partitions };
        this.broker.rpc.call(leader, req, { type: 'WriteTxnMarkers', commit, partitions: partitions.length }, this.broker.ctx.config['offsets.commit.timeout.ms'] * 6, (resp) => {
          if (resp !== null) for (const r of resp.results) if (r.error === 'NONE') remaining.delete(tpKey(r.topic, r.partition));
          if (--outstanding > 0) return;
          if (remaining.size === 0) send();
          else retry();
        });
      }
    };
    send();
  }

  private abortTimedOut(): void {
    const now = this.broker.node.nowUs;
    for (const o of this.owned.values()) {
      for (const t of o.txns.values()) {
        if (t.state !== 'Ongoing' || t.writing || now - t.startUs <= t.timeoutMs * 1000) continue;
        t.producerEpoch++;
        this.end(o, t, false, 'transaction.timeout.ms expired');
      }
    }
  }

  /** Writes the transaction's state to the transaction log and waits until it is replicated. */
  private persist(o: OwnedPartition, t: TxnMetadata, done: (error: ErrorCode) => void): void {
    const r = o.replica;
    if (r.role !== 'leader') return done('NOT_COORDINATOR');
    const value = JSON.stringify({ transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch, timeoutMs: t.timeoutMs, state: t.state, partitions: t.partitions });
    const appended = this.broker.appendAsLeader(r, [{ key: `txn\u0000${t.transactionalId}`, value, timestampMs: this.broker.nowMs() }]);
    if (appended.error !== 'NONE') return done(appended.error === 'NOT_LEADER_OR_FOLLOWER' ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE');
    t.writing = true;
    this.broker.awaitHw(r, appended.lastOffset + 1, this.broker.ctx.config['offsets.commit.timeout.ms'], (error) => {
      t.writing = false;
      done(error === 'NONE' ? 'NONE' : error === 'NOT_LEADER_OR_FOLLOWER' ? 'NOT_COORDINATOR' : 'COORDINATOR_NOT_AVAILABLE');
    });
  }
}
