/**
 * The RabbitMQ inspector's state, folded from the history alone: per queue the messages ready and
 * unacknowledged, the channels consuming from it, how many were delivered, acknowledged,
 * dead-lettered, dropped and lost in crashes; and every dead-lettered message with the `x-death`
 * header its dead-lettered copy carries, computed as RabbitMQ does
 * (https://www.rabbitmq.com/docs/dlx#effects).
 *
 * Two layers keep scrubbing cheap. At the end of the stream a resolver follows every message
 * through its queues (`amqp.route` → `amqp.deliver` → `amqp.ack` / `amqp.requeue` /
 * `amqp.deadletter` …) and turns each entry into small steps — "queue q: one more unacked, one
 * less ready" — so the state a scrub replays is just counters per queue; the per-message maps live
 * only at the end of the stream. Dead letters are an append-only list read up to the moment.
 *
 * What the history does not carry, and so the x-death shown cannot have:
 * - `original-expiration` (the message's own `expiration` property is not recorded);
 * - `CC` routing keys, and an `x-death` header a publisher copied onto a republished message
 *   (each publish starts with no deaths);
 * - a queue's `x-dead-letter-routing-key`: after dead-lettering through the default exchange the
 *   key is the queue it reached (exact); through another exchange the fold keeps the old keys
 *   and marks them `routingKeysExact: false`.
 * Crashes: `amqp.lost` names the transient messages a crash took, but persistent ones survive only
 * if an fsync covered their queue-log write. A node that never fsynced (no `disk.fsync` entry)
 * and lost unsynced writes (`crash.data.unsyncedWritesLost`) recovers nothing, which the fold
 * knows; a node that fsynced some of them recovers a part the history does not say, and its
 * queues' counts are marked `approximate`.
 */

import type { HistoryEntry } from '../../sim';
import { AmqpKinds } from '../../sim/broker/amqp/kinds';
import { CheckpointedFold, type FoldRules } from './checkpointed-fold';
import { upperBound } from './sorted-search';

export interface QueueState {
  name: string;
  type: string;
  durable: boolean;
  /** Classic: its home node; quorum: the leader (undefined while there is none). */
  node: string | undefined;
  /** False while the node holding it is down. */
  available: boolean;
  ready: number;
  unacked: number;
  /** Channels that received deliveries from the queue and are still open. */
  consumers: number;
  /** Messages routed here by a publish or a dead-letter exchange. */
  routed: number;
  delivered: number;
  redelivered: number;
  acked: number;
  /** Messages that died here and were republished to the dead-letter exchange. */
  deadLettered: number;
  /** Messages that left without an ack or a dead-letter copy (refused, purged, no DLX). */
  dropped: number;
  /** Messages lost when the node crashed. */
  lost: number;
  /** A crash may have lost persistent messages the history does not name. */
  approximate: boolean;
  lastSeq: number;
}

/** One `{queue, reason}` record of a message's dead-letter history (newest first in `xDeath`). */
export interface DeathRecord {
  queue: string;
  reason: string;
  count: number;
  /** The exchange the message was published to before it died here the first time. */
  exchange: string;
  routingKeys: string[];
  /** Whether the routing keys are known for certain (see the file comment). */
  routingKeysExact: boolean;
  /** x-death `time`: the first death here, whole seconds of the node's clock. */
  timeS: number;
}

export interface DeadLetter {
  seq: number;
  timeUs: number;
  /** The broker's message id (the same across dead-letter hops). */
  id: string;
  /** The publisher's `messageId`, when it set one. */
  messageId: string | undefined;
  fromQueue: string;
  reason: string;
  /** The dead-letter exchange it was republished to. */
  exchange: string;
  toQueues: string[];
  /** The `x-death` header of the dead-lettered copy, newest first. */
  xDeath: DeathRecord[];
}

export interface AmqpState {
  queues: Map<string, QueueState>;
  /** How many of the dead letters (AmqpIndex.deadLetters) have happened. */
  deadLetterCount: number;
}

