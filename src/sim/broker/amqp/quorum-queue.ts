/**
 * One member of a quorum queue: a Raft replica whose state machine is the pure {@link QueueStore}
 * (RabbitMQ's `rabbit_fifo` on Ra). Every command a channel sends — enqueue, consume, ack, nack,
 * cancel, a channel going down — is appended to the leader's log, replicated, and applied on every
 * member in log order, so all replicas agree on which consumer holds which message. Only the
 * leader acts on the results (deliveries, confirms, dead-letters, replies).
 *
 * Safety, kept simple but whole (https://raft.github.io/raft.pdf, §5): a member votes once per
 * term for a candidate whose log is at least as up to date as its own, and only after its vote is
 * on disk; a follower acknowledges entries only after an fsync; the leader commits an entry of its
 * own term once a majority (itself included, after its own fsync) has it on disk; a new leader
 * appends a no-op so earlier entries commit. Hence a publish is confirmed only when a majority has
 * it durably, and a quorum queue survives the crash of any minority of its members
 * (https://www.rabbitmq.com/docs/quorum-queues#availability).
 *
 * Simplified: membership is fixed at declaration; the log is never snapshotted (a restarted
 * member replays it); leader elections are driven by timeouts, not Erlang node monitors.
 *
 * Channels number the commands they send each quorum queue (`qs`); the state machine applies each
 * channel's commands once and in order, so a channel can resend everything not yet applied to a
 * new leader (as `rabbit_fifo_client` does) without duplicates.
 */

import type { Timer } from '../../kernel.ts';
import { resourceName } from './amqp-error.ts';
import { AmqpKinds } from './kinds.ts';
import type { QueueRecord } from './metadata.ts';
import type { GetResult, QueueCommand, QueueReply, RaftCommand, RaftEntry, RaftMessage } from './protocol.ts';
import { QueueHistoryNames, type QueueHost } from './queue-host.ts';
import type { QueueStep } from './queue-step.ts';
import { QueueStore } from './queue.ts';
import { messageId } from './message.ts';

type Role = 'follower' | 'candidate' | 'leader';

interface Meta {
  readonly term: number;
  readonly votedFor: string | undefined;
  /** Which declaration of a queue with this name the files belong to. */
  readonly declaredUs: number;
}

/** Entries sent in one AppendEntries at most. */
const APPEND_BATCH_MAX = 2_000;

export class QuorumMember {
  store: QueueStore;
  role: Role = 'follower';
  term = 0;
  leader: string | undefined;
  private votedFor: string | undefined;
  private readonly log: RaftEntry[] = [];
  private commitIndex = 0;
  private lastApplied = 0;
  /** Our own log is on disk up to here. */
  private durableIndex = 0;
  private readonly votes = new Set<string>();
  private readonly nextIndex = new Map<string, number>();
  private readonly matchIndex = new Map<string, number>();
  private electionTimer: Timer | undefined;
  private heartbeatTimer: Timer | undefined;
  private replicationScheduled = false;
  private deleted = false;
  // Replicated state besides the store (identical on every member).
  private readonly chSeq = new Map<string, number>();
  private readonly consumers = new Map<string, { readonly ch: string; readonly tag: string; readonly exclusive: boolean }>();
  // Leader-only bookkeeping.
  private readonly appliedReplies = new Map<string, number>();
  private appliedFlushScheduled = false;
  private ttlTimer: Timer | undefined;
  private ttlAtMs: number | undefined;
  private leaseTimer: Timer | undefined;
  private leaseAtMs: number | undefined;
  private readonly metaKey: string;
  private readonly logName: string;
  /** What the per-message entries record for this queue and its channels. */
  private readonly historyNames: QueueHistoryNames;

  constructor(
    private readonly host: QueueHost,
    readonly record: QueueRecord,
  ) {
    this.store = new QueueStore(record.config, record.declaredUs / 1000, host.config.queueLimits);
    this.historyNames = new QueueHistoryNames(host, record.name);
    this.metaKey = `qq:${record.name}:meta`;
    this.logName = `qq:${record.name}:log`;
    this.recover();
  }

