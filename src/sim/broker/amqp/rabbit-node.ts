/**
 * One RabbitMQ node: the behaviour of a `rabbitN` SimNode. It accepts client connections, runs
 * their channels, hosts classic queue processes and quorum queue replicas, talks to the other
 * nodes of its cluster, watches its memory, and on a restart recovers what its disk kept.
 *
 * A node's state is volatile (a crash loses it); only the disk and the cluster's metadata store
 * survive. Every method between a client and this node, and between this node and its peers,
 * crosses the simulated network.
 */

import type { DataShape, HistoryName, ShapedValue } from '../../history.ts';
import type { Envelope, NodeBehavior, SimNode } from '../../node.ts';
import { ClassicQueue } from './classic-queue.ts';
import type { RabbitConfig } from './config.ts';
import { deadLetter } from './dead-letter.ts';
import { DiskSync } from './disk-sync.ts';
import { fieldValueToJs, tableLookup } from './field-value.ts';
import { AmqpKinds, AmqpShapes } from './kinds.ts';
import { deliveredHeaders, messageId, type AmqpMessage } from './message.ts';
import type { ClusterMetadata, QueueRecord } from './metadata.ts';
import { PeerLinks } from './peers.ts';
import {
  channelIncarnation,
  channelNode,
  type AmqpPacket,
  type ChannelEvent,
  type ClientPacket,
  type NodeMessage,
  type QueueCommand,
  type RaftMessage,
} from './protocol.ts';
import type { QueueHost } from './queue-host.ts';
import type { Delivery } from './queue-step.ts';
import type { PublishRoute } from './router.ts';
import { QuorumMember } from './quorum-queue.ts';
import type { ServerChannel } from './server-channel.ts';
import { ServerConnection } from './server-connection.ts';
import type { DeadLetterReason } from './x-death.ts';

/** What every node of a cluster shares: the metadata store and the settings. */
export interface ClusterShared {
  readonly metadata: ClusterMetadata;
  readonly config: RabbitConfig;
}

/** A queue as `queue.declare` creates it (the node adds where it lives). */
export interface QueueSpec {
  readonly name: string;
  readonly type: QueueRecord['type'];
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: string | undefined;
  readonly arguments: QueueRecord['arguments'];
  readonly config: QueueRecord['config'];
}

/** How often a node checks consumer timeouts and stalled quorum commands. */
const MAINTENANCE_EVERY_US = 1_000_000;
/** A channel resends commands a quorum leader has not applied for this long. */
const QUORUM_RESEND_AFTER_US = 2_000_000;

export class RabbitNode implements NodeBehavior, QueueHost {
  readonly metadata: ClusterMetadata;
  readonly config: RabbitConfig;
  readonly diskSync: DiskSync;
  /** Per-message history entries are recorded (`RabbitConfig.messageHistory`); the record* methods check it. */
  private readonly messageHistory: boolean;
  readonly connections = new Map<string, ServerConnection>();
  readonly channels = new Map<string, ServerChannel>();
  readonly classic = new Map<string, ClassicQueue>();
  readonly quorum = new Map<string, QuorumMember>();
  readonly peers: PeerLinks;
  private connectionSerial = 1;
  /** Ids of channels on this node start with this. */
  private readonly channelPrefix: string;
  private alarm = false;
  private readonly orphanDowns = new Set<string>();
  private readonly canSend = (channelId: string, ackRequired: boolean): boolean => this.channels.get(channelId)?.canSend(ackRequired) ?? true;

  constructor(
    readonly node: SimNode,
    shared: ClusterShared,
  ) {
    this.metadata = shared.metadata;
    this.config = shared.config;
    this.messageHistory = shared.config.messageHistory;
    this.diskSync = new DiskSync(node);
    this.channelPrefix = `${node.name}/`;
    this.peers = new PeerLinks(node, this.metadata.clusterNodes, this.config.netTicktimeMs, {
      message: (from, msg) => this.onNodeMessage(from, msg),
      down: (peer) => this.peerDown(peer),
      up: (peer) => this.record(AmqpKinds.peer, { peer, up: true }),
    });
    this.boot();
  }