type Delta = Partial<Record<'ready' | 'unacked' | 'consumers' | 'routed' | 'delivered' | 'redelivered' | 'acked' | 'deadLettered' | 'dropped' | 'lost', number>>;

/** What the resolver makes of an entry: changes to one queue's counters. */
type AmqpStep =
  | { seq: number; op: 'declare'; q: string; type: string; durable: boolean; node: string | undefined }
  | { seq: number; op: 'delete'; q: string }
  | { seq: number; op: 'count'; q: string; d: Delta }
  /**
   * The node went down: unacknowledged messages come back as ready when it recovers, or, when
   * nothing of the queue was ever on disk (`wiped`), none of them do.
   */
  | { seq: number; op: 'crash'; q: string; wiped: boolean; approximate: boolean }
  | { seq: number; op: 'available'; q: string; available: boolean; node?: string }
  | { seq: number; op: 'dead-letter' };

function emptyState(): AmqpState {
  return { queues: new Map(), deadLetterCount: 0 };
}

function cloneState(s: AmqpState): AmqpState {
  const queues = new Map<string, QueueState>();
  for (const [k, q] of s.queues) queues.set(k, { ...q });
  return { queues, deadLetterCount: s.deadLetterCount };
}

function applyStep(s: AmqpState, step: AmqpStep): void {
  if (step.op === 'dead-letter') {
    s.deadLetterCount++;
    return;
  }
  if (step.op === 'declare') {
    s.queues.set(step.q, {
      name: step.q,
      type: step.type,
      durable: step.durable,
      node: step.node,
      available: true,
      ready: 0,
      unacked: 0,
      consumers: 0,
      routed: 0,
      delivered: 0,
      redelivered: 0,
      acked: 0,
      deadLettered: 0,
      dropped: 0,
      lost: 0,
      approximate: false,
      lastSeq: step.seq,
    });
    return;
  }
  if (step.op === 'delete') {
    s.queues.delete(step.q);
    return;
  }
  const q = s.queues.get(step.q);
  if (q === undefined) return;
  q.lastSeq = step.seq;
  if (step.op === 'count') {
    const d = step.d;
    for (const k in d) {
      const key = k as keyof Delta;
      q[key] += d[key]!;
    }
  } else if (step.op === 'crash') {
    if (step.wiped) {
      q.lost += q.ready + q.unacked;
      q.ready = 0;
    } else q.ready += q.unacked;
    q.unacked = 0;
    q.available = false;
    if (step.approximate) q.approximate = true;
  } else {
    q.available = step.available;
    if (step.node !== undefined) q.node = step.node;
  }
}

const RULES: FoldRules<AmqpState, AmqpStep> = { initial: emptyState, clone: cloneState, apply: applyStep };

/** Where one copy of a message is in its queue. */
type Place = 'ready' | 'unacked';

interface MessageInfo {
  exchange: string;
  routingKeys: string[];
  routingKeysExact: boolean;
  deaths: DeathRecord[];
  messageId: string | undefined;
  /** Queues holding a copy. */
  copies: number;
}

type Data = Record<string, unknown>;

/**
 * RabbitMQ's `mc:record_death` (deaths v2, 3.13+): one record per {queue, reason}, newest first;
 * dying again in the same queue for the same reason counts the record up and moves it to the
 * front, keeping its first exchange, routing keys and time
 * (https://www.rabbitmq.com/docs/dlx#effects).
 */
export function recordDeath(deaths: readonly DeathRecord[], death: Omit<DeathRecord, 'count'>): DeathRecord[] {
  const at = deaths.findIndex((d) => d.queue === death.queue && d.reason === death.reason);
  if (at < 0) return [{ ...death, routingKeys: death.routingKeys.slice(), count: 1 }, ...deaths];
  const again = { ...deaths[at]!, count: deaths[at]!.count + 1 };
  return [again, ...deaths.slice(0, at), ...deaths.slice(at + 1)];
}

