/**
 * The group coordinator of Kafka's classic consumer-group protocol, hosted by the leader of the
 * `__consumer_offsets` partition that owns the group (`abs(groupId.hashCode) % partitions`).
 * Follows Kafka's `GroupCoordinator` and `GroupMetadata`
 * (https://kafka.apache.org/documentation/#consumerconfigs, KIP-62, KIP-345, KIP-394, KIP-429):
 *
 * - states Empty → PreparingRebalance → CompletingRebalance → Stable (Dead once the coordinator moves);
 * - a new dynamic member first gets MEMBER_ID_REQUIRED with its id (KIP-394), then joins;
 * - a rebalance waits for every known member to rejoin, at most the largest rebalance timeout
 *   (max.poll.interval.ms); the first rebalance of an empty group waits
 *   `group.initial.rebalance.delay.ms` for more members;
 * - the group leader (a client) computes the assignment and sends it in SyncGroup;
 * - members heartbeat; one silent for its session timeout is removed and the group rebalances;
 * - static members (group.instance.id) rejoining with unchanged metadata get their old assignment
 *   without a rebalance, and an older instance of the same id is fenced (FENCED_INSTANCE_ID);
 * - offset commits are records in the `__consumer_offsets` log, acknowledged once replicated
 *   (acks=all), as is the group's membership after each rebalance, so a new coordinator loads both.
 */

import type { Timer } from '../../kernel';
import type { KafkaBroker } from './broker.ts';
import { KafkaKinds } from './kinds.ts';
import type { NewRecord } from './log-record.ts';
import {
  tpKey,
  type DescribeGroupRequest,
  type ErrorCode,
  type GroupDescription,
  type GroupProtocol,
  type HeartbeatRequest,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type KafkaRequest,
  type LeaveGroupRequest,
  type OffsetCommitRequest,
  type OffsetFetchRequest,
  type SyncGroupRequest,
  type SyncGroupResponse,
  type TP,
  type TxnOffsetCommitRequest,
} from './protocol.ts';
import type { Replica } from './replica.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientNode: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: TP[];
  joinReply: ((resp: Omit<JoinGroupResponse, 're' | 'type'>) => void) | null;
  syncReply: ((resp: Omit<SyncGroupResponse, 're' | 'type'>) => void) | null;
  sessionTimer: Timer | null;
}

interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export interface Group {
  readonly id: string;
  readonly partition: number;
  state: GroupState;
  generation: number;
  protocol: string | null;
  leader: string | null;
  readonly members: Map<string, Member>;
  readonly pendingMemberIds: Set<string>;
  readonly staticMembers: Map<string, string>;
  rebalanceTimer: Timer | null;
  initialDelayUntilUs: number;
  readonly offsets: Map<string, CommittedOffset>;
  readonly pendingTxnOffsets: Map<number, Map<string, CommittedOffset>>;
}

interface OwnedPartition {
  replica: Replica;
  groups: Map<string, Group>;
}

const OFFSET_KEY = 'offset';
const GROUP_KEY = 'group';
const SEP = '\u0000';

export class GroupCoordinator {
  private readonly owned = new Map<number, OwnedPartition>();

  constructor(private readonly broker: KafkaBroker) {}

  /** Groups this broker coordinates now (for inspectors). */
  groups(): Group[] {
    const out: Group[] = [];
    for (const o of this.owned.values()) for (const g of o.groups.values()) out.push(g);
    return out;
  }

  group(groupId: string): Group | undefined {
    return this.owned.get(this.broker.coordinatorPartition(groupId, 'group'))?.groups.get(groupId);
  }

  // -------------------------------------------------------------------------------------------
  // Ownership