  get name(): string {
    return this.node.name;
  }

  nowMs(): number {
    return Math.floor(this.node.nowUs / 1000);
  }

  // ------------------------------------------------------------ start and recovery

  /** Start or restart: recover durable queues from disk, forget transient ones, start the timers. */
  private boot(): void {
    const me = this.name;
    const recovering: ClassicQueue[] = [];
    for (const q of this.metadata.queues()) {
      if (q.type === 'classic' && q.home === me) {
        if (!q.durable || q.exclusiveOwner !== undefined) {
          // A transient queue lived only in this node's memory.
          this.metadata.deleteQueue(q.name);
          this.record(AmqpKinds.queueDelete, { q: q.name, why: 'node-restart' });
          continue;
        }
        const proc = new ClassicQueue(this, q, this.canSend);
        this.classic.set(q.name, proc);
        recovering.push(proc);
      } else if (q.type === 'quorum' && q.members.includes(me)) {
        this.quorum.set(q.name, new QuorumMember(this, q));
      }
    }
    // Recovery may dead-letter (expired messages) into other queues: do it once all exist.
    if (recovering.length > 0) this.node.setTimer(0, () => recovering.forEach((p) => p.recover()));
    this.peers.start();
    this.startMonitors();
  }

  private startMonitors(): void {
    const memory = (): void => {
      this.checkMemory();
      this.node.setTimer(this.config.memoryMonitorIntervalMs * 1000, memory);
    };
    this.node.setTimer(this.config.memoryMonitorIntervalMs * 1000, memory);
    const maintain = (): void => {
      if (this.config.consumerTimeoutMs > 0) for (const c of this.connections.values()) c.checkConsumerTimeouts(this.config.consumerTimeoutMs);
      for (const ch of this.channels.values()) for (const q of ch.quorumQueuesPending()) ch.resendQuorum(q, QUORUM_RESEND_AFTER_US);
      // A quorum queue declared elsewhere whose first vote request never reached us: start our member.
      for (const q of this.metadata.queues()) if (q.type === 'quorum' && !this.quorum.has(q.name)) this.quorumMember(q);
      for (const m of this.quorum.values()) {
        if (m.role !== 'leader') continue;
        const dead = m.channels().filter((c) => !this.channelAlive(c));
        if (dead.length > 0) m.channelsDown(dead);
      }
      this.node.setTimer(MAINTENANCE_EVERY_US, maintain);
    };
    this.node.setTimer(MAINTENANCE_EVERY_US, maintain);
  }

  // ------------------------------------------------------------ network

  onMessage(payload: unknown, env: Envelope): void {
    const p = payload as AmqpPacket;
    if (p.amqp === 'c') this.onClientPacket(p, env.from);
    else if (p.amqp === 'n') this.peers.receive(env.from, p);
  }

  private onClientPacket(pkt: ClientPacket, from: string): void {
    const conn = this.connections.get(pkt.conn);
    if (conn !== undefined) {
      conn.receive(pkt.frames);
      return;
    }
    const first = pkt.frames[0];
    if (first?.m !== 'connection.open') return; // a connection this node no longer knows
    const heartbeatS = negotiate(this.config.heartbeatS, first.heartbeatS);
    const key = `${this.name}/${this.node.incarnation}.${this.connectionSerial++}`;
    const c = new ServerConnection(pkt.conn, key, from, heartbeatS, this);
    if (this.connections.size >= this.config.connectionsMax) {
      c.fail(530, `NOT_ALLOWED - connection limit of ${this.config.connectionsMax} reached`);
      return;
    }
    this.connections.set(pkt.conn, c);
    this.record(AmqpKinds.connectionOpen, { conn: pkt.conn, client: from, node: this.name, heartbeatS });
    c.send({ m: 'connection.open-ok', heartbeatS, node: this.name });
    if (this.metadata.alarms.size > 0) c.send({ m: 'connection.blocked', reason: 'low on memory' });
    c.receive(pkt.frames.slice(1));
  }