/**
 * Feeds the RabbitMQ fold from the history as it streams (HistoryStore calls `add` for every
 * entry) and answers `at(seq)` for the inspector views.
 */
export class AmqpIndex {
  private readonly fold = new CheckpointedFold<AmqpState, AmqpStep>(RULES);
  /** Every dead-lettered message, in history order. */
  readonly deadLetters: DeadLetter[] = [];
  private seen = false;

  // The resolver's view at the end of the stream.
  private readonly messages = new Map<string, MessageInfo>();
  private readonly places = new Map<string, Map<string, Place>>();
  private readonly queueNode = new Map<string, string | undefined>();
  /** Quorum queues' current leaders (`amqp.leader`). */
  private readonly quorumLeader = new Map<string, string>();
  private readonly rabbitNodes = new Set<string>();
  /** Nodes that have made something durable (a `disk.fsync` entry). */
  private readonly fsynced = new Set<string>();
  /** Queues whose node crashed with nothing durable: the `amqp.lost` that follows is already counted. */
  private readonly wiped = new Set<string>();
  /** `queue\0id` of copies that expired and wait for their dead letter or drop. */
  private readonly expired = new Set<string>();
  /** Server channel id → its consumers (consumer tag → queue), from `amqp.consume` / `amqp.cancel`. */
  private readonly channels = new Map<string, Map<string, string>>();
  /** Per node: crashes so far (the incarnation in channel ids) and connections opened since. */
  private readonly incarnation = new Map<string, number>();
  private readonly connectionSerial = new Map<string, number>();
  /** `node\0client connection id` → the server's connection key (`node/incarnation.serial`). */
  private readonly connectionKeys = new Map<string, string>();
  /** The server's connection key → the client node that opened it (for the topology's consumers). */
  private readonly connectionClients = new Map<string, string>();

  get present(): boolean {
    return this.seen;
  }

  get steps(): number {
    return this.fold.length;
  }

  /** The state after entry `seq` (shared: do not change it). */
  at(seq: number): AmqpState {
    return this.fold.at(seq);
  }

  /** The dead letters that have happened by the state's moment, oldest first. */
  deadLettersOf(state: AmqpState): readonly DeadLetter[] {
    return this.deadLetters.slice(0, state.deadLetterCount);
  }

  /** The last dead letter at or before `seq` (for "jump to"). */
  deadLetterCountAt(seq: number): number {
    const list = this.deadLetters;
    return upperBound(list.length, (i) => list[i]!.seq, seq);
  }

