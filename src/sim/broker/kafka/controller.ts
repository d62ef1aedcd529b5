/**
 * A KRaft-style controller: one node that owns the cluster metadata (brokers, topics, partition
 * leaders, ISRs, epochs), as the active controller of a KRaft quorum does
 * (https://kafka.apache.org/documentation/#kraft). The quorum itself is not modelled: the
 * controller writes each change to its disk and fsyncs it before anyone hears of it, so a
 * controller crash loses nothing it published, and while it is down nobody can fence brokers,
 * elect leaders or change an ISR.
 *
 * Rules follow Kafka's `ReplicationControlManager` and `ClusterControlManager`:
 * - brokers heartbeat every `broker.heartbeat.interval.ms`; one not heard from for
 *   `broker.session.timeout.ms` is fenced; a broker that comes back with a new incarnation (a
 *   restart) is fenced first too, and unfenced once its metadata has caught up;
 * - fencing removes the broker from every ISR, except that the last ISR member stays (KRaft keeps
 *   it, so the partition is offline rather than silently losing its only in-sync copy);
 * - a new leader is the first replica in assignment order that is in the ISR and unfenced; with
 *   `unclean.leader.election.enable` a live out-of-sync replica may be elected when none is;
 * - a leader change bumps the leader epoch; every change bumps the partition epoch;
 * - AlterPartition from a leader is accepted only for its current leader epoch and partition
 *   epoch, and only adds brokers that are unfenced in the incarnation the leader saw (KIP-841, KIP-903).
 */

import type { Envelope, NodeBehavior, SimNode } from '../../node';
import type { ClusterContext } from './cluster-context.ts';
import { parseTopicConfigValue } from './config.ts';
import { KafkaKinds } from './kinds.ts';
import {
  EMPTY_IMAGE,
  type AlterPartitionRequest,
  type BrokerHeartbeatRequest,
  type BrokerRegistration,
  type ControllerCreateTopicsRequest,
  type ErrorCode,
  type KafkaRequest,
  type MetadataImage,
  type MetadataUpdate,
  type PartitionState,
  type TopicImage,
} from './protocol.ts';
import { ConnectionTable, Rpc, admit, isResponse } from './rpc.ts';

const METADATA_KEY = 'kafka.metadata';

interface Session {
  lastHeardUs: number;
}

/** An event to record once the change it describes is durable. */
type PendingEvent = [kind: string, data: unknown];

export class KafkaController implements NodeBehavior {
  /** The newest image, including changes whose fsync is still running. */
  private image: MetadataImage;
  /** The newest durable image: what brokers have been (or may be) told. */
  private published: MetadataImage;
  private readonly sessions = new Map<string, Session>();
  private readonly rpc: Rpc;
  private readonly connections = new ConnectionTable();

  constructor(
    private readonly node: SimNode,
    private readonly ctx: ClusterContext,
  ) {
    this.rpc = new Rpc(node);
    const stored = node.disk.get(METADATA_KEY) as MetadataImage | undefined;
    this.image = stored ?? EMPTY_IMAGE;
    this.published = this.image;
    // A restarted controller gives every registered broker a fresh session rather than fencing
    // them all for the time it was away.
    for (const name of this.image.brokers.keys()) this.sessions.set(name, { lastHeardUs: node.nowUs });
    const checkMs = Math.max(1, Math.floor(ctx.config['broker.heartbeat.interval.ms'] / 2));
    const tick = (): void => {
      this.expireSessions();
      node.setTimer(checkMs * 1000, tick);
    };
    node.setTimer(checkMs * 1000, tick);
  }

  /** The durable metadata (for inspectors). */
  get metadata(): MetadataImage {
    return this.published;
  }