  get name(): string {
    return this.record.name;
  }

  private get me(): string {
    return this.host.node.name;
  }

  private get lastIndex(): number {
    return this.log.length;
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : this.log[index - 1]!.term;
  }

  /** Reads term, vote and log from disk (only what an fsync covered survives a crash). */
  private recover(): void {
    const meta = this.host.node.disk.get(this.metaKey) as Meta | undefined;
    if (meta === undefined || meta.declaredUs !== this.record.declaredUs) {
      // A new queue (or files of an older queue with the same name): start empty.
      this.host.node.diskTruncate(this.logName, 0);
      this.persistMeta();
    } else {
      this.term = meta.term;
      this.votedFor = meta.votedFor;
      for (const e of this.host.node.disk.readLog(this.logName)) this.log.push(e as RaftEntry);
      this.durableIndex = this.log.length;
    }
    this.resetElectionTimer();
  }

  /** The first member starts an election at once, so a new queue gets a leader quickly. */
  campaignNow(): void {
    if (this.electionTimer !== undefined) this.host.node.cancelTimer(this.electionTimer);
    this.electionTimer = this.host.node.setTimer(0, () => this.startElection());
  }

  /** A channel's command arrived here. Only the leader appends; others forward to the leader they know. */
  command(cmd: QueueCommand): void {
    if (this.deleted) return;
    if (this.role !== 'leader') {
      if (this.leader !== undefined && this.leader !== this.me) this.host.toNode(this.leader, cmd);
      return;
    }
    if (cmd.k === 'q.stat') {
      if (cmd.redeclare) this.store.redeclared(this.host.nowMs());
      this.host.toChannel({ k: 'ch.reply', ch: cmd.ch, rid: cmd.rid, reply: this.stat() });
      return;
    }
    if (cmd.k === 'q.resume') return;
    this.append({ ...cmd, nowMs: this.host.nowMs() } as RaftCommand);
  }

  stat(): QueueReply {
    return { ok: true, messageCount: this.store.messagesReady, consumerCount: this.store.consumerCount };
  }

  /** Messages held and their bytes (the leader's view), for the memory monitor. */
  memory(): { messages: number; bytes: number } {
    const s = this.store;
    return { messages: s.messagesReady + s.messagesUnacknowledged, bytes: s.messageBytesReady + s.messageBytesUnacknowledged };
  }

  /** Channels holding consumers or deliveries of this queue (replicated state). */
  channels(): string[] {
    const out = new Set<string>();
    for (const c of this.consumers.values()) out.add(c.ch);
    for (const u of this.store.unackedDeliveries()) out.add(u.channelId);
    return [...out];
  }

  /** Leader: tells the queue these channels are gone (their node died or restarted). */
  channelsDown(channelIds: readonly string[]): void {
    if (this.role !== 'leader') return;
    const now = this.host.nowMs();
    for (const ch of channelIds) this.append({ k: 'q.chdown', q: this.name, ch, nowMs: now });
  }

  // ------------------------------------------------------------ Raft

  onRaft(from: string, m: RaftMessage): void {
    if (this.deleted) return;
    switch (m.k) {
      case 'rf.vote':
        this.onVote(from, m);
        return;
      case 'rf.vote-reply':
        this.onVoteReply(from, m);
        return;
      case 'rf.append':
        this.onAppend(from, m);
        return;
      case 'rf.append-reply':
        this.onAppendReply(from, m);
        return;
      case 'rf.leader':
        return;
    }
  }

  private persistMeta(): void {
    this.host.node.diskPut(this.metaKey, { term: this.term, votedFor: this.votedFor, declaredUs: this.record.declaredUs } satisfies Meta);
  }

  private others(): string[] {
    return this.record.members.filter((n) => n !== this.me);
  }

  private majority(): number {
    return Math.floor(this.record.members.length / 2) + 1;
  }