  /** This broker now leads an offsets partition: load its groups and offsets from the log. */
  onElected(partition: number, replica: Replica): void {
    const o: OwnedPartition = { replica, groups: new Map() };
    this.owned.set(partition, o);
    const all = replica.log.read(replica.log.logStartOffset, Number.MAX_SAFE_INTEGER);
    if (all.kind !== 'records') return;
    for (const rec of all.records) {
      if (rec.control !== undefined) {
        for (const g of o.groups.values()) this.settleTxnOffsets(g, rec.producerId ?? -1, rec.control === 'commit');
        continue;
      }
      if (rec.key === null) continue;
      const parts = rec.key.split(SEP);
      const g = this.getOrCreate(o, partition, parts[1]!);
      if (parts[0] === OFFSET_KEY) {
        const k = tpKey(parts[2]!, Number(parts[3]));
        if (rec.isTransactional === true) {
          let pending = g.pendingTxnOffsets.get(rec.producerId ?? -1);
          if (pending === undefined) g.pendingTxnOffsets.set(rec.producerId ?? -1, (pending = new Map()));
          if (rec.value !== null) pending.set(k, JSON.parse(rec.value) as CommittedOffset);
        } else if (rec.value === null) g.offsets.delete(k);
        else g.offsets.set(k, JSON.parse(rec.value) as CommittedOffset);
      } else if (parts[0] === GROUP_KEY) {
        this.restoreMembership(g, rec.value === null ? null : (JSON.parse(rec.value) as PersistedGroup));
      }
    }
  }

  /** This broker no longer leads the partition: its groups move to the new coordinator. */
  onResigned(partition: number): void {
    const o = this.owned.get(partition);
    if (o === undefined) return;
    this.owned.delete(partition);
    for (const g of o.groups.values()) {
      g.state = 'Dead';
      if (g.rebalanceTimer !== null) this.broker.node.cancelTimer(g.rebalanceTimer);
      for (const m of g.members.values()) {
        if (m.sessionTimer !== null) this.broker.node.cancelTimer(m.sessionTimer);
        m.joinReply?.(joinError('NOT_COORDINATOR', m.memberId));
        m.syncReply?.({ error: 'NOT_COORDINATOR', partitions: [] });
      }
    }
  }

  /** A transaction marker reached an offsets partition: transactional offset commits become visible or vanish. */
  onTxnMarker(partition: number, producerId: number, commit: boolean): void {
    const o = this.owned.get(partition);
    if (o === undefined) return;
    for (const g of o.groups.values()) this.settleTxnOffsets(g, producerId, commit);
  }

  private settleTxnOffsets(g: Group, producerId: number, commit: boolean): void {
    const pending = g.pendingTxnOffsets.get(producerId);
    if (pending === undefined) return;
    g.pendingTxnOffsets.delete(producerId);
    if (commit) for (const [k, v] of pending) g.offsets.set(k, v);
  }

  private getOrCreate(o: OwnedPartition, partition: number, groupId: string): Group {
    let g = o.groups.get(groupId);
    if (g === undefined) {
      g = {
        id: groupId,
        partition,
        state: 'Empty',
        generation: 0,
        protocol: null,
        leader: null,
        members: new Map(),
        pendingMemberIds: new Set(),
        staticMembers: new Map(),
        rebalanceTimer: null,
        initialDelayUntilUs: 0,
        offsets: new Map(),
        pendingTxnOffsets: new Map(),
      };
      o.groups.set(groupId, g);
    }
    return g;
  }