  connectionClosed(conn: ServerConnection, reason: string): void {
    if (this.connections.get(conn.id) === conn) this.connections.delete(conn.id);
    this.record(AmqpKinds.connectionClose, { conn: conn.id, client: conn.client, reason });
  }

  toNode(node: string, msg: NodeMessage): void {
    if (node === this.name) this.onNodeMessage(node, msg);
    else this.peers.send(node, msg);
  }

  private onNodeMessage(from: string, msg: NodeMessage): void {
    const k = msg.k;
    if (k.charCodeAt(0) === 113 /* q */) this.onQueueCommand(msg as QueueCommand);
    else if (k.charCodeAt(0) === 99 /* c */) this.localChannelEvent(msg as ChannelEvent);
    else if (k.charCodeAt(0) === 114 /* r */) this.onRaft(from, msg as RaftMessage);
  }

  private onQueueCommand(cmd: QueueCommand): void {
    const record = this.metadata.queue(cmd.q);
    if (record === undefined) {
      this.queueGone(cmd);
      return;
    }
    if (record.type === 'classic') {
      if (record.home === this.name) this.classicProc(record).handle(cmd);
      return;
    }
    this.quorumMember(record)?.command(cmd);
  }

  /** A command for a queue that no longer exists. */
  private queueGone(cmd: QueueCommand): void {
    if ('rid' in cmd) this.toChannel({ k: 'ch.reply', ch: cmd.ch, rid: cmd.rid, reply: { ok: false, code: 404, text: `NOT_FOUND - no queue '${cmd.q}' in vhost '/'` } });
    else if (cmd.k === 'q.enq' && cmd.seq > 0) this.toChannel({ k: 'ch.confirm', ch: cmd.ch, q: cmd.q, seqs: [cmd.seq], ok: false });
  }

  private onRaft(from: string, m: RaftMessage): void {
    if (m.k === 'rf.leader') {
      for (const ch of this.channels.values()) ch.resendQuorum(m.q);
      return;
    }
    const record = this.metadata.queue(m.q);
    if (record === undefined) return;
    this.quorumMember(record)?.onRaft(from, m);
  }

  // ------------------------------------------------------------ channel-facing

  /** Is a node reachable from here (this node, or a peer that is up)? */
  nodeReachable(node: string): boolean {
    return node === this.name || this.peers.isUp(node);
  }

  /** A publish to a classic queue; false when its home node is unreachable (the message is lost). */
  enqueueClassic(record: QueueRecord, msg: AmqpMessage, ch: string, seq: number): boolean {
    if (record.home === this.name) {
      this.classicProc(record).enqueue(msg, ch, seq);
      return true;
    }
    if (!this.peers.isUp(record.home)) return false;
    this.peers.send(record.home, { k: 'q.enq', q: record.name, ch, seq, msg });
    return true;
  }

  /** Any other command to a classic queue; false when its home node is unreachable. */
  sendClassic(record: QueueRecord, cmd: QueueCommand): boolean {
    if (record.home === this.name) {
      this.classicProc(record).handle(cmd);
      return true;
    }
    if (!this.peers.isUp(record.home)) return false;
    this.peers.send(record.home, cmd);
    return true;
  }

  /** One ack for a classic queue (the hot path: no command object when the queue is here). */
  ackClassic(record: QueueRecord, ch: string, ackTag: number): void {
    if (record.home === this.name) this.classicProc(record).ackOne(ackTag);
    else if (this.peers.isUp(record.home)) this.peers.send(record.home, { k: 'q.settle', q: record.name, ch, tags: [ackTag], op: 'ack' });
  }

  /** A command to a quorum queue goes to its leader (none known yet: the channel resends later). */
  sendToLeader(record: QueueRecord, cmd: QueueCommand): void {
    const leader = record.leader;
    if (leader === undefined) return;
    if (leader === this.name) this.quorumMember(record)?.command(cmd);
    else this.peers.send(leader, cmd);
  }

