/**
 * The Kafka inspector's state, folded from the history alone: per partition the leader, leader
 * epoch, ISR (the controller's view, from `kafka.leader` and `kafka.isr.*`), and what the leader
 * broker's replica holds — log end offset, high watermark, log start offset (`kafka.role`,
 * `kafka.append`, `kafka.hw`, `kafka.truncate`, `kafka.retention`); per consumer group its state,
 * generation, members with their assignments, coordinator and committed offsets (`kafka.member`,
 * `kafka.rebalance`, `kafka.assign`, `kafka.commit`). A crash takes a broker's replicas and the
 * groups it coordinates with it, as `KafkaCluster.inspect()` shows them; the groups come back, as
 * the new coordinator loads them, when a broker becomes leader of their `__consumer_offsets`
 * partition.
 *
 * What the history does not say, and so is approximated:
 * - the moment a group becomes Stable is the coordinator's SyncGroup, which records nothing; the
 *   fold takes the first `kafka.assign` of the generation (the leader's answer reaching a member);
 * - a follower's log start offset moves with the leader's silently (on fetch); a new leader takes
 *   the old leader's, capped at its own log end;
 * - `DeleteRecords` moves the log start offset without an entry.
 * Everything else is exact: `test/unit/ui/inspectors.test.ts` folds real lab runs and compares
 * the result with the model's own `inspect()`.
 */

import type { HistoryEntry } from '../../sim';
import { javaStringHashCode } from '../../sim/broker/kafka/java-hash-map';
import { KafkaKinds } from '../../sim/broker/kafka/kinds';
import { CONSUMER_OFFSETS, partitionForKey } from '../../sim/broker/kafka/protocol';
import { CheckpointedFold, type FoldRules } from './checkpointed-fold';

/** One broker's copy of a partition, while the broker is up and has it. */
export interface ReplicaState {
  role: 'leader' | 'follower';
  epoch: number;
  /** Log end offset: the offset the next record gets. */
  leo: number;
  /** High watermark (meaningful on the leader). */
  hw: number;
  logStartOffset: number;
}

export interface PartitionState {
  topic: string;
  partition: number;
  /** The controller's leader (null while the partition is offline). */
  leader: string | null;
  leaderEpoch: number;
  isr: string[];
  /** Live replicas by broker. */
  replicas: Map<string, ReplicaState>;
  /** Records lost from crashed brokers' page caches, summed over the run. */
  unflushedLost: number;
  /** The last entry that changed this partition. */
  lastSeq: number;
}

export interface TopicState {
  name: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
}

export interface GroupMember {
  memberId: string;
  instanceId: string | null;
  /** The member's assignment, as it last received it: [topic, partition] pairs. */
  assignment: [string, number][];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  /** The entry that committed it. */
  seq: number;
}

/** What the coordinator wrote to `__consumer_offsets` about the group's membership. */
interface PersistedGroup {
  generation: number;
  protocol: string | null;
  leader: string | null;
  members: GroupMember[];
}

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface GroupState {
  groupId: string;
  state: GroupStateName;
  generation: number;
  protocol: string | null;
  leader: string | null;
  members: GroupMember[];
  /** Committed offsets by `topic\0partition`. */
  offsets: Map<string, CommittedOffset>;
  /** The broker coordinating the group; null while none does (its coordinator crashed or moved). */
  coordinator: string | null;
  persisted: PersistedGroup | null;
  lastSeq: number;
}

export interface KafkaState {
  topics: Map<string, TopicState>;
  /** By `topic\0partition`, in the order partitions were created. */
  partitions: Map<string, PartitionState>;
  groups: Map<string, GroupState>;
  /** Nodes that acted as Kafka brokers (recorded broker-side entries). */
  brokers: Set<string>;
}