  /** The group, if this broker coordinates it; otherwise the error to answer with. */
  private lookup(groupId: string): { g: Group; o: OwnedPartition } | { error: ErrorCode } {
    const partition = this.broker.coordinatorPartition(groupId, 'group');
    const o = this.owned.get(partition);
    if (o === undefined || o.replica.role !== 'leader') return { error: 'NOT_COORDINATOR' };
    return { g: this.getOrCreate(o, partition, groupId), o };
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  onRequest(req: KafkaRequest, from: string): void {
    switch (req.type) {
      case 'JoinGroup':
        return this.onJoin(req, from);
      case 'SyncGroup':
        return this.onSync(req, from);
      case 'Heartbeat':
        return this.onHeartbeat(req, from);
      case 'LeaveGroup':
        return this.onLeave(req, from);
      case 'OffsetCommit':
        return this.onOffsetCommit(req, from);
      case 'TxnOffsetCommit':
        return this.onTxnOffsetCommit(req, from);
      case 'OffsetFetch':
        return this.onOffsetFetch(req, from);
      case 'DescribeGroup':
        return this.onDescribe(req, from);
      default:
        return;
    }
  }

  private onJoin(req: JoinGroupRequest, from: string): void {
    const reply = (resp: Omit<JoinGroupResponse, 're' | 'type'>): void =>
      this.broker.rpc.reply(from, { type: 'JoinGroupResponse', re: req.cid, ...resp }, { type: 'JoinGroupResponse', group: req.groupId, error: resp.error, generation: resp.generation });
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply(joinError(found.error, req.memberId));
    const g = found.g;
    const cfg = this.broker.ctx.config;
    if (req.sessionTimeoutMs < cfg['group.min.session.timeout.ms'] || req.sessionTimeoutMs > cfg['group.max.session.timeout.ms']) {
      return reply(joinError('INVALID_SESSION_TIMEOUT', req.memberId));
    }
    if (g.members.size > 0 && !req.protocols.some((p) => [...g.members.values()].every((m) => m.memberId === req.memberId || m.protocols.some((q) => q.name === p.name)))) {
      return reply(joinError('INCONSISTENT_GROUP_PROTOCOL', req.memberId));
    }
    if (req.memberId === '') {
      const memberId = `${req.clientId}-${this.newId()}`;
      if (req.groupInstanceId === null) {
        // KIP-394: a new member learns its id first, and must join again with it; an id that is
        // not used within the session timeout is forgotten, so it cannot hold up a rebalance.
        g.pendingMemberIds.add(memberId);
        this.broker.node.setTimer(req.sessionTimeoutMs * 1000, () => {
          if (!g.pendingMemberIds.delete(memberId)) return;
          this.maybeCompleteJoin(g);
        });
        return reply(joinError('MEMBER_ID_REQUIRED', memberId));
      }
      const oldId = g.staticMembers.get(req.groupInstanceId);
      const old = oldId === undefined ? undefined : g.members.get(oldId);
      if (old !== undefined) {
        // A static member restarted: the new instance replaces the old one (which is now fenced).
        this.replaceMember(g, old, memberId, req, from);
        const m = g.members.get(memberId)!;
        if (g.state === 'Stable' && sameProtocols(old.protocols, req.protocols)) {
          this.touch(g, m);
          this.broker.node.record(KafkaKinds.member, { group: g.id, member: memberId, event: 'static-rejoin', instance: req.groupInstanceId, replaced: old.memberId });
          const isLeader = g.leader === memberId;
          return reply({ error: 'NONE', generation: g.generation, protocol: g.protocol, leader: g.leader ?? '', memberId, members: isLeader ? this.memberList(g) : [], skipAssignment: isLeader });
        }
        m.joinReply = reply;
        return this.joinPending(g, `static member ${req.groupInstanceId} rejoined with new metadata`);
      }
      const m = this.addMember(g, memberId, req, from);
      m.joinReply = reply;
      return this.joinPending(g, `static member ${req.groupInstanceId} joined`);
    }
    const m = g.members.get(req.memberId);
    if (m === undefined) {
      if (req.groupInstanceId !== null && g.staticMembers.has(req.groupInstanceId)) return reply(joinError('FENCED_INSTANCE_ID', req.memberId));
      if (!g.pendingMemberIds.delete(req.memberId)) return reply(joinError('UNKNOWN_MEMBER_ID', req.memberId));
      const added = this.addMember(g, req.memberId, req, from);
      added.joinReply = reply;
      return this.joinPending(g, `member ${req.memberId} joined`);
    }
    if (req.groupInstanceId !== null && g.staticMembers.get(req.groupInstanceId) !== req.memberId) return reply(joinError('FENCED_INSTANCE_ID', req.memberId));
    const changed = !sameProtocols(m.protocols, req.protocols);
    m.protocols = req.protocols;
    m.clientNode = from;
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if ((g.state === 'Stable' || g.state === 'CompletingRebalance') && !changed && g.leader !== m.memberId) {
      // A follower rejoining with unchanged metadata: it gets the current generation back.
      this.touch(g, m);
      return reply({ error: 'NONE', generation: g.generation, protocol: g.protocol, leader: g.leader ?? '', memberId: m.memberId, members: [], skipAssignment: false });
    }
    m.joinReply = reply;
    this.joinPending(g, `member ${m.memberId} rejoined`);
  }

  /** A member is waiting to join: start (or continue) a rebalance and complete it once everyone is in. */
  private joinPending(g: Group, reason: string): void {
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g, reason);
    else if (this.broker.node.nowUs < g.initialDelayUntilUs) this.extendInitialDelay(g);
    this.maybeCompleteJoin(g);
  }