  private classicProc(record: QueueRecord): ClassicQueue {
    let p = this.classic.get(record.name);
    if (p === undefined || p.record !== record) {
      p = new ClassicQueue(this, record, this.canSend);
      this.classic.set(record.name, p);
    }
    return p;
  }

  private quorumMember(record: QueueRecord): QuorumMember | undefined {
    if (!record.members.includes(this.name)) return undefined;
    let m = this.quorum.get(record.name);
    if (m === undefined || m.record !== record) {
      m = new QuorumMember(this, record);
      this.quorum.set(record.name, m);
    }
    return m;
  }

  /** `queue.declare` of a new queue: decide where it lives, record it, start its process. */
  declareQueue(spec: QueueSpec): QueueRecord {
    const me = this.name;
    const nodes = this.metadata.clusterNodes;
    const locator = tableLookup(spec.arguments, spec.type === 'quorum' ? 'x-queue-leader-locator' : 'x-queue-master-locator');
    const balanced = locator?.type === 'longstr' && (locator.value === 'balanced' || locator.value === 'min-masters');
    let home = me;
    let members: string[] = [];
    if (spec.type === 'classic') {
      // Exclusive queues always live with their connection.
      if (balanced && spec.exclusiveOwner === undefined) home = this.leastLoaded(nodes.filter((n) => this.nodeReachable(n)));
    } else {
      const size = tableLookup(spec.arguments, 'x-quorum-initial-group-size');
      const wanted = Math.max(1, Math.min(nodes.length, size !== undefined && typeof (size as { value?: unknown }).value === 'number' ? (size as { value: number }).value : this.config.quorumClusterSize));
      const start = nodes.indexOf(me);
      const ring = nodes.map((_, i) => nodes[(start + i) % nodes.length]!);
      const reachable = ring.filter((n) => this.nodeReachable(n));
      members = [...reachable, ...ring.filter((n) => !reachable.includes(n))].slice(0, wanted);
      if (balanced) home = members[0]!;
    }
    const record: QueueRecord = {
      ...spec,
      home,
      members,
      leader: undefined,
      leaderTerm: 0,
      declaredUs: this.node.nowUs,
    };
    this.metadata.addQueue(record);
    this.record(AmqpKinds.queueDeclare, { q: spec.name, type: spec.type, durable: spec.durable, node: spec.type === 'classic' ? home : undefined, members: spec.type === 'quorum' ? members : undefined });
    if (spec.type === 'classic') {
      if (home === me) this.classicProc(record);
    } else {
      // The declaring member campaigns at once; the others start when its vote request reaches them.
      this.quorumMember(record)?.campaignNow();
    }
    return record;
  }

  private leastLoaded(candidates: readonly string[]): string {
    let best = this.name;
    let bestCount = Infinity;
    for (const n of candidates) {
      const count = this.metadata.queues().filter((q) => q.type === 'classic' && q.home === n).length;
      if (count < bestCount) {
        best = n;
        bestCount = count;
      }
    }
    return best;
  }

  /** The home node is unreachable: RabbitMQ deletes the record by force (`delete_crashed_internal`). */
  forceDeleteQueue(record: QueueRecord): void {
    if (this.metadata.queue(record.name) !== record) return;
    this.metadata.deleteQueue(record.name);
    this.record(AmqpKinds.queueDelete, { q: record.name, why: 'deleted-home-down' });
  }

  deleteExclusiveQueue(name: string): void {
    const p = this.classic.get(name);
    if (p !== undefined) p.destroy('owner-closed');
    else if (this.metadata.deleteQueue(name)) this.record(AmqpKinds.queueDelete, { q: name, why: 'owner-closed' });
  }

  // ------------------------------------------------------------ QueueHost

  toChannel(ev: ChannelEvent): void {
    const ch = ev.ch;
    if (ch === '') return;
    if (ch.startsWith(this.channelPrefix)) this.localChannelEvent(ev);
    else this.peers.send(channelNode(ch), ev);
  }