  private resetElectionTimer(): void {
    const node = this.host.node;
    if (this.electionTimer !== undefined) node.cancelTimer(this.electionTimer);
    const { raftElectionTimeoutMinMs: lo, raftElectionTimeoutMaxMs: hi } = this.host.config;
    const ms = lo + node.rng.next() * (hi - lo);
    this.electionTimer = node.setTimer(Math.round(ms * 1000), () => {
      this.electionTimer = undefined;
      if (this.role === 'leader' || this.deleted) return;
      // The queue may have been deleted while this member was away or cut off.
      if (this.host.metadata.queue(this.name)?.declaredUs !== this.record.declaredUs) {
        this.destroy('deleted');
        return;
      }
      this.startElection();
    });
  }

  private stepDown(term: number): void {
    const wasLeader = this.role === 'leader';
    if (term > this.term) {
      this.term = term;
      this.votedFor = undefined;
      this.persistMeta();
    }
    this.role = 'follower';
    if (wasLeader) this.leaderLost();
    this.resetElectionTimer();
  }

  private startElection(): void {
    if (this.deleted) return;
    this.role = 'candidate';
    this.term += 1;
    this.votedFor = this.me;
    this.leader = undefined;
    this.votes.clear();
    this.votes.add(this.me);
    this.persistMeta();
    const term = this.term;
    this.resetElectionTimer();
    // The vote for ourselves must be durable before we ask for others'.
    this.host.diskSync.sync((err) => {
      // A vote that is not on disk must not count (a full disk, for one).
      if (err !== undefined || this.role !== 'candidate' || this.term !== term) return;
      if (this.votes.size >= this.majority()) {
        this.becomeLeader();
        return;
      }
      for (const n of this.others()) {
        this.host.toNode(n, { k: 'rf.vote', q: this.name, term, lastIndex: this.lastIndex, lastTerm: this.termAt(this.lastIndex) });
      }
    });
  }

  private onVote(from: string, m: Extract<RaftMessage, { k: 'rf.vote' }>): void {
    if (m.term > this.term) this.stepDown(m.term);
    const myLastTerm = this.termAt(this.lastIndex);
    const upToDate = m.lastTerm > myLastTerm || (m.lastTerm === myLastTerm && m.lastIndex >= this.lastIndex);
    const grant = m.term === this.term && (this.votedFor === undefined || this.votedFor === from) && upToDate;
    const term = this.term;
    if (grant) {
      this.votedFor = from;
      this.persistMeta();
      this.resetElectionTimer();
      this.host.diskSync.sync((err) => {
        if (err === undefined) this.host.toNode(from, { k: 'rf.vote-reply', q: this.name, term, granted: true });
      });
    } else this.host.toNode(from, { k: 'rf.vote-reply', q: this.name, term, granted: false });
  }

  private onVoteReply(from: string, m: Extract<RaftMessage, { k: 'rf.vote-reply' }>): void {
    if (m.term > this.term) {
      this.stepDown(m.term);
      return;
    }
    if (this.role !== 'candidate' || m.term !== this.term || !m.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority()) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leader = this.me;
    if (this.electionTimer !== undefined) this.host.node.cancelTimer(this.electionTimer);
    this.electionTimer = undefined;
    for (const n of this.others()) {
      this.nextIndex.set(n, this.lastIndex + 1);
      this.matchIndex.set(n, 0);
    }
    const record = this.host.metadata.queue(this.name);
    if (record !== undefined && record.leaderTerm <= this.term) {
      record.leader = this.me;
      record.leaderTerm = this.term;
    }
    this.host.record(AmqpKinds.leader, { q: this.name, node: this.me, term: this.term });
    for (const n of this.host.metadata.clusterNodes) this.host.toNode(n, { k: 'rf.leader', q: this.name, term: this.term, leader: this.me });
    // A no-op of our own term lets everything before it commit (Raft §5.4.2).
    this.append({ k: 'noop', q: this.name, nowMs: this.host.nowMs() });
    this.heartbeat();
    // Deliveries the old leader may not have sent: channels ignore the ones they already have.
    for (const u of this.store.unackedDeliveries()) {
      if (u.consumerTag === undefined) continue;
      this.host.toChannel({ k: 'ch.deliver', ch: u.channelId, q: this.name, tag: u.consumerTag, ackTag: u.ackTag, msg: u.message, redelivered: true, deliveryCount: 0, qq: true });
    }
    // Consumers whose channels died while there was no leader.
    const dead = this.channels().filter((ch) => !this.host.channelAlive(ch));
    if (dead.length > 0) this.channelsDown(dead);
    this.rearm();
  }