  private prepareRebalance(g: Group, reason: string): void {
    const node = this.broker.node;
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        m.syncReply?.({ error: 'REBALANCE_IN_PROGRESS', partitions: [] });
        m.syncReply = null;
      }
    }
    const wasEmpty = g.state === 'Empty';
    g.state = 'PreparingRebalance';
    if (g.rebalanceTimer !== null) node.cancelTimer(g.rebalanceTimer);
    let delayMs = this.rebalanceTimeoutMs(g);
    if (wasEmpty) {
      // InitialDelayedJoin: give other members of a new group a moment to arrive.
      delayMs = Math.min(this.broker.ctx.config['group.initial.rebalance.delay.ms'], delayMs);
      g.initialDelayUntilUs = node.nowUs + delayMs * 1000;
    } else g.initialDelayUntilUs = 0;
    this.broker.node.record(KafkaKinds.member, { group: g.id, event: 'prepare-rebalance', reason });
    g.rebalanceTimer = node.setTimer(delayMs * 1000, () => {
      g.rebalanceTimer = null;
      if (node.nowUs < g.initialDelayUntilUs) return;
      this.completeJoin(g);
    });
  }

  private extendInitialDelay(g: Group): void {
    const node = this.broker.node;
    const extraUs = this.broker.ctx.config['group.initial.rebalance.delay.ms'] * 1000;
    const capUs = this.rebalanceTimeoutMs(g) * 1000;
    const untilUs = Math.min(node.nowUs + extraUs, node.nowUs + capUs);
    if (untilUs <= g.initialDelayUntilUs) return;
    g.initialDelayUntilUs = untilUs;
    if (g.rebalanceTimer !== null) node.cancelTimer(g.rebalanceTimer);
    g.rebalanceTimer = node.setTimer(untilUs - node.nowUs, () => {
      g.rebalanceTimer = null;
      this.completeJoin(g);
    });
  }

  private rebalanceTimeoutMs(g: Group): number {
    let max = 0;
    for (const m of g.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return Math.max(max, 1);
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance' || this.broker.node.nowUs < g.initialDelayUntilUs) return;
    for (const m of g.members.values()) if (m.joinReply === null) return;
    if (g.pendingMemberIds.size > 0) return;
    this.completeJoin(g);
  }

  private completeJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    const node = this.broker.node;
    if (g.rebalanceTimer !== null) {
      node.cancelTimer(g.rebalanceTimer);
      g.rebalanceTimer = null;
    }
    // Dynamic members that did not rejoin in time are gone; static ones keep their place.
    for (const m of [...g.members.values()]) {
      if (m.joinReply === null && m.groupInstanceId === null) this.removeMember(g, m, 'did not rejoin within the rebalance timeout');
    }
    g.pendingMemberIds.clear();
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leader = null;
      node.record(KafkaKinds.rebalance, { group: g.id, generation: g.generation, members: 0, protocol: null, leader: null });
      this.persistMembership(g);
      return;
    }
    g.state = 'CompletingRebalance';
    g.protocol = selectProtocol([...g.members.values()]);
    if (g.leader === null || !g.members.has(g.leader)) g.leader = [...g.members.values()].find((m) => m.joinReply !== null)?.memberId ?? g.members.keys().next().value!;
    node.record(KafkaKinds.rebalance, { group: g.id, generation: g.generation, members: g.members.size, protocol: g.protocol, leader: g.leader });
    const members = this.memberList(g);
    for (const m of g.members.values()) {
      const cb = m.joinReply;
      m.joinReply = null;
      this.touch(g, m);
      cb?.({ error: 'NONE', generation: g.generation, protocol: g.protocol, leader: g.leader, memberId: m.memberId, members: m.memberId === g.leader ? members : [], skipAssignment: false });
    }
  }

  private memberList(g: Group): JoinGroupResponse['members'] {
    const out: JoinGroupResponse['members'] = [];
    for (const m of g.members.values()) {
      const metadata = m.protocols.find((p) => p.name === g.protocol) ?? m.protocols[0]!;
      out.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata });
    }
    return out;
  }

  private addMember(g: Group, memberId: string, req: JoinGroupRequest, from: string): Member {
    const m: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientNode: from,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: [],
      joinReply: null,
      syncReply: null,
      sessionTimer: null,
    };
    g.members.set(memberId, m);
    if (req.groupInstanceId !== null) g.staticMembers.set(req.groupInstanceId, memberId);
    this.broker.node.record(KafkaKinds.member, { group: g.id, member: memberId, event: 'join', ...(req.groupInstanceId !== null ? { instance: req.groupInstanceId } : {}) });
    return m;
  }

  private replaceMember(g: Group, old: Member, memberId: string, req: JoinGroupRequest, from: string): void {
    if (old.sessionTimer !== null) this.broker.node.cancelTimer(old.sessionTimer);
    old.joinReply?.(joinError('FENCED_INSTANCE_ID', old.memberId));
    old.syncReply?.({ error: 'FENCED_INSTANCE_ID', partitions: [] });
    // Keep the member's place (Map order) by rebuilding the map with the new id in the old slot.
    const entries = [...g.members.entries()];
    g.members.clear();
    for (const [id, m] of entries) {
      if (id !== old.memberId) g.members.set(id, m);
      else g.members.set(memberId, { ...old, memberId, clientId: req.clientId, clientNode: from, sessionTimeoutMs: req.sessionTimeoutMs, rebalanceTimeoutMs: req.rebalanceTimeoutMs, protocols: req.protocols, joinReply: null, syncReply: null, sessionTimer: null });
    }
    g.staticMembers.set(req.groupInstanceId!, memberId);
    if (g.leader === old.memberId) g.leader = memberId;
  }

  private removeMember(g: Group, m: Member, reason: string): void {
    if (m.sessionTimer !== null) this.broker.node.cancelTimer(m.sessionTimer);
    m.sessionTimer = null;
    g.members.delete(m.memberId);
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    if (g.leader === m.memberId) g.leader = null;
    this.broker.node.record(KafkaKinds.member, { group: g.id, member: m.memberId, event: 'leave', reason });
  }

  /** Restarts the member's session timer (a heartbeat, a join or a sync arrived). */
  private touch(g: Group, m: Member): void {
    const node = this.broker.node;
    if (m.sessionTimer !== null) node.cancelTimer(m.sessionTimer);
    m.sessionTimer = node.setTimer(m.sessionTimeoutMs * 1000, () => {
      m.sessionTimer = null;
      if (g.members.get(m.memberId) !== m || g.state === 'Dead') return;
      // A member waiting in a rebalance is kept alive by its pending join.
      if (m.joinReply !== null) return this.touch(g, m);
      this.removeMember(g, m, 'session timeout');
      this.onMembershipDrop(g);
    });
  }

  private onMembershipDrop(g: Group): void {
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') {
      if (g.members.size === 0) {
        g.state = 'PreparingRebalance';
        this.completeJoin(g);
      } else this.prepareRebalance(g, 'a member left');
    } else if (g.state === 'PreparingRebalance') {
      if (g.members.size === 0) this.completeJoin(g);
      else this.maybeCompleteJoin(g);
    }
  }

  private onSync(req: SyncGroupRequest, from: string): void {
    const reply = (resp: Omit<SyncGroupResponse, 're' | 'type'>): void =>
      this.broker.rpc.reply(from, { type: 'SyncGroupResponse', re: req.cid, ...resp }, { type: 'SyncGroupResponse', group: req.groupId, error: resp.error, partitions: resp.partitions.length });
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply({ error: found.error, partitions: [] });
    const g = found.g;
    const m = g.members.get(req.memberId);
    if (m === undefined) return reply({ error: req.groupInstanceId !== null && g.staticMembers.has(req.groupInstanceId) ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID', partitions: [] });
    if (req.generation !== g.generation) return reply({ error: 'ILLEGAL_GENERATION', partitions: [] });
    if (g.state === 'PreparingRebalance' || g.state === 'Empty' || g.state === 'Dead') return reply({ error: 'REBALANCE_IN_PROGRESS', partitions: [] });
    this.touch(g, m);
    if (g.state === 'Stable') return reply({ error: 'NONE', partitions: m.assignment });
    m.syncReply = reply;
    if (req.memberId !== g.leader) return;
    const byMember = new Map(req.assignments.map((a) => [a.memberId, a.partitions]));
    for (const member of g.members.values()) member.assignment = byMember.get(member.memberId) ?? [];
    g.state = 'Stable';
    this.persistMembership(g);
    for (const member of g.members.values()) {
      const cb = member.syncReply;
      member.syncReply = null;
      cb?.({ error: 'NONE', partitions: member.assignment });
    }
  }

  private onHeartbeat(req: HeartbeatRequest, from: string): void {
    const reply = (error: ErrorCode): void => this.broker.rpc.reply(from, { type: 'HeartbeatResponse', re: req.cid, error }, { type: 'HeartbeatResponse', error });
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply(found.error);
    const g = found.g;
    const m = g.members.get(req.memberId);
    if (m === undefined) return reply(req.groupInstanceId !== null && g.staticMembers.has(req.groupInstanceId) ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID');
    if (req.generation !== g.generation) return reply('ILLEGAL_GENERATION');
    this.touch(g, m);
    reply(g.state === 'PreparingRebalance' ? 'REBALANCE_IN_PROGRESS' : 'NONE');
  }

  private onLeave(req: LeaveGroupRequest, from: string): void {
    const reply = (error: ErrorCode): void => this.broker.rpc.reply(from, { type: 'LeaveGroupResponse', re: req.cid, error }, { type: 'LeaveGroupResponse', error });
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply(found.error);
    const g = found.g;
    const id = req.groupInstanceId !== null ? g.staticMembers.get(req.groupInstanceId) ?? req.memberId : req.memberId;
    const m = g.members.get(id);
    if (m === undefined) return reply('UNKNOWN_MEMBER_ID');
    this.removeMember(g, m, req.reason);
    this.onMembershipDrop(g);
    reply('NONE');
  }

  private onDescribe(req: DescribeGroupRequest, from: string): void {
    const found = this.lookup(req.groupId);
    const reply = (error: ErrorCode, group: GroupDescription | null): void =>
      this.broker.rpc.reply(from, { type: 'DescribeGroupResponse', re: req.cid, error, group }, { type: 'DescribeGroupResponse', group: req.groupId });
    if ('error' in found) return reply(found.error, null);
    reply('NONE', describeGroup(found.g));
  }

  // -------------------------------------------------------------------------------------------
  // Offsets

  private onOffsetCommit(req: OffsetCommitRequest, from: string): void {
    const reply = (error: ErrorCode): void => {
      const results = req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, error }));
      this.broker.rpc.reply(from, { type: 'OffsetCommitResponse', re: req.cid, results }, { type: 'OffsetCommitResponse', group: req.groupId, error });
    };
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply(found.error);
    const { g, o } = found;
    if (req.generation < 0) {
      // A commit from outside the group protocol (manual assignment, admin tools): only for an empty group.
      if (g.members.size > 0) return reply('UNKNOWN_MEMBER_ID');
    } else {
      const m = g.members.get(req.memberId);
      if (m === undefined) return reply(req.groupInstanceId !== null && g.staticMembers.has(req.groupInstanceId) ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID');
      if (req.generation !== g.generation) return reply('ILLEGAL_GENERATION');
      if (g.state === 'CompletingRebalance') return reply('REBALANCE_IN_PROGRESS');
      this.touch(g, m);
    }
    const now = this.broker.nowMs();
    const records: NewRecord[] = req.offsets.map((x) => ({ key: offsetKey(g.id, x.topic, x.partition), value: JSON.stringify({ topic: x.topic, partition: x.partition, offset: x.offset, metadata: x.metadata }), timestampMs: now }));
    this.appendAndAwait(o.replica, records, (error) => {
      if (error === 'NONE') {
        for (const x of req.offsets) g.offsets.set(tpKey(x.topic, x.partition), { topic: x.topic, partition: x.partition, offset: x.offset, metadata: x.metadata });
        this.broker.node.record(KafkaKinds.commit, { group: g.id, member: req.memberId, offsets: req.offsets.map((x) => [x.topic, x.partition, x.offset]) });
      }
      reply(error);
    });
  }

  private onTxnOffsetCommit(req: TxnOffsetCommitRequest, from: string): void {
    const reply = (error: ErrorCode): void => this.broker.rpc.reply(from, { type: 'TxnOffsetCommitResponse', re: req.cid, error }, { type: 'TxnOffsetCommitResponse', group: req.groupId, error });
    const found = this.lookup(req.groupId);
    if ('error' in found) return reply(found.error);
    const { g, o } = found;
    const now = this.broker.nowMs();
    const records: NewRecord[] = req.offsets.map((x) => ({
      key: offsetKey(g.id, x.topic, x.partition),
      value: JSON.stringify({ topic: x.topic, partition: x.partition, offset: x.offset, metadata: x.metadata }),
      timestampMs: now,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      isTransactional: true,
    }));
    this.appendAndAwait(o.replica, records, (error) => {
      if (error === 'NONE') {
        let pending = g.pendingTxnOffsets.get(req.producerId);
        if (pending === undefined) g.pendingTxnOffsets.set(req.producerId, (pending = new Map()));
        for (const x of req.offsets) pending.set(tpKey(x.topic, x.partition), { topic: x.topic, partition: x.partition, offset: x.offset, metadata: x.metadata });
      }
      reply(error);
    });
  }

  private onOffsetFetch(req: OffsetFetchRequest, from: string): void {
    const found = this.lookup(req.groupId);
    const reply = (error: ErrorCode, offsets: { topic: string; partition: number; offset: number; metadata: string | null; error: ErrorCode }[]): void =>
      this.broker.rpc.reply(from, { type: 'OffsetFetchResponse', re: req.cid, error, offsets }, { type: 'OffsetFetchResponse', group: req.groupId, error });
    if ('error' in found) return reply(found.error, []);
    const g = found.g;
    const wanted = req.partitions ?? [...g.offsets.values()].map((x) => ({ topic: x.topic, partition: x.partition }));
    if (req.requireStable) {
      // KIP-447: a read_committed consumer must not start from offsets a transaction may still change.
      for (const pending of g.pendingTxnOffsets.values()) {
        if (wanted.some((p) => pending.has(tpKey(p.topic, p.partition)))) return reply('UNSTABLE_OFFSET_COMMIT', []);
      }
    }
    reply(
      'NONE',
      wanted.map((p) => {
        const c = g.offsets.get(tpKey(p.topic, p.partition));
        return { topic: p.topic, partition: p.partition, offset: c?.offset ?? -1, metadata: c?.metadata ?? null, error: 'NONE' as ErrorCode };
      }),
    );
  }

  /** Appends to the group's offsets partition and waits until it is replicated (acks=all). */
  private appendAndAwait(r: Replica, records: NewRecord[], done: (error: ErrorCode) => void): void {
    if (r.role !== 'leader') return done('NOT_COORDINATOR');
    const appended = this.broker.appendAsLeader(r, records);
    if (appended.error !== 'NONE') return done(mapAppendError(appended.error));
    this.broker.awaitHw(r, appended.lastOffset + 1, this.broker.ctx.config['offsets.commit.timeout.ms'], (error) => done(mapAppendError(error)));
  }

  /** Writes the group's membership to its log so a new coordinator can carry on without a rebalance. */
  private persistMembership(g: Group): void {
    const o = this.owned.get(g.partition);
    if (o === undefined || o.replica.role !== 'leader') return;
    const value: PersistedGroup | null =
      g.members.size === 0
        ? null
        : {
            generation: g.generation,
            protocol: g.protocol,
            leader: g.leader,
            members: [...g.members.values()].map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientNode: m.clientNode,
              sessionTimeoutMs: m.sessionTimeoutMs,
              rebalanceTimeoutMs: m.rebalanceTimeoutMs,
              protocols: m.protocols,
              assignment: m.assignment,
            })),
          };
    this.broker.appendAsLeader(o.replica, [{ key: `${GROUP_KEY}${SEP}${g.id}`, value: value === null ? JSON.stringify({ generation: g.generation, empty: true }) : JSON.stringify(value), timestampMs: this.broker.nowMs() }]);
  }

  private restoreMembership(g: Group, p: PersistedGroup | null): void {
    for (const m of g.members.values()) if (m.sessionTimer !== null) this.broker.node.cancelTimer(m.sessionTimer);
    g.members.clear();
    g.staticMembers.clear();
    if (p === null || (p as { empty?: boolean }).empty === true || p.members === undefined) {
      g.state = 'Empty';
      g.generation = p?.generation ?? g.generation;
      g.leader = null;
      g.protocol = null;
      return;
    }
    g.state = 'Stable';
    g.generation = p.generation;
    g.protocol = p.protocol;
    g.leader = p.leader;
    for (const pm of p.members) {
      const m: Member = { ...pm, joinReply: null, syncReply: null, sessionTimer: null };
      g.members.set(m.memberId, m);
      if (m.groupInstanceId !== null) g.staticMembers.set(m.groupInstanceId, m.memberId);
      this.touch(g, m);
    }
  }

  private newId(): string {
    const rng = this.broker.node.rng;
    let s = '';
    for (let i = 0; i < 8; i++) s += '0123456789abcdef'[rng.int(0, 15)];
    return s;
  }
}