  add(e: HistoryEntry): void {
    const kind = e.kind;
    if (kind === 'crash' || kind === 'restart') {
      if (this.rabbitNodes.has(e.node)) (kind === 'crash' ? this.crash(e) : this.restart(e));
      return;
    }
    if (kind === 'disk.fsync') {
      this.fsynced.add(e.node);
      return;
    }
    if (kind.charCodeAt(0) !== 97 /* a */ || !kind.startsWith('amqp.')) return;
    const d = (e.data ?? {}) as Data;
    switch (kind) {
      case AmqpKinds.queueDeclare: {
        this.seen = true;
        const q = d.q as string;
        const node = (d.node as string | undefined) ?? undefined;
        if (node !== undefined) this.rabbitNodes.add(node);
        this.rabbitNodes.add(e.node);
        this.queueNode.set(q, node);
        this.places.set(q, new Map());
        this.fold.add({ seq: e.seq, op: 'declare', q, type: (d.type as string) ?? 'classic', durable: d.durable === true, node });
        return;
      }
      case AmqpKinds.queueDelete:
        return this.deleteQueue(e, d.q as string);
      case AmqpKinds.leader:
        this.quorumLeader.set(d.q as string, d.node as string);
        this.fold.add({ seq: e.seq, op: 'available', q: d.q as string, available: true, node: d.node as string });
        return;
      case AmqpKinds.publish: {
        const id = d.id as string;
        this.messages.set(id, { exchange: d.exchange as string, routingKeys: [d.routingKey as string], routingKeysExact: true, deaths: [], messageId: d.mid as string | undefined, copies: 0 });
        return;
      }
      case AmqpKinds.route: {
        const id = d.id as string;
        const queues = d.queues as string[];
        for (const q of queues) this.place(e.seq, q, id, { routed: 1 });
        if (queues.length === 0) this.forgetIfUnplaced(id);
        return;
      }
      case AmqpKinds.deliver:
        return this.deliver(e, d);
      case AmqpKinds.consume:
        return this.consume(e.seq, d.ch as string, d.consumer as string, d.q as string);
      case AmqpKinds.cancel:
        return this.cancel(e.seq, d.ch as string, d.consumer as string);
      case AmqpKinds.ack: {
        const q = d.q as string;
        if (this.placeOf(q, d.id as string) !== 'unacked') return;
        this.remove(e.seq, q, d.id as string, { unacked: -1, acked: 1 });
        return;
      }
      case AmqpKinds.nack:
        // A nack that requeues is followed by amqp.requeue; one that does not, by amqp.deadletter or
        // amqp.drop, which take the message out (the dead letter still needs what is known of it).
        return;
      case AmqpKinds.requeue: {
        const q = d.q as string;
        const id = d.id as string;
        if (this.placeOf(q, id) !== 'unacked') return;
        this.places.get(q)!.set(id, 'ready');
        this.fold.add({ seq: e.seq, op: 'count', q, d: { unacked: -1, ready: 1 } });
        return;
      }
      case AmqpKinds.expire: {
        // It leaves the queue now; the dead letter or drop that follows still needs what is known of it.
        const q = d.q as string;
        const id = d.id as string;
        const at = this.placeOf(q, id);
        if (at === undefined) return;
        this.places.get(q)!.delete(id);
        this.expired.add(`${q}\u0000${id}`);
        this.fold.add({ seq: e.seq, op: 'count', q, d: at === 'ready' ? { ready: -1 } : { unacked: -1 } });
        return;
      }
      case AmqpKinds.drop: {
        const q = d.q as string;
        const id = d.id as string;
        const left = this.takeOut(q, id);
        this.fold.add({ seq: e.seq, op: 'count', q, d: { ...left.delta, dropped: 1 } });
        if (left.had) this.release(id);
        return;
      }
      case AmqpKinds.deadletter:
        return this.deadLetter(e, d);
      case AmqpKinds.lost: {
        const q = d.q as string;
        const count = d.count as number;
        if (!this.wiped.has(q)) this.fold.add({ seq: e.seq, op: 'count', q, d: { ready: -count, lost: count } });
        const places = this.places.get(q);
        for (const id of (d.ids as string[]) ?? []) {
          if (places?.delete(id)) this.release(id);
        }
        return;
      }
      case AmqpKinds.connectionOpen:
        if (typeof d.client === 'string' && e.node === d.node) this.connectionOpened(e.node, d.conn as string, d.client);
        return;
      case AmqpKinds.connectionClose:
        if (typeof d.client === 'string') {
          const key = this.connectionKeys.get(`${e.node}\u0000${d.conn as string}`);
          if (key !== undefined) this.closeChannels(e.seq, `${key}.`);
        }
        return;
      case AmqpKinds.channelClose:
        this.closeChannel(e.seq, d.ch as string);
        return;
      default:
        return;
    }
  }

  private placeOf(q: string, id: string): Place | undefined {
    return this.places.get(q)?.get(id);
  }

  private place(seq: number, q: string, id: string, extra: Delta): void {
    const places = this.places.get(q);
    if (places === undefined) return;
    places.set(id, 'ready');
    const m = this.messages.get(id);
    if (m !== undefined) m.copies++;
    this.fold.add({ seq, op: 'count', q, d: { ready: 1, ...extra } });
  }

