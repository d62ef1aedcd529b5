import type { AmqpState } from '../../history/amqp-state';
import { seenBy, type ClientRoleIndex } from '../../history/client-roles';
import type { KafkaState } from '../../history/kafka-state';

/** What a node did in the run, as far as the history shows it by the moment. */
export type NodeRole = 'controller' | 'broker' | 'producer' | 'consumer' | 'publisher';

/** A replica a Kafka broker hosts (or a partition the controller has made it lead). */
export interface HostedPartition {
  topic: string;
  partition: number;
  leads: boolean;
  /** Elected leader, but its replica has not yet taken the role (or is down): the inspector's "starting". */
  starting: boolean;
  inIsr: boolean;
}

/** A RabbitMQ queue on its node (classic: home node; quorum: the leader). */
export interface HostedQueue {
  name: string;
  type: string;
  ready: number;
  unacked: number;
  available: boolean;
}

export interface NodeRoles {
  node: string;
  roles: NodeRole[];
  /** Kafka broker: its partitions of non-internal topics, by topic and number. */
  partitions: HostedPartition[];
  /** Kafka broker: the consumer groups it coordinates. */
  coordinates: string[];
  /** RabbitMQ node: its queues, by name. */
  queues: HostedQueue[];
  /** Kafka producer: the topics it has had batches acknowledged (or failed) on. */
  produces: string[];
  /** Kafka consumer: its group and latest assignment. */
  assignment: { group: string; partitions: [string, number][] } | null;
  /** RabbitMQ publisher: the exchanges it published to. */
  publishes: string[];
  /** RabbitMQ consumer: the queues it has received deliveries from. */
  consumesFrom: string[];
}

/** Where an exchange sent messages: by publishes, or by dead-lettering (a queue's dead-letter exchange). */
export interface ExchangeRoute {
  exchange: string;
  deadLetter: boolean;
  queues: string[];
}

export interface TopologyRoles {
  /** Only nodes with a role, in the order of `names`. */
  nodes: NodeRoles[];
  exchanges: ExchangeRoute[];
}

export interface TopologyInput {
  names: readonly string[];
  /** The moment: the last entry that has happened. */
  seq: number;
  kafka: KafkaState | null;
  amqp: AmqpState | null;
  roles: ClientRoleIndex;
  /** The client node behind a RabbitMQ server channel id (AmqpIndex.clientOfChannel). */
  clientOfChannel: (ch: string) => string | undefined;
}

const byTp = (a: HostedPartition, b: HostedPartition): number => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1);

/**
 * The brokers' structures and the clients' roles at a moment, per node: what each Kafka broker
 * leads and follows (replicas out of the ISR marked), each RabbitMQ node's queues with their
 * counts, the controller, producers, consumers with their group and assignment, publishers, and
 * the exchanges seen routing to queues. Read from the inspectors' folds and the role index only.
 */
export function topologyRoles(input: TopologyInput): TopologyRoles {
  const { names, seq, kafka, amqp, roles } = input;
  const out = new Map<string, NodeRoles>();
  const of = (node: string): NodeRoles => {
    let r = out.get(node);
    if (r === undefined) out.set(node, (r = { node, roles: [], partitions: [], coordinates: [], queues: [], produces: [], assignment: null, publishes: [], consumesFrom: [] }));
    return r;
  };
  const addRole = (node: string, role: NodeRole): NodeRoles => {
    const r = of(node);
    if (!r.roles.includes(role)) r.roles.push(role);
    return r;
  };

  for (const [node, first] of roles.controllers) if (first <= seq) addRole(node, 'controller');
  if (kafka !== null) {
    for (const b of kafka.brokers) addRole(b, 'broker');
    for (const p of kafka.partitions.values()) {
      if (kafka.topics.get(p.topic)?.internal ?? p.topic.startsWith('__')) continue;
      if (p.leader !== null) {
        const r = p.replicas.get(p.leader);
        addRole(p.leader, 'broker').partitions.push({ topic: p.topic, partition: p.partition, leads: true, starting: r?.role !== 'leader', inIsr: p.isr.includes(p.leader) });
      }
      for (const b of p.replicas.keys()) {
        if (b === p.leader) continue;
        addRole(b, 'broker').partitions.push({ topic: p.topic, partition: p.partition, leads: false, starting: false, inIsr: p.isr.includes(b) });
      }
    }
    for (const g of kafka.groups.values()) if (g.coordinator !== null) addRole(g.coordinator, 'broker').coordinates.push(g.groupId);
  }
  for (const [node, first] of roles.rabbitNodes) if (first <= seq) addRole(node, 'broker');
  if (amqp !== null) {
    for (const q of amqp.queues.values()) {
      if (q.node === undefined) continue;
      addRole(q.node, 'broker').queues.push({ name: q.name, type: q.type, ready: q.ready, unacked: q.unacked, available: q.available });
    }
  }

  for (const [node, topics] of roles.produced) {
    const seen = seenBy(topics, seq);
    if (seen.length > 0) addRole(node, 'producer').produces.push(...seen);
  }
  for (const node of roles.assignments.keys()) {
    const a = roles.assignmentAt(node, seq);
    if (a !== undefined) addRole(node, 'consumer').assignment = { group: a.group, partitions: a.partitions };
  }
  for (const [node, exchanges] of roles.published) {
    const seen = seenBy(exchanges, seq);
    if (seen.length > 0) addRole(node, 'publisher').publishes.push(...seen);
  }
  for (const [ch, queues] of roles.delivered) {
    const client = input.clientOfChannel(ch);
    if (client === undefined) continue;
    for (const q of seenBy(queues, seq)) {
      const r = addRole(client, 'consumer');
      if (!r.consumesFrom.includes(q)) r.consumesFrom.push(q);
    }
  }

  for (const r of out.values()) {
    r.partitions.sort(byTp);
    r.coordinates.sort();
    r.queues.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    r.produces.sort();
    r.publishes.sort();
    r.consumesFrom.sort();
  }
  const exchanges: ExchangeRoute[] = [];
  for (const [deadLetter, map] of [
    [false, roles.routes],
    [true, roles.deadLetterRoutes],
  ] as const) {
    for (const [exchange, queues] of map) {
      const seen = seenBy(queues, seq).sort();
      if (seen.length > 0) exchanges.push({ exchange, deadLetter, queues: seen });
    }
  }
  exchanges.sort((a, b) => (a.deadLetter !== b.deadLetter ? (a.deadLetter ? 1 : -1) : a.exchange < b.exchange ? -1 : a.exchange > b.exchange ? 1 : 0));
  const order = new Map(names.map((n, i) => [n, i]));
  const nodes = [...out.values()].sort((a, b) => (order.get(a.node) ?? Infinity) - (order.get(b.node) ?? Infinity));
  return { nodes, exchanges };
}