  deliver(q: string, d: Delivery): void {
    const ch = d.channelId;
    if (ch.startsWith(this.channelPrefix)) {
      const channel = this.channels.get(ch);
      if (channel !== undefined) {
        channel.deliverFrom(q, d.consumerTag, d.ackTag, d.message, d.redelivered, d.deliveryCount, false);
        return;
      }
    }
    this.toChannel({ k: 'ch.deliver', ch, q, tag: d.consumerTag, ackTag: d.ackTag, msg: d.message, redelivered: d.redelivered, deliveryCount: d.deliveryCount });
  }

  private localChannelEvent(ev: ChannelEvent): void {
    const ch = this.channels.get(ev.ch);
    if (ch !== undefined) {
      ch.onEvent(ev);
      return;
    }
    // A delivery to a channel that is gone: make sure its queue knows, so the message comes back.
    if (ev.k === 'ch.deliver' && ev.ackTag !== undefined) {
      const key = `${ev.q}\u0000${ev.ch}`;
      if (this.orphanDowns.has(key)) return;
      this.orphanDowns.add(key);
      this.node.setTimer(0, () => {
        this.orphanDowns.delete(key);
        const record = this.metadata.queue(ev.q);
        if (record === undefined) return;
        const cmd: QueueCommand = { k: 'q.chdown', q: ev.q, ch: ev.ch };
        if (record.type === 'quorum') this.sendToLeader(record, cmd);
        else this.sendClassic(record, cmd);
      });
    }
  }

  deadLetter(queue: QueueRecord, message: AmqpMessage, reason: DeadLetterReason): void {
    const out = deadLetter(this.metadata.topology, {
      message,
      reason,
      queue: queue.name,
      deadLetterExchange: queue.config.deadLetterExchange,
      deadLetterRoutingKey: queue.config.deadLetterRoutingKey,
      nowMs: this.nowMs(),
    });
    if (out.kind === 'dropped') {
      this.recordMessage(AmqpKinds.drop, { id: messageId(message), q: queue.name, reason, why: out.why });
      return;
    }
    this.recordMessage(AmqpKinds.deadletter, { id: messageId(message), q: queue.name, reason, dlx: queue.config.deadLetterExchange, queues: out.queues });
    const xDeath = tableLookup(deliveredHeaders(out.message), 'x-death');
    this.metadata.logDeadLetter({
      timeUs: this.node.nowUs,
      id: messageId(message),
      fromQueue: queue.name,
      reason,
      exchange: queue.config.deadLetterExchange,
      toQueues: out.queues,
      xDeath: xDeath === undefined ? undefined : fieldValueToJs(xDeath),
    });
    for (const q of out.queues) this.enqueueInternal(q, out.message);
  }

  /** A broker-internal publish (dead-lettering): no confirm, at most once. */
  private enqueueInternal(q: string, msg: AmqpMessage): void {
    const record = this.metadata.queue(q);
    if (record === undefined) return;
    if (record.type === 'classic') this.enqueueClassic(record, msg, '', 0);
    else this.sendToLeader(record, { k: 'q.enq', q, ch: '', seq: 0, msg });
  }

  recordMessage(kind: string, data: unknown): void {
    if (this.messageHistory) this.node.world.record(kind, this.name, undefined, undefined, data);
  }

  historyName(name: string): string | HistoryName {
    return this.messageHistory ? this.node.world.history.name(name) : name;
  }

  recordDeliver(msg: AmqpMessage, q: string | HistoryName, ch: string | HistoryName, redelivered: boolean, noAck: boolean): void {
    if (this.messageHistory) this.recordMessageShaped(AmqpShapes.deliver, msg, q, ch, redelivered || undefined, noAck || undefined);
  }

  recordAck(msg: AmqpMessage, q: string | HistoryName): void {
    if (this.messageHistory) this.recordMessageShaped(AmqpShapes.ack, msg, q);
  }