  private remove(seq: number, q: string, id: string, d: Delta): void {
    this.places.get(q)?.delete(id);
    this.release(id);
    this.fold.add({ seq, op: 'count', q, d });
  }

  /**
   * Takes a copy out of its queue, ready or unacknowledged, or one that expired just before: the
   * counts that change, and whether there was a copy (to release once the caller is done with it).
   */
  private takeOut(q: string, id: string): { delta: Delta; had: boolean } {
    const expired = this.expired.delete(`${q}\u0000${id}`);
    const at = this.placeOf(q, id);
    if (at === undefined) return { delta: {}, had: expired };
    this.places.get(q)!.delete(id);
    return { delta: at === 'ready' ? { ready: -1 } : { unacked: -1 }, had: true };
  }

  private release(id: string): void {
    const m = this.messages.get(id);
    if (m === undefined) return;
    m.copies--;
    if (m.copies <= 0) this.messages.delete(id);
  }

  private forgetIfUnplaced(id: string): void {
    const m = this.messages.get(id);
    if (m !== undefined && m.copies <= 0) this.messages.delete(id);
  }

  private deliver(e: HistoryEntry, d: Data): void {
    const q = d.q as string;
    const id = d.id as string;
    const noAck = d.noAck === true;
    const delta: Delta = { delivered: 1 };
    if (d.redelivered === true) delta.redelivered = 1;
    const places = this.places.get(q);
    if (places === undefined) return;
    if (places.get(id) === 'ready') {
      delta.ready = -1;
      if (noAck) {
        places.delete(id);
        this.release(id);
      } else {
        places.set(id, 'unacked');
        delta.unacked = 1;
      }
    }
    this.fold.add({ seq: e.seq, op: 'count', q, d: delta });
  }

  private consume(seq: number, ch: string, consumer: string, q: string): void {
    let consumers = this.channels.get(ch);
    if (consumers === undefined) this.channels.set(ch, (consumers = new Map()));
    consumers.set(consumer, q);
    if (this.places.has(q)) this.fold.add({ seq, op: 'count', q, d: { consumers: 1 } });
  }

  private cancel(seq: number, ch: string, consumer: string): void {
    const consumers = this.channels.get(ch);
    const q = consumers?.get(consumer);
    if (q === undefined) return;
    consumers!.delete(consumer);
    if (this.places.has(q)) this.fold.add({ seq, op: 'count', q, d: { consumers: -1 } });
  }

  private deadLetter(e: HistoryEntry, d: Data): void {
    const id = d.id as string;
    const from = d.q as string;
    const reason = d.reason as string;
    const dlx = (d.dlx as string) ?? '';
    const to = (d.queues as string[]) ?? [];
    const m = this.messages.get(id) ?? { exchange: '', routingKeys: [], routingKeysExact: false, deaths: [], messageId: undefined, copies: 0 };
    const deaths = recordDeath(m.deaths, {
      queue: from,
      reason,
      exchange: m.exchange,
      routingKeys: m.routingKeys,
      routingKeysExact: m.routingKeysExact,
      timeS: Math.trunc(Math.floor(e.timeUs / 1000) / 1000),
    });
    this.deadLetters.push({ seq: e.seq, timeUs: e.timeUs, id, messageId: m.messageId, fromQueue: from, reason, exchange: dlx, toQueues: to.slice(), xDeath: deaths });
    this.fold.add({ seq: e.seq, op: 'dead-letter' });
    // The copy now says the dead-letter exchange is its exchange. Through the default exchange the
    // routing key is the queue's name; otherwise a dead-letter routing key may have replaced it.
    const next: MessageInfo = { ...m, deaths, exchange: dlx };
    if (dlx === '' && to.length === 1) {
      next.routingKeys = [to[0]!];
      next.routingKeysExact = true;
    } else if (dlx !== '') next.routingKeysExact = false;
    this.messages.set(id, next);
    const left = this.takeOut(from, id);
    this.fold.add({ seq: e.seq, op: 'count', q: from, d: { ...left.delta, deadLettered: 1 } });
    for (const q of to) this.place(e.seq, q, id, { routed: 1 });
    if (left.had) this.release(id);
    this.forgetIfUnplaced(id);
  }