  onMessage(payload: unknown, env: Envelope): void {
    if (isResponse(payload)) {
      this.rpc.onResponse(payload);
      return;
    }
    const req = payload as KafkaRequest;
    if (!admit(this.connections, this.rpc, this.node, req, env.from, env.msgId)) return;
    switch (req.type) {
      case 'BrokerHeartbeat':
        this.onHeartbeat(req, env.from);
        return;
      case 'AlterPartition':
        this.onAlterPartition(req, env.from);
        return;
      case 'ControllerCreateTopics':
        this.onCreateTopics(req, env.from);
        return;
      default:
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Brokers

  private onHeartbeat(req: BrokerHeartbeatRequest, from: string): void {
    const reg = this.image.brokers.get(req.broker);
    this.sessions.set(req.broker, { lastHeardUs: this.node.nowUs });
    const reply = (): void => {
      const r = this.published.brokers.get(req.broker);
      this.rpc.reply(
        from,
        { type: 'BrokerHeartbeatResponse', re: req.cid, fenced: r === undefined || r.fenced || r.incarnation !== req.incarnation, image: req.metadataVersion < this.published.version ? this.published : null },
        { type: 'BrokerHeartbeatResponse' },
      );
    };
    if (reg === undefined || reg.incarnation !== req.incarnation) {
      // A new broker, or a restarted one: register it fenced, and take it out of every ISR.
      const events: PendingEvent[] = [];
      let next = this.withBroker(this.image, { name: req.broker, fenced: true, incarnation: req.incarnation });
      if (reg !== undefined) next = this.fence(next, req.broker, reg.fenced ? 'restarted' : 'restarted before its session expired', events);
      else events.push([KafkaKinds.brokerState, { broker: req.broker, fenced: true, reason: 'registered' }]);
      this.commit(next, events, reply);
      return;
    }
    if (reg.fenced && req.metadataVersion >= this.published.version) {
      const events: PendingEvent[] = [];
      this.commit(this.unfence(this.image, req.broker, events), events, reply);
      return;
    }
    reply();
  }

  private expireSessions(): void {
    const timeoutUs = this.ctx.config['broker.session.timeout.ms'] * 1000;
    let next = this.image;
    const events: PendingEvent[] = [];
    for (const [name, reg] of this.image.brokers) {
      if (reg.fenced) continue;
      const s = this.sessions.get(name);
      if (s !== undefined && this.node.nowUs - s.lastHeardUs <= timeoutUs) continue;
      next = this.fence(next, name, 'session timed out', events);
    }
    if (next !== this.image) this.commit(next, events);
  }

  private withBroker(img: MetadataImage, reg: BrokerRegistration): MetadataImage {
    const brokers = new Map(img.brokers);
    brokers.set(reg.name, reg);
    return { version: img.version + 1, brokers, topics: img.topics };
  }

  /** Fences a broker: out of every ISR (but the last member), new leaders where it led. */
  private fence(img: MetadataImage, broker: string, reason: string, events: PendingEvent[]): MetadataImage {
    const reg = img.brokers.get(broker)!;
    let next = reg.fenced ? img : this.withBroker(img, { ...reg, fenced: true });
    events.push([KafkaKinds.brokerState, { broker, fenced: true, reason }]);
    next = this.mapPartitions(next, (ps, topic) => {
      if (ps.leader !== broker && !ps.isr.includes(broker)) return ps;
      const isr = ps.isr.length > 1 ? ps.isr.filter((b) => b !== broker) : ps.isr;
      if (ps.leader !== broker) {
        events.push([KafkaKinds.isrShrink, { topic: ps.topic, partition: ps.partition, isr, removed: [broker], reason: 'broker fenced' }]);
        return { ...ps, isr, partitionEpoch: ps.partitionEpoch + 1 };
      }
      return this.elect({ ...ps, isr }, topic, next, events, `leader ${broker} fenced`);
    });
    return next;
  }

  /** Unfences a broker and lets it lead partitions that had no leader. */
  private unfence(img: MetadataImage, broker: string, events: PendingEvent[]): MetadataImage {
    const reg = img.brokers.get(broker)!;
    const next = this.withBroker(img, { ...reg, fenced: false });
    events.push([KafkaKinds.brokerState, { broker, fenced: false, reason: 'caught up' }]);
    return this.mapPartitions(next, (ps, topic) => (ps.leader === null && ps.replicas.includes(broker) ? this.elect(ps, topic, next, events, `${broker} returned`) : ps));
  }

  /** Elects a leader for `ps` from its ISR (or, if allowed, uncleanly); bumps the epochs. */
  private elect(ps: PartitionState, topic: TopicImage, img: MetadataImage, events: PendingEvent[], reason: string): PartitionState {
    const live = (b: string): boolean => img.brokers.get(b)?.fenced === false;
    let leader = ps.replicas.find((b) => ps.isr.includes(b) && live(b)) ?? null;
    let isr = ps.isr;
    let unclean = false;
    if (leader === null && this.uncleanAllowed(topic)) {
      leader = ps.replicas.find(live) ?? null;
      if (leader !== null) {
        isr = [leader];
        unclean = true;
      }
    }
    if (leader === ps.leader && isr === ps.isr) return ps;
    const next: PartitionState = { ...ps, leader, isr, leaderEpoch: ps.leaderEpoch + 1, partitionEpoch: ps.partitionEpoch + 1 };
    events.push([KafkaKinds.leader, { topic: ps.topic, partition: ps.partition, leader, epoch: next.leaderEpoch, isr, reason, ...(unclean ? { unclean: true } : {}) }]);
    return next;
  }

  private uncleanAllowed(topic: TopicImage): boolean {
    const v = topic.configs['unclean.leader.election.enable'];
    return v === undefined ? this.ctx.topicDefaults['unclean.leader.election.enable'] : v === true;
  }

  private mapPartitions(img: MetadataImage, f: (ps: PartitionState, topic: TopicImage) => PartitionState): MetadataImage {
    let topics: Map<string, TopicImage> | undefined;
    for (const t of img.topics.values()) {
      let parts: PartitionState[] | undefined;
      t.partitions.forEach((ps, i) => {
        const n = f(ps, t);
        if (n !== ps) {
          parts ??= t.partitions.slice();
          parts[i] = n;
        }
      });
      if (parts !== undefined) {
        topics ??= new Map(img.topics);
        topics.set(t.name, { ...t, partitions: parts });
      }
    }
    // Callers bump the version once per change (withBroker does; onAlterPartition does itself).
    if (topics === undefined) return img;
    return { version: img.version, brokers: img.brokers, topics };
  }

  // -------------------------------------------------------------------------------------------
  // ISR changes from leaders

  private onAlterPartition(req: AlterPartitionRequest, from: string): void {
    const answer = (error: ErrorCode, state: PartitionState | null): void =>
      this.rpc.reply(from, { type: 'AlterPartitionResponse', re: req.cid, error, state }, { type: 'AlterPartitionResponse', error });
    const topic = this.image.topics.get(req.topic);
    const ps = topic?.partitions[req.partition];
    if (topic === undefined || ps === undefined) return answer('UNKNOWN_TOPIC_OR_PARTITION', null);
    if (ps.leader !== req.broker || ps.leaderEpoch !== req.leaderEpoch) return answer('FENCED_LEADER_EPOCH', ps);
    if (ps.partitionEpoch !== req.partitionEpoch) return answer('INVALID_UPDATE_VERSION', ps);
    for (const m of req.newIsr) {
      if (m.broker === ps.leader || ps.isr.includes(m.broker)) continue;
      const reg = this.image.brokers.get(m.broker);
      if (reg === undefined || reg.fenced || reg.incarnation !== m.incarnation) return answer('INELIGIBLE_REPLICA', ps);
    }
    const isr = req.newIsr.map((m) => m.broker);
    const next: PartitionState = { ...ps, isr, partitionEpoch: ps.partitionEpoch + 1 };
    const removed = ps.isr.filter((b) => !isr.includes(b));
    const added = isr.filter((b) => !ps.isr.includes(b));
    const events: PendingEvent[] = [];
    if (removed.length > 0) events.push([KafkaKinds.isrShrink, { topic: ps.topic, partition: ps.partition, isr, removed, reason: 'follower lagging' }]);
    if (added.length > 0) events.push([KafkaKinds.isrExpand, { topic: ps.topic, partition: ps.partition, isr, added }]);
    const changed = this.mapPartitions(this.image, (p) => (p === ps ? next : p));
    const img: MetadataImage = { ...changed, version: this.image.version + 1 };
    this.commit(img, events, () => answer('NONE', next));
  }

  // -------------------------------------------------------------------------------------------
  // Topics

  private onCreateTopics(req: ControllerCreateTopicsRequest, from: string): void {
    const results: { name: string; error: ErrorCode; message?: string }[] = [];
    let img = this.image;
    const events: PendingEvent[] = [];
    const live = this.ctx.brokers.filter((b) => img.brokers.get(b)?.fenced === false);
    for (const t of req.topics) {
      if (img.topics.has(t.name)) {
        results.push({ name: t.name, error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${t.name}' already exists.` });
        continue;
      }
      if (!Number.isInteger(t.numPartitions) || t.numPartitions < 1) {
        results.push({ name: t.name, error: 'INVALID_PARTITIONS', message: `Number of partitions must be larger than 0, got ${t.numPartitions}` });
        continue;
      }
      if (!Number.isInteger(t.replicationFactor) || t.replicationFactor < 1) {
        results.push({ name: t.name, error: 'INVALID_REPLICATION_FACTOR', message: `Replication factor must be larger than 0, got ${t.replicationFactor}` });
        continue;
      }
      if (t.replicationFactor > live.length) {
        results.push({
          name: t.name,
          error: 'INVALID_REPLICATION_FACTOR',
          message: `Unable to replicate the partition ${t.replicationFactor} time(s): The target replication factor of ${t.replicationFactor} cannot be reached because only ${live.length} broker(s) are registered.`,
        });
        continue;
      }
      const configs: Record<string, unknown> = {};
      try {
        for (const [k, v] of Object.entries(t.configs)) configs[k] = parseTopicConfigValue(k, v);
      } catch (e) {
        results.push({ name: t.name, error: 'INVALID_CONFIG', message: (e as Error).message });
        continue;
      }
      const assignment = assignReplicas(live, t.numPartitions, t.replicationFactor, () => this.node.rng.next());
      const partitions: PartitionState[] = assignment.map((replicas, partition) => ({ topic: t.name, partition, replicas, isr: replicas, leader: replicas[0]!, leaderEpoch: 0, partitionEpoch: 0 }));
      const topics = new Map(img.topics);
      topics.set(t.name, { name: t.name, partitions, configs, internal: t.internal === true });
      img = { version: img.version + 1, brokers: img.brokers, topics };
      events.push([KafkaKinds.topic, { topic: t.name, partitions: t.numPartitions, replicationFactor: t.replicationFactor }]);
      for (const ps of partitions) events.push([KafkaKinds.leader, { topic: ps.topic, partition: ps.partition, leader: ps.leader, epoch: 0, isr: ps.isr, reason: 'topic created' }]);
      results.push({ name: t.name, error: 'NONE' });
    }
    const reply = (): void => this.rpc.reply(from, { type: 'ControllerCreateTopicsResponse', re: req.cid, results }, { type: 'ControllerCreateTopicsResponse' });
    if (img === this.image) reply();
    else this.commit(img, events, reply);
  }

  // -------------------------------------------------------------------------------------------
  // Durability and publication

  /** Makes `img` the controller's metadata: fsync it, then record the events and tell the brokers. */
  private commit(img: MetadataImage, events: PendingEvent[], then?: () => void): void {
    this.image = img;
    this.node.diskPut(METADATA_KEY, img);
    this.node.fsync(() => {
      for (const [kind, data] of events) this.node.record(kind, data);
      if (img.version > this.published.version) {
        this.published = img;
        const update: MetadataUpdate = { type: 'MetadataUpdate', image: img };
        for (const b of img.brokers.keys()) this.node.send(b, update, { label: { type: 'MetadataUpdate', version: img.version }, stream: true });
      }
      then?.();
    });
  }
}

/**
 * Kafka's rack-unaware replica assignment (`AdminUtils.assignReplicasToBrokersRackUnaware`): the
 * first replica of partition p is broker (p + start) mod n, the others follow at a shift that
 * grows every n partitions, so leaders and followers spread evenly. `start` and the initial shift
 * are random in Kafka; here they come from the controller's seeded RNG.
 */
export function assignReplicas(brokers: readonly string[], partitions: number, replicationFactor: number, random: () => number): string[][] {
  const n = brokers.length;
  const startIndex = Math.floor(random() * n);
  let nextReplicaShift = Math.floor(random() * n);
  const out: string[][] = [];
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0) nextReplicaShift++;
    const first = (p + startIndex) % n;
    const replicas = [brokers[first]!];
    for (let j = 0; j < replicationFactor - 1; j++) replicas.push(brokers[(first + 1 + ((nextReplicaShift + j) % (n - 1))) % n]!);
    out.push(replicas);
  }
  return out;
}