/** Items shown in a list before "+N more" (the full list is in the tooltip). */
export const LIST_SHOWN_MAX = 6;

/** A list cut to `max` items with "+N more". */
export function truncated(items: readonly string[], max = LIST_SHOWN_MAX): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} +${items.length - max} more`;
}

/** An exchange's name as the inspectors write it (the default exchange has the empty name). */
export function exchangeName(x: string): string {
  return x === '' ? '"" (default)' : x;
}

function partitionLabel(p: HostedPartition): string {
  return `${p.partition}${p.leads ? ' ★' : ''}${p.starting ? ' (starting)' : ''}${p.inIsr ? '' : ' (out of ISR)'}`;
}

/** One line per thing the node does: "account-events: leads 0 ★, 3 ★ · follows 1, 2", "queues: work (3 ready, 1 unacked)", "producer → orders". */
export function describeNode(r: NodeRoles, max = LIST_SHOWN_MAX): { lines: string[]; full: string[] } {
  const lines: string[] = [];
  const full: string[] = [];
  const both = (short: string, long: string): void => {
    lines.push(short);
    full.push(long);
  };
  if (r.roles.includes('controller')) both('controller: elects partition leaders', 'controller: elects partition leaders');
  const topics = [...new Set(r.partitions.map((p) => p.topic))];
  for (const t of topics) {
    const ps = r.partitions.filter((p) => p.topic === t);
    const leads = ps.filter((p) => p.leads).map(partitionLabel);
    const follows = ps.filter((p) => !p.leads).map(partitionLabel);
    const say = (m: number): string => [leads.length > 0 ? `leads ${truncated(leads, m)}` : '', follows.length > 0 ? `follows ${truncated(follows, m)}` : ''].filter(Boolean).join(' · ');
    both(`${t}: ${say(max)}`, `${t}: ${say(Infinity)}`);
  }
  if (r.coordinates.length > 0) both(`coordinates group ${truncated(r.coordinates, max)}`, `coordinates group ${r.coordinates.join(', ')}`);
  if (r.queues.length > 0) {
    const q = r.queues.map((x) => `${x.name}${x.type === 'classic' ? '' : ` ${x.type}`}${x.available ? ` (${x.ready} ready, ${x.unacked} unacked)` : ' (down)'}`);
    both(`queues: ${truncated(q, Math.min(max, 4))}`, `queues: ${q.join(', ')}`);
  }
  if (r.roles.includes('broker') && r.partitions.length === 0 && r.queues.length === 0 && r.coordinates.length === 0) both('broker: hosts nothing now', 'broker: hosts nothing now');
  if (r.produces.length > 0) both(`producer → ${truncated(r.produces, max)}`, `producer → ${r.produces.join(', ')}`);
  if (r.assignment !== null) {
    const ps = r.assignment.partitions.map(([t, p]) => `${t}-${p}`);
    const say = (m: number): string => `consumer in group ${r.assignment!.group}: ${ps.length === 0 ? 'no partitions' : truncated(ps, m)}`;
    both(say(max), say(Infinity));
  }
  if (r.publishes.length > 0) both(`publisher → ${truncated(r.publishes.map(exchangeName), max)}`, `publisher → ${r.publishes.map(exchangeName).join(', ')}`);
  if (r.consumesFrom.length > 0) both(`consumer of ${truncated(r.consumesFrom, max)}`, `consumer of ${r.consumesFrom.join(', ')}`);
  return { lines, full };
}

/** The few words under a node in the diagram: "leads 2", "3 queues", "producer", "consumer +1". */
export function nodeCaption(r: NodeRoles): string {
  if (r.roles.includes('broker')) {
    const leads = r.partitions.filter((p) => p.leads).length;
    if (leads > 0) return `leads ${leads}`;
    if (r.partitions.length > 0) return `follows ${r.partitions.length}`;
    if (r.queues.length > 0) return r.queues.length === 1 ? '1 queue' : `${r.queues.length} queues`;
    return r.roles.includes('controller') ? 'controller' : 'broker';
  }
  // A client that consumes and publishes (a worker that retries) is first of all a consumer.
  const [first, ...rest] = r.roles.slice().sort((a, b) => (a === 'consumer' ? -1 : b === 'consumer' ? 1 : 0));
  if (first === undefined) return '';
  return rest.length === 0 ? first : `${first} +${rest.length}`;
}
