/**
 * What the topology view needs beyond the inspectors' folds: which nodes acted as clients (Kafka
 * producers and consumers, RabbitMQ publishers and consumers), which node was the Kafka
 * controller, which nodes were RabbitMQ brokers, and which exchanges routed to which queues.
 *
 * Roles only ever accrue, so each is kept with the seq of the entry that first showed it and "the
 * roles at a moment" is a filter, with no checkpoints; a Kafka consumer's assignment changes, so
 * its assignments are an append-only list searched by seq. A few microseconds an entry, most
 * entries ruled out by the first character of their kind, as in the inspectors' folds.
 */

import type { HistoryEntry } from '../../sim';
import { AmqpKinds } from '../../sim/broker/amqp/kinds';
import { KafkaKinds } from '../../sim/broker/kafka/kinds';
import { upperBound } from './sorted-search';

/** A consumer's assignment as it received it (`kafka.assign` at the consumer's node). */
export interface KafkaAssignment {
  seq: number;
  group: string;
  member: string;
  partitions: [string, number][];
}

/** Messages published and not yet routed, remembered for their exchange; beyond this the oldest are forgotten. */
export const PENDING_PUBLISHES_MAX = 50_000;

type Data = Record<string, unknown>;

/** `key → first seq seen`, under an outer key. */
function note(map: Map<string, Map<string, number>>, outer: string, inner: string, seq: number): void {
  let m = map.get(outer);
  if (m === undefined) map.set(outer, (m = new Map()));
  if (!m.has(inner)) m.set(inner, seq);
}

/** The inner keys first seen at or before `seq`. */
export function seenBy(m: ReadonlyMap<string, number> | undefined, seq: number): string[] {
  if (m === undefined) return [];
  const out: string[] = [];
  for (const [k, first] of m) if (first <= seq) out.push(k);
  return out;
}

export class ClientRoleIndex {
  /** Kafka: producer node → topic → first acknowledged or failed batch. */
  readonly produced = new Map<string, Map<string, number>>();
  /** Kafka: consumer node → its assignments, in history order. */
  readonly assignments = new Map<string, KafkaAssignment[]>();
  /** Kafka: nodes that acted as controller (created topics, elected leaders) → first seq. */
  readonly controllers = new Map<string, number>();
  /** RabbitMQ: nodes that acted as brokers → first seq. */
  readonly rabbitNodes = new Map<string, number>();
  /** RabbitMQ: publisher node → exchange → first publish. */
  readonly published = new Map<string, Map<string, number>>();
  /** RabbitMQ: server channel id → queue → first delivery (the client is resolved by AmqpIndex.clientOfChannel). */
  readonly delivered = new Map<string, Map<string, number>>();
  /** RabbitMQ: exchange → queue → first routing, by publishes. */
  readonly routes = new Map<string, Map<string, number>>();
  /** RabbitMQ: dead-letter exchange → queue → first dead letter routed there. */
  readonly deadLetterRoutes = new Map<string, Map<string, number>>();
  /** Message id → the exchange it was published to, until the broker routes it. */
  private readonly pending = new Map<string, string>();

  add(e: HistoryEntry): void {
    const kind = e.kind;
    const c = kind.charCodeAt(0);
    if (c === 107 /* k */) this.addKafka(e);
    else if (c === 97 /* a */ && kind.startsWith('amqp.')) this.addAmqp(e);
  }

  private addKafka(e: HistoryEntry): void {
    const d = (e.data ?? {}) as Data;
    switch (e.kind) {
      case KafkaKinds.produceAck:
      case KafkaKinds.produceError:
        note(this.produced, e.node, d.topic as string, e.seq);
        return;
      case KafkaKinds.assign: {
        let list = this.assignments.get(e.node);
        if (list === undefined) this.assignments.set(e.node, (list = []));
        list.push({ seq: e.seq, group: d.group as string, member: d.member as string, partitions: ((d.partitions as [string, number][]) ?? []).map(([t, p]): [string, number] => [t, p]) });
        return;
      }
      case KafkaKinds.topic:
      case KafkaKinds.leader:
        if (!this.controllers.has(e.node)) this.controllers.set(e.node, e.seq);
        return;
      default:
        return;
    }
  }

  private addAmqp(e: HistoryEntry): void {
    const d = (e.data ?? {}) as Data;
    switch (e.kind) {
      case AmqpKinds.publish: {
        const exchange = d.exchange as string;
        note(this.published, e.node, exchange, e.seq);
        this.pending.set(d.id as string, exchange);
        if (this.pending.size > PENDING_PUBLISHES_MAX) this.pending.delete(this.pending.keys().next().value!);
        return;
      }
      case AmqpKinds.route: {
        this.brokerSeen(e);
        const id = d.id as string;
        const exchange = this.pending.get(id);
        this.pending.delete(id);
        if (exchange === undefined) return;
        for (const q of d.queues as string[]) note(this.routes, exchange, q, e.seq);
        return;
      }
      case AmqpKinds.deadletter:
        this.brokerSeen(e);
        for (const q of (d.queues as string[]) ?? []) note(this.deadLetterRoutes, (d.dlx as string) ?? '', q, e.seq);
        return;
      case AmqpKinds.consume: // a consumer is one from basic.consume-ok, before any delivery
      case AmqpKinds.deliver: // basic.get too
        this.brokerSeen(e);
        note(this.delivered, d.ch as string, d.q as string, e.seq);
        return;
      case AmqpKinds.queueDeclare:
        this.brokerSeen(e);
        if (typeof d.node === 'string' && !this.rabbitNodes.has(d.node)) this.rabbitNodes.set(d.node, e.seq);
        return;
      case AmqpKinds.leader:
      case AmqpKinds.peer:
        this.brokerSeen(e);
        return;
      case AmqpKinds.connectionOpen:
        // Both ends record it; the broker's record names the client.
        if (typeof d.client === 'string' && e.node === d.node) this.brokerSeen(e);
        return;
      default:
        return;
    }
  }

  private brokerSeen(e: HistoryEntry): void {
    if (!this.rabbitNodes.has(e.node)) this.rabbitNodes.set(e.node, e.seq);
  }

  /** The consumer's latest assignment at or before `seq`. */
  assignmentAt(node: string, seq: number): KafkaAssignment | undefined {
    const list = this.assignments.get(node);
    if (list === undefined) return undefined;
    const i = upperBound(list.length, (k) => list[k]!.seq, seq) - 1;
    return i < 0 ? undefined : list[i];
  }
}