  private deleteQueue(e: HistoryEntry, q: string): void {
    const places = this.places.get(q);
    if (places !== undefined) for (const id of places.keys()) this.release(id);
    this.places.delete(q);
    this.queueNode.delete(q);
    this.quorumLeader.delete(q);
    for (const consumers of this.channels.values()) for (const [tag, cq] of consumers) if (cq === q) consumers.delete(tag);
    this.fold.add({ seq: e.seq, op: 'delete', q });
  }

  /**
   * The client node whose connection a server channel id (`node/incarnation.connection.serial/number`)
   * belongs to; undefined for a connection the history did not show opening.
   */
  clientOfChannel(ch: string): string | undefined {
    const dot = ch.lastIndexOf('.', ch.lastIndexOf('/'));
    return dot < 0 ? undefined : this.connectionClients.get(ch.slice(0, dot));
  }

  private connectionOpened(node: string, clientConn: string, client: string): void {
    const serial = (this.connectionSerial.get(node) ?? 0) + 1;
    this.connectionSerial.set(node, serial);
    const key = `${node}/${this.incarnation.get(node) ?? 0}.${serial}`;
    this.connectionKeys.set(`${node}\u0000${clientConn}`, key);
    this.connectionClients.set(key, client);
    this.rabbitNodes.add(node);
  }

  private closeChannel(seq: number, ch: string): void {
    const consumers = this.channels.get(ch);
    if (consumers === undefined) return;
    this.channels.delete(ch);
    for (const q of consumers.values()) if (this.places.has(q)) this.fold.add({ seq, op: 'count', q, d: { consumers: -1 } });
  }

  private closeChannels(seq: number, prefix: string): void {
    for (const ch of [...this.channels.keys()]) if (ch.startsWith(prefix)) this.closeChannel(seq, ch);
  }

  private crash(e: HistoryEntry): void {
    const node = e.node;
    this.closeChannels(e.seq, `${node}/`);
    const unsynced = ((e.data as Data | undefined)?.unsyncedWritesLost as number | undefined) ?? 0;
    const wiped = unsynced > 0 && !this.fsynced.has(node);
    const approximate = unsynced > 0 && !wiped;
    for (const [q, home] of this.queueNode) {
      if (home !== node) continue;
      const places = this.places.get(q)!;
      if (wiped) {
        for (const id of places.keys()) this.release(id);
        places.clear();
        this.wiped.add(q);
      } else {
        // Unacknowledged copies come back as ready when the queue recovers (the `amqp.lost`
        // entries that follow take out the ones that were only in memory).
        for (const [id, at] of places) if (at === 'unacked') places.set(id, 'ready');
      }
      this.fold.add({ seq: e.seq, op: 'crash', q, wiped, approximate });
    }
    // A quorum queue whose leader went down is unavailable until another member is elected.
    for (const [q, leader] of this.quorumLeader) if (leader === node) this.fold.add({ seq: e.seq, op: 'available', q, available: false });
    this.incarnation.set(node, (this.incarnation.get(node) ?? 0) + 1);
    this.connectionSerial.set(node, 0);
  }

  private restart(e: HistoryEntry): void {
    for (const [q, home] of this.queueNode) {
      if (home !== e.node) continue;
      this.wiped.delete(q);
      this.fold.add({ seq: e.seq, op: 'available', q, available: true });
    }
  }
}

/** Folds a whole history at once (tests): the index, fed with every entry. */
export function indexAmqp(entries: Iterable<HistoryEntry>): AmqpIndex {
  const index = new AmqpIndex();
  for (const e of entries) index.add(e);
  return index;
}