interface PersistedGroup {
  generation: number;
  protocol: string | null;
  leader: string | null;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientNode: string;
    sessionTimeoutMs: number;
    rebalanceTimeoutMs: number;
    protocols: GroupProtocol[];
    assignment: TP[];
  }[];
}

function offsetKey(group: string, topic: string, partition: number): string {
  return `${OFFSET_KEY}${SEP}${group}${SEP}${topic}${SEP}${partition}`;
}

function joinError(error: ErrorCode, memberId: string): Omit<JoinGroupResponse, 're' | 'type'> {
  return { error, generation: -1, protocol: null, leader: '', memberId, members: [], skipAssignment: false };
}

/** Kafka answers failed offset appends with coordinator errors, which clients retry. */
function mapAppendError(error: ErrorCode): ErrorCode {
  switch (error) {
    case 'NONE':
      return 'NONE';
    case 'NOT_LEADER_OR_FOLLOWER':
      return 'NOT_COORDINATOR';
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'REQUEST_TIMED_OUT':
    case 'KAFKA_STORAGE_ERROR':
      return 'COORDINATOR_NOT_AVAILABLE';
    default:
      return error;
  }
}

function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.name !== y.name || x.topics.length !== y.topics.length || x.topics.some((t, j) => t !== y.topics[j])) return false;
  }
  return true;
}

/**
 * Kafka's `GroupMetadata.selectProtocol`: among the protocols every member supports, each member
 * votes for the first in its own preference order; the most votes wins (ties: the earliest in the
 * first member's order).
 */
export function selectProtocol(members: readonly { protocols: readonly GroupProtocol[] }[]): string {
  const first = members[0]!.protocols.map((p) => p.name);
  const candidates = first.filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  const votes = new Map<string, number>();
  for (const m of members) {
    const choice = m.protocols.find((p) => candidates.includes(p.name))?.name;
    if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
  }
  let best = candidates[0]!;
  for (const c of candidates) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
  return best;
}

export function describeGroup(g: Group): GroupDescription {
  return {
    groupId: g.id,
    state: g.state,
    protocol: g.protocol,
    generation: g.generation,
    leader: g.leader,
    members: [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, assignment: m.assignment })),
  };
}