  recordRoute(msg: AmqpMessage, route: PublishRoute & { kind: 'routed' | 'unroutable' }): void {
    if (!this.messageHistory) return;
    const queues = route.kind === 'routed' ? (route.historyQueues ??= this.node.world.history.name(route.trace.queues)) : route.trace.queues;
    this.recordMessageShaped(AmqpShapes.route, msg, queues);
  }

  /** A per-message entry whose first field is the message's id, by its parts when it has them. */
  private recordMessageShaped(shape: DataShape, msg: AmqpMessage, b: ShapedValue, c?: ShapedValue, d?: ShapedValue, e?: ShapedValue): void {
    const world = this.node.world;
    if (msg.serial >= 0) world.recordShapedSerial(shape, this.name, msg.origin, msg.serial, b, c, d, e);
    else world.recordShaped(shape, this.name, messageId(msg), b, c, d, e);
  }

  record(kind: string, data: unknown): void {
    this.node.world.record(kind, this.name, undefined, undefined, data);
  }

  queueDeleted(name: string, why: string): void {
    this.classic.delete(name);
    this.quorum.delete(name);
    if (this.metadata.deleteQueue(name)) this.record(AmqpKinds.queueDelete, { q: name, why });
  }

  channelAlive(channelId: string): boolean {
    const node = channelNode(channelId);
    if (node === this.name) return this.channels.has(channelId);
    if (!this.peers.isUp(node)) return false;
    const inc = this.peers.incarnationOf(node);
    return inc === undefined || inc === channelIncarnation(channelId);
  }

  // ------------------------------------------------------------ failures and alarms

  private peerDown(peer: string): void {
    this.record(AmqpKinds.peer, { peer, up: false });
    // rabbit_amqqueue:on_node_down: transient classic queues of that node are gone.
    for (const q of this.metadata.queues()) {
      if (q.type === 'classic' && q.home === peer && !q.durable) {
        this.metadata.deleteQueue(q.name);
        this.record(AmqpKinds.queueDelete, { q: q.name, why: 'node-down' });
      }
    }
    for (const ch of [...this.channels.values()]) ch.nodeDown(peer);
    for (const p of [...this.classic.values()]) for (const c of p.channels()) if (channelNode(c) === peer) p.channelDown(c);
    for (const m of this.quorum.values()) m.channelsDown(m.channels().filter((c) => channelNode(c) === peer));
  }

  /** `vm_memory_monitor`: raise or clear this node's memory alarm. */
  private checkMemory(): void {
    let bytes = 0;
    for (const p of this.classic.values()) {
      const m = p.memory();
      bytes += m.bytes + m.messages * this.config.messageOverheadBytes;
    }
    for (const q of this.quorum.values()) {
      const m = q.memory();
      bytes += m.bytes + m.messages * this.config.messageOverheadBytes;
    }
    const over = bytes > this.config.memoryHighWatermarkBytes;
    if (over !== this.alarm) {
      this.alarm = over;
      if (over) this.metadata.alarms.add(this.name);
      else this.metadata.alarms.delete(this.name);
      this.record(AmqpKinds.alarm, { set: over, usedBytes: bytes, watermarkBytes: this.config.memoryHighWatermarkBytes });
    }
    for (const c of this.connections.values()) c.alarmsChanged();
  }

  /** Used bytes and alarm state, for inspectors. */
  memoryView(): { alarm: boolean } {
    return { alarm: this.alarm };
  }

  /** Messages this node's crash loses: everything not persisted to disk. */
  volatileMessages(): Array<{ q: string; ids: string[] }> {
    const out: Array<{ q: string; ids: string[] }> = [];
    for (const p of this.classic.values()) {
      const lost = p.volatileMessages();
      if (lost.length > 0) out.push({ q: p.name, ids: lost.map((m) => messageId(m)) });
    }
    return out;
  }
}

/** Heartbeat negotiation (amqplib and RabbitMQ): 0 on one side takes the other's; else the lower. */
export function negotiate(server: number, client: number): number {
  if (server === 0 || client === 0) return Math.max(server, client);
  return Math.min(server, client);
}