  private leaderLost(): void {
    if (this.heartbeatTimer !== undefined) this.host.node.cancelTimer(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (this.ttlTimer !== undefined) this.host.node.cancelTimer(this.ttlTimer);
    if (this.leaseTimer !== undefined) this.host.node.cancelTimer(this.leaseTimer);
    this.ttlTimer = this.leaseTimer = undefined;
    this.ttlAtMs = this.leaseAtMs = undefined;
  }

  private heartbeat(): void {
    if (this.role !== 'leader' || this.deleted) return;
    for (const n of this.others()) this.sendAppend(n);
    this.heartbeatTimer = this.host.node.setTimer(this.host.config.raftHeartbeatMs * 1000, () => {
      this.heartbeatTimer = undefined;
      this.heartbeat();
    });
  }

  private append(cmd: RaftCommand): void {
    const entry: RaftEntry = { term: this.term, cmd };
    this.log.push(entry);
    this.host.node.diskAppend(this.logName, entry);
    if (!this.replicationScheduled) {
      this.replicationScheduled = true;
      this.host.node.setTimer(0, this.replicate);
    }
  }

  /** Leader: one fsync for everything appended this instant, and one AppendEntries per follower. */
  private readonly replicate = (): void => {
    this.replicationScheduled = false;
    if (this.role !== 'leader' || this.deleted) return;
    const upTo = this.lastIndex;
    const term = this.term;
    this.host.diskSync.sync((err) => {
      if (err !== undefined || this.term !== term || this.role !== 'leader') return;
      if (upTo > this.durableIndex) this.durableIndex = upTo;
      this.advanceCommit();
    });
    for (const n of this.others()) this.sendAppend(n);
  };

  private sendAppend(to: string): void {
    const next = this.nextIndex.get(to) ?? this.lastIndex + 1;
    const prevIndex = next - 1;
    const end = Math.min(this.lastIndex, prevIndex + APPEND_BATCH_MAX);
    const entries = this.log.slice(prevIndex, end);
    this.host.toNode(to, { k: 'rf.append', q: this.name, term: this.term, prevIndex, prevTerm: this.termAt(prevIndex), entries, commit: this.commitIndex });
    // Pipelining: assume it arrives; a failure reply winds nextIndex back.
    this.nextIndex.set(to, end + 1);
  }

  private onAppend(from: string, m: Extract<RaftMessage, { k: 'rf.append' }>): void {
    if (m.term < this.term) {
      this.host.toNode(from, { k: 'rf.append-reply', q: this.name, term: this.term, success: false, matchIndex: this.lastIndex });
      return;
    }
    if (m.term > this.term || this.role !== 'follower') this.stepDown(m.term);
    this.leader = from;
    this.resetElectionTimer();
    if (m.prevIndex > this.lastIndex || this.termAt(m.prevIndex) !== m.prevTerm) {
      const hint = Math.max(0, Math.min(this.lastIndex, m.prevIndex - 1));
      this.host.toNode(from, { k: 'rf.append-reply', q: this.name, term: this.term, success: false, matchIndex: hint });
      return;
    }
    let index = m.prevIndex;
    for (const e of m.entries) {
      index++;
      if (index <= this.lastIndex) {
        if (this.termAt(index) === e.term) continue;
        // A conflicting suffix (from a deposed leader) is replaced; never anything committed.
        this.log.length = index - 1;
        this.host.node.diskTruncate(this.logName, index - 1);
        if (this.durableIndex > index - 1) this.durableIndex = index - 1;
      }
      this.log.push(e);
      this.host.node.diskAppend(this.logName, e);
    }
    const matched = m.prevIndex + m.entries.length;
    const newCommit = Math.min(m.commit, matched);
    if (newCommit > this.commitIndex) {
      this.commitIndex = newCommit;
      this.applyCommitted();
    }
    const term = this.term;
    if (m.entries.length === 0) {
      this.host.toNode(from, { k: 'rf.append-reply', q: this.name, term, success: true, matchIndex: Math.min(matched, this.durableIndex) });
      return;
    }
    this.host.diskSync.sync((err) => {
      // A newer term may have replaced these entries meanwhile: then they are not ours to confirm.
      if (err !== undefined || this.term !== term || this.deleted) return;
      if (matched > this.durableIndex && this.lastIndex >= matched) this.durableIndex = matched;
      this.host.toNode(from, { k: 'rf.append-reply', q: this.name, term, success: true, matchIndex: matched });
    });
  }

  private onAppendReply(from: string, m: Extract<RaftMessage, { k: 'rf.append-reply' }>): void {
    if (m.term > this.term) {
      this.stepDown(m.term);
      return;
    }
    if (this.role !== 'leader' || m.term !== this.term) return;
    if (m.success) {
      if (m.matchIndex > (this.matchIndex.get(from) ?? 0)) this.matchIndex.set(from, m.matchIndex);
      if ((this.nextIndex.get(from) ?? 0) <= m.matchIndex) this.nextIndex.set(from, m.matchIndex + 1);
      this.advanceCommit();
      if (m.matchIndex < this.lastIndex && (this.nextIndex.get(from) ?? 0) > this.lastIndex && m.matchIndex + APPEND_BATCH_MAX < this.lastIndex) {
        this.sendAppend(from);
      }
    } else {
      const next = Math.min(this.nextIndex.get(from) ?? 1, m.matchIndex + 1);
      this.nextIndex.set(from, Math.max(1, next));
      this.sendAppend(from);
    }
  }

  private advanceCommit(): void {
    for (let n = this.lastIndex; n > this.commitIndex; n--) {
      if (this.termAt(n) !== this.term) break;
      let count = this.durableIndex >= n ? 1 : 0;
      for (const f of this.others()) if ((this.matchIndex.get(f) ?? 0) >= n) count++;
      if (count >= this.majority()) {
        this.commitIndex = n;
        this.applyCommitted();
        return;
      }
    }
  }

  private applyCommitted(): void {
    while (this.lastApplied < this.commitIndex && !this.deleted) {
      this.lastApplied++;
      this.applyCommand(this.log[this.lastApplied - 1]!.cmd);
    }
    if (this.role === 'leader') this.rearm();
  }

  // ------------------------------------------------------------ state machine

  private applyCommand(cmd: RaftCommand): void {
    const leader = this.role === 'leader';
    if ('qs' in cmd && cmd.qs !== undefined && 'ch' in cmd) {
      const last = this.chSeq.get(cmd.ch) ?? 0;
      if (cmd.qs <= last) {
        if (leader) this.noteApplied(cmd.ch, last);
        return;
      }
      // A gap: an earlier command of this channel is missing; the channel resends in order.
      if (cmd.qs !== last + 1) return;
      this.chSeq.set(cmd.ch, cmd.qs);
      if (leader) this.noteApplied(cmd.ch, cmd.qs);
    }
    const now = cmd.nowMs;
    const q = this.name;
    switch (cmd.k) {
      case 'noop':
        return;
      case 'q.enq': {
        const step = this.store.publish(cmd.msg, now);
        if (leader && cmd.seq > 0) this.host.toChannel({ k: 'ch.confirm', ch: cmd.ch, q, seqs: [cmd.seq], ok: step.accepted });
        if (leader && !step.accepted) this.host.recordMessage(AmqpKinds.drop, { id: messageId(cmd.msg), q, reason: 'reject-publish' });
        this.effects(step, leader);
        return;
      }
      case 'q.expire':
        this.effects(this.store.expire(now), leader);
        return;
      case 'q.consume': {
        let exclusiveUse = false;
        for (const c of this.consumers.values()) if (c.exclusive) exclusiveUse = true;
        if (exclusiveUse || (cmd.exclusive && this.consumers.size > 0)) {
          if (leader) this.reply(cmd.ch, cmd.rid, { ok: false, code: 403, text: `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use` });
          return;
        }
        const step = this.store.consume({ consumerTag: cmd.tag, channelId: cmd.ch, noAck: cmd.noAck, prefetchCount: cmd.prefetch, priority: cmd.priority }, now);
        if (!step.ok) {
          if (leader) this.reply(cmd.ch, cmd.rid, this.stat());
          return;
        }
        this.consumers.set(`${cmd.ch}\u0000${cmd.tag}`, { ch: cmd.ch, tag: cmd.tag, exclusive: cmd.exclusive });
        if (leader) this.reply(cmd.ch, cmd.rid, this.stat());
        this.effects(step, leader);
        return;
      }
      case 'q.cancel':
        if (!this.consumers.delete(`${cmd.ch}\u0000${cmd.tag}`)) return;
        this.effects(this.store.cancel(cmd.ch, cmd.tag, now), leader);
        return;
      case 'q.settle': {
        if (leader) {
          for (const t of cmd.tags) {
            const u = this.store.unackedDelivery(t);
            if (u === undefined) continue;
            const id = messageId(u.entry.message);
            if (cmd.op === 'ack') this.host.recordAck(u.entry.message, this.historyNames.q);
            else {
              this.host.recordMessage(AmqpKinds.nack, { id, q, requeue: cmd.op === 'requeue' });
              if (cmd.op === 'requeue') this.host.recordMessage(AmqpKinds.requeue, { id, q, why: cmd.why ?? 'nack' });
            }
          }
        }
        const step = cmd.op === 'ack' ? this.store.ack(cmd.tags, now) : this.store.reject(cmd.tags, cmd.op === 'requeue', now);
        this.effects(step, leader);
        return;
      }
      case 'q.chdown': {
        for (const [key, c] of this.consumers) if (c.ch === cmd.ch) this.consumers.delete(key);
        if (leader) {
          for (const u of this.store.unackedDeliveries()) {
            if (u.channelId === cmd.ch) this.host.recordMessage(AmqpKinds.requeue, { id: messageId(u.message), q, why: 'channel-closed' });
          }
        }
        this.effects(this.store.channelDown(cmd.ch, now), leader);
        return;
      }
      case 'q.get': {
        const step = this.store.get({ channelId: cmd.ch, noAck: cmd.noAck }, now);
        const d = step.delivery;
        let get: GetResult | undefined;
        if (d !== undefined) {
          get = { ackTag: d.ackTag, msg: d.message, redelivered: d.redelivered, deliveryCount: d.deliveryCount, messageCount: step.messageCount };
          if (leader) this.host.recordDeliver(d.message, this.historyNames.q, this.historyNames.channel(cmd.ch), d.redelivered, cmd.noAck);
        }
        if (leader) this.host.toChannel({ k: 'ch.reply', ch: cmd.ch, rid: cmd.rid, reply: this.stat(), ...(get === undefined ? {} : { get }) });
        this.effects(step, leader);
        return;
      }
      case 'q.purge': {
        const ready = this.store.readyMessages();
        const n = this.store.purge();
        if (leader) {
          for (const e of ready) this.host.recordMessage(AmqpKinds.drop, { id: messageId(e.message), q, reason: 'purge' });
          this.reply(cmd.ch, cmd.rid, { ok: true, messageCount: n, consumerCount: this.store.consumerCount });
        }
        return;
      }
      case 'q.delete': {
        const name = resourceName('queue', q);
        let refusal: QueueReply | undefined;
        if (cmd.ifUnused && this.store.consumerCount > 0) refusal = { ok: false, code: 406, text: `PRECONDITION_FAILED - ${name} in use` };
        else if (cmd.ifEmpty && this.store.messagesReady > 0) refusal = { ok: false, code: 406, text: `PRECONDITION_FAILED - ${name} not empty` };
        if (refusal !== undefined) {
          if (leader) this.reply(cmd.ch, cmd.rid, refusal);
          return;
        }
        if (leader) {
          this.reply(cmd.ch, cmd.rid, { ok: true, messageCount: this.store.messagesReady, consumerCount: 0 });
          for (const c of this.consumers.values()) this.host.toChannel({ k: 'ch.cancelled', ch: c.ch, q, tag: c.tag });
        }
        this.destroy('deleted');
        return;
      }
      default:
        return;
    }
  }

  /** Tracks deliveries in the replicated state; the leader also sends them and dead-letters. */
  private effects(step: QueueStep, leader: boolean): void {
    const q = this.name;
    if (!leader) return;
    for (const d of step.deliveries) {
      this.host.recordDeliver(d.message, this.historyNames.q, this.historyNames.channel(d.channelId), d.redelivered, d.ackTag === undefined);
      this.host.toChannel({ k: 'ch.deliver', ch: d.channelId, q, tag: d.consumerTag, ackTag: d.ackTag, msg: d.message, redelivered: d.redelivered, deliveryCount: d.deliveryCount, qq: true });
    }
    for (const dl of step.deadLetters) {
      if (dl.reason === 'expired') this.host.recordMessage(AmqpKinds.expire, { id: messageId(dl.message), q });
      this.host.deadLetter(this.record, dl.message, dl.reason);
    }
  }

  private reply(ch: string, rid: number, reply: QueueReply): void {
    this.host.toChannel({ k: 'ch.reply', ch, rid, reply });
  }

  /** Leader: tell channels how far their commands have been applied (batched per instant). */
  private noteApplied(ch: string, upTo: number): void {
    this.appliedReplies.set(ch, upTo);
    if (this.appliedFlushScheduled) return;
    this.appliedFlushScheduled = true;
    this.host.node.setTimer(0, () => {
      this.appliedFlushScheduled = false;
      for (const [c, n] of this.appliedReplies) this.host.toChannel({ k: 'ch.applied', ch: c, q: this.name, upTo: n });
      this.appliedReplies.clear();
    });
  }

  /** Leader: message TTL at the head and `x-expires`, both decided through the log. */
  private rearm(): void {
    if (this.role !== 'leader' || this.deleted) return;
    const node = this.host.node;
    const ttlAt = this.store.nextExpiryAtMs();
    if (ttlAt !== this.ttlAtMs) {
      if (this.ttlTimer !== undefined) node.cancelTimer(this.ttlTimer);
      this.ttlTimer = undefined;
      this.ttlAtMs = ttlAt;
      if (ttlAt !== undefined) {
        this.ttlTimer = node.setTimer(Math.max(0, ttlAt * 1000 - node.nowUs), () => {
          this.ttlTimer = undefined;
          this.ttlAtMs = undefined;
          if (this.role === 'leader') this.append({ k: 'q.expire', q: this.name, nowMs: this.host.nowMs() });
        });
      }
    }
    const leaseAt = this.store.expiresAtMs();
    if (leaseAt !== this.leaseAtMs) {
      if (this.leaseTimer !== undefined) node.cancelTimer(this.leaseTimer);
      this.leaseTimer = undefined;
      this.leaseAtMs = leaseAt;
      if (leaseAt !== undefined) {
        this.leaseTimer = node.setTimer(Math.max(0, leaseAt * 1000 - node.nowUs), () => {
          this.leaseTimer = undefined;
          this.leaseAtMs = undefined;
          if (this.role === 'leader' && this.store.isExpired(this.host.nowMs())) this.destroy('x-expires');
          else this.rearm();
        });
      }
    }
  }

  /** The queue was deleted (by a client, `x-expires`, or another member): stop and forget the files. */
  destroy(why: string): void {
    if (this.deleted) return;
    this.deleted = true;
    const node = this.host.node;
    for (const t of [this.electionTimer, this.heartbeatTimer, this.ttlTimer, this.leaseTimer]) if (t !== undefined) node.cancelTimer(t);
    node.diskTruncate(this.logName, 0);
    node.diskPut(this.metaKey, { term: 0, votedFor: undefined, declaredUs: -1 } satisfies Meta);
    this.host.queueDeleted(this.name, why);
  }

  /** Inspectors: the Raft view of this member. */
  raftView(): { role: Role; term: number; leader: string | undefined; logLength: number; commitIndex: number } {
    return { role: this.role, term: this.term, leader: this.leader, logLength: this.lastIndex, commitIndex: this.commitIndex };
  }
}