/** The leader's view of a partition, as `inspect()` reports it: -1 everywhere while there is no live leader. */
export interface LeaderView {
  highWatermark: number;
  logEndOffset: number;
  logStartOffset: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function leaderView(p: PartitionState): LeaderView {
  const r = p.leader === null ? undefined : p.replicas.get(p.leader);
  if (r === undefined || r.role !== 'leader') return { highWatermark: -1, logEndOffset: -1, logStartOffset: -1 };
  return { highWatermark: r.hw, logEndOffset: r.leo, logStartOffset: r.logStartOffset };
}

/** A group's lag on one partition: high watermark − committed offset (0 while the partition has no leader). */
export function lagOf(state: KafkaState, o: CommittedOffset): { highWatermark: number; lag: number } {
  const p = state.partitions.get(tpKey(o.topic, o.partition));
  const hw = p === undefined ? -1 : leaderView(p).highWatermark;
  return { highWatermark: hw, lag: hw < 0 ? 0 : Math.max(0, hw - o.offset) };
}

/** Groups a broker coordinates now, as `inspect()` lists them. */
export function coordinatedGroups(state: KafkaState): GroupState[] {
  return [...state.groups.values()].filter((g) => g.coordinator !== null);
}

function emptyState(): KafkaState {
  return { topics: new Map(), partitions: new Map(), groups: new Map(), brokers: new Set() };
}

function cloneMember(m: GroupMember): GroupMember {
  return { memberId: m.memberId, instanceId: m.instanceId, assignment: m.assignment.slice() };
}

function cloneState(s: KafkaState): KafkaState {
  const partitions = new Map<string, PartitionState>();
  for (const [k, p] of s.partitions) {
    const replicas = new Map<string, ReplicaState>();
    for (const [b, r] of p.replicas) replicas.set(b, { ...r });
    partitions.set(k, { ...p, isr: p.isr.slice(), replicas });
  }
  const groups = new Map<string, GroupState>();
  // Persisted membership is replaced whole, never changed in place, so it can be shared.
  for (const [k, g] of s.groups) groups.set(k, { ...g, members: g.members.map(cloneMember), offsets: new Map(g.offsets) });
  return { topics: new Map(s.topics), partitions, groups, brokers: new Set(s.brokers) };
}

type Data = Record<string, unknown>;

function partitionOf(s: KafkaState, topic: string, partition: number): PartitionState {
  const key = tpKey(topic, partition);
  let p = s.partitions.get(key);
  if (p === undefined) {
    p = { topic, partition, leader: null, leaderEpoch: 0, isr: [], replicas: new Map(), unflushedLost: 0, lastSeq: -1 };
    s.partitions.set(key, p);
  }
  return p;
}

function groupOf(s: KafkaState, groupId: string): GroupState {
  let g = s.groups.get(groupId);
  if (g === undefined) {
    g = { groupId, state: 'Empty', generation: 0, protocol: null, leader: null, members: [], offsets: new Map(), coordinator: null, persisted: null, lastSeq: -1 };
    s.groups.set(groupId, g);
  }
  return g;
}

/** The `__consumer_offsets` partition that owns a group: abs(groupId.hashCode) % partitions, as Kafka computes it. */
function offsetsPartitionOf(s: KafkaState, groupId: string): number {
  const n = s.topics.get(CONSUMER_OFFSETS)?.partitions ?? 0;
  return n > 0 ? partitionForKey(groupId, n, javaStringHashCode) : -1;
}

function restoreGroup(g: GroupState, coordinator: string): void {
  const p = g.persisted;
  // A group with nothing in the log is unknown to the new coordinator until a member finds it.
  if (p === null && g.offsets.size === 0) return;
  g.coordinator = coordinator;
  if (p === null) {
    // No membership written yet: the new coordinator knows only the committed offsets.
    g.state = 'Empty';
    g.generation = 0;
    g.members = [];
    g.leader = null;
    g.protocol = null;
    return;
  }
  g.generation = p.generation;
  g.protocol = p.protocol;
  g.leader = p.leader;
  g.members = p.members.map(cloneMember);
  g.state = g.members.length === 0 ? 'Empty' : 'Stable';
}

function persist(g: GroupState): void {
  g.persisted = { generation: g.generation, protocol: g.protocol, leader: g.leader, members: g.members.map(cloneMember) };
}

function applyRole(s: KafkaState, e: HistoryEntry, d: Data): void {
  const p = partitionOf(s, d.topic as string, d.partition as number);
  const prev = p.replicas.get(e.node);
  const role = d.role === 'leader' ? 'leader' : 'follower';
  const leo = d.leo as number;
  let logStartOffset = prev?.logStartOffset ?? 0;
  if (role === 'leader' && prev?.role !== 'leader') {
    // A follower's log start follows the leader's on every fetch, without an entry of its own.
    for (const [b, r] of p.replicas) if (b !== e.node && r.role === 'leader') logStartOffset = Math.max(logStartOffset, Math.min(r.logStartOffset, leo));
  }
  p.replicas.set(e.node, { role, epoch: d.epoch as number, leo, hw: role === 'leader' ? (d.hw as number) : (prev?.hw ?? 0), logStartOffset });
  p.lastSeq = e.seq;
  s.brokers.add(e.node);
  if (p.topic !== CONSUMER_OFFSETS) return;
  // The leader of an offsets partition coordinates its groups: it loads them from the log.
  for (const g of s.groups.values()) {
    if (offsetsPartitionOf(s, g.groupId) !== p.partition) continue;
    if (role === 'leader' && g.coordinator !== e.node) {
      restoreGroup(g, e.node);
      g.lastSeq = e.seq;
    } else if (role === 'follower' && g.coordinator === e.node) {
      g.coordinator = null;
      g.lastSeq = e.seq;
    }
  }
}

function applyKafka(s: KafkaState, e: HistoryEntry): void {
  const d = (e.data ?? {}) as Data;
  switch (e.kind) {
    case KafkaKinds.topic: {
      const name = d.topic as string;
      s.topics.set(name, { name, partitions: d.partitions as number, replicationFactor: d.replicationFactor as number, internal: name.startsWith('__') });
      for (let i = 0; i < (d.partitions as number); i++) partitionOf(s, name, i).lastSeq = e.seq;
      return;
    }
    case KafkaKinds.leader: {
      const p = partitionOf(s, d.topic as string, d.partition as number);
      p.leader = (d.leader as string | null) ?? null;
      p.leaderEpoch = d.epoch as number;
      p.isr = (d.isr as string[]).slice();
      p.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.isrShrink:
    case KafkaKinds.isrExpand: {
      const p = partitionOf(s, d.topic as string, d.partition as number);
      p.isr = (d.isr as string[]).slice();
      p.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.role:
      return applyRole(s, e, d);
    case KafkaKinds.append:
    case KafkaKinds.hw:
    case KafkaKinds.truncate:
    case KafkaKinds.retention: {
      const p = partitionOf(s, d.topic as string, d.partition as number);
      const r = p.replicas.get(e.node);
      if (r === undefined) return;
      if (e.kind === KafkaKinds.append) r.leo = Math.max(r.leo, (d.baseOffset as number) + (d.count as number));
      else if (e.kind === KafkaKinds.hw) r.hw = d.hw as number;
      else if (e.kind === KafkaKinds.truncate) {
        const to = d.to as number;
        if (d.reason === 'behind the leader log start') r.logStartOffset = to;
        r.leo = to;
        if (r.hw > to) r.hw = to;
      } else if (d.tier !== 'remote') r.logStartOffset = d.logStartOffset as number;
      if (r.role === 'leader' || e.kind === KafkaKinds.truncate) p.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.unflushedLost: {
      const p = partitionOf(s, d.topic as string, d.partition as number);
      p.unflushedLost += (d.to as number) - (d.from as number);
      p.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.member:
      return applyMember(s, e, d);
    case KafkaKinds.rebalance: {
      const g = groupOf(s, d.group as string);
      g.coordinator = e.node;
      g.generation = d.generation as number;
      g.protocol = (d.protocol as string | null) ?? null;
      g.leader = (d.leader as string | null) ?? null;
      g.state = (d.members as number) === 0 ? 'Empty' : 'CompletingRebalance';
      if (g.state === 'Empty') {
        g.members = [];
        persist(g);
      }
      g.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.assign: {
      const g = groupOf(s, d.group as string);
      const id = d.member as string;
      let m = g.members.find((x) => x.memberId === id);
      if (m === undefined && (d.generation as number) === g.generation && g.state === 'CompletingRebalance') {
        m = { memberId: id, instanceId: null, assignment: [] };
        g.members.push(m);
      }
      if (m === undefined) return;
      m.assignment = (d.partitions as [string, number][]).map(([t, p]): [string, number] => [t, p]);
      if ((d.generation as number) === g.generation && g.state === 'CompletingRebalance') g.state = 'Stable';
      if (g.state === 'Stable' && (d.generation as number) === g.generation) persist(g);
      g.lastSeq = e.seq;
      return;
    }
    case KafkaKinds.commit: {
      const g = groupOf(s, d.group as string);
      g.coordinator = e.node;
      for (const [topic, partition, offset] of d.offsets as [string, number, number][]) g.offsets.set(tpKey(topic, partition), { topic, partition, offset, seq: e.seq });
      g.lastSeq = e.seq;
      return;
    }
    case 'crash': {
      if (!s.brokers.has(e.node)) return;
      for (const p of s.partitions.values()) {
        if (p.replicas.delete(e.node)) p.lastSeq = e.seq;
      }
      for (const g of s.groups.values()) {
        if (g.coordinator !== e.node) continue;
        g.coordinator = null;
        g.lastSeq = e.seq;
      }
      return;
    }
    default:
      return;
  }
}

function applyMember(s: KafkaState, e: HistoryEntry, d: Data): void {
  const g = groupOf(s, d.group as string);
  g.coordinator = e.node;
  s.brokers.add(e.node);
  const id = d.member as string | undefined;
  switch (d.event) {
    case 'join':
      if (id !== undefined && !g.members.some((m) => m.memberId === id)) g.members.push({ memberId: id, instanceId: (d.instance as string | undefined) ?? null, assignment: [] });
      break;
    case 'leave': {
      g.members = g.members.filter((m) => m.memberId !== id);
      if (g.leader === id) g.leader = null;
      break;
    }
    case 'static-rejoin': {
      // The new instance takes the old one's place and assignment.
      const old = g.members.find((m) => m.memberId === d.replaced);
      if (old !== undefined && id !== undefined) old.memberId = id;
      if (g.leader === d.replaced && id !== undefined) g.leader = id;
      break;
    }
    case 'prepare-rebalance':
      g.state = 'PreparingRebalance';
      break;
    default:
      break;
  }
  g.lastSeq = e.seq;
}

/** The kinds the fold reads; everything else is skipped before it is stored. */
const KAFKA_STEP_KINDS: ReadonlySet<string> = new Set([
  KafkaKinds.topic,
  KafkaKinds.leader,
  KafkaKinds.isrShrink,
  KafkaKinds.isrExpand,
  KafkaKinds.role,
  KafkaKinds.append,
  KafkaKinds.hw,
  KafkaKinds.truncate,
  KafkaKinds.retention,
  KafkaKinds.unflushedLost,
  KafkaKinds.rebalance,
  KafkaKinds.assign,
  KafkaKinds.commit,
]);

const RULES: FoldRules<KafkaState, HistoryEntry> = { initial: emptyState, clone: cloneState, apply: applyKafka };

/**
 * Feeds the Kafka fold from the history as it streams (HistoryStore calls `add` for every entry)
 * and answers `at(seq)` for the inspector views.
 */
export class KafkaIndex {
  private readonly fold = new CheckpointedFold<KafkaState, HistoryEntry>(RULES);
  private seen = false;

  /** True once the history has a Kafka topic or broker in it. */
  get present(): boolean {
    return this.seen;
  }

  get steps(): number {
    return this.fold.length;
  }

  add(e: HistoryEntry): void {
    const kind = e.kind;
    // Most entries are sends and deliveries: one character rules them out.
    if (kind.charCodeAt(0) !== 107 /* k */ && kind !== 'crash') return;
    if (kind === 'crash') {
      if (this.seen) this.fold.add(e);
      return;
    }
    if (kind === KafkaKinds.member) {
      // The client's own poll-timeout notice changes nothing at the coordinator.
      if ((e.data as Data | undefined)?.event === 'poll-timeout') return;
    } else if (!KAFKA_STEP_KINDS.has(kind)) return;
    this.seen = true;
    this.fold.add(e);
  }

  /** The state after entry `seq` (shared: do not change it). */
  at(seq: number): KafkaState {
    return this.fold.at(seq);
  }
}

/** Folds a whole history at once (tests, the CLI): the state after its last entry. */
export function foldKafka(entries: Iterable<HistoryEntry>): KafkaState {
  const index = new KafkaIndex();
  let last = -1;
  for (const e of entries) {
    index.add(e);
    last = e.seq;
  }
  return index.at(last);
}
