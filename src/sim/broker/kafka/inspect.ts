/**
 * A read-only, plain-data view of a simulated cluster for the UI's inspectors and for tests:
 * per partition the leader, epoch, ISR, and each replica's log end offset, high watermark and log
 * start offset; per group its state, members, assignment, committed offsets and lag. It reads the
 * model's state directly (an omniscient observer), so reading it changes nothing.
 */

import type { KafkaBroker } from './broker.ts';
import type { KafkaCluster } from './kafka.ts';
import { tpKey, type MetadataImage } from './protocol.ts';

export interface ReplicaView {
  broker: string;
  /** The broker node's state. */
  node: 'up' | 'crashed' | 'paused';
  role: 'leader' | 'follower' | 'offline';
  logEndOffset: number;
  highWatermark: number;
  logStartOffset: number;
  /** Records below this offset survive a crash of the broker (written back from the page cache). */
  flushedOffset: number;
}

export interface PartitionView {
  topic: string;
  partition: number;
  leader: string | null;
  leaderEpoch: number;
  isr: string[];
  replicas: ReplicaView[];
  /** The leader's view (-1 when there is no live leader). */
  highWatermark: number;
  logEndOffset: number;
  logStartOffset: number;
  lastStableOffset: number;
}

export interface GroupOffsetView {
  topic: string;
  partition: number;
  committed: number;
  highWatermark: number;
  lag: number;
}

export interface GroupView {
  groupId: string;
  coordinator: string;
  state: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; assignment: [string, number][] }[];
  offsets: GroupOffsetView[];
  /** Sum of the lag of every partition with a committed offset. */
  totalLag: number;
}

export interface ClusterInspection {
  controller: { name: string; state: string; metadataVersion: number };
  brokers: { name: string; state: string; fenced: boolean }[];
  partitions: PartitionView[];
  groups: GroupView[];
  transactions: { transactionalId: string; producerId: number; producerEpoch: number; state: string; partitions: [string, number][]; coordinator: string }[];
}

export function inspectCluster(cluster: KafkaCluster): ClusterInspection {
  const world = cluster.world;
  const controllerNode = world.node(cluster.controllerName);
  const image: MetadataImage | undefined = cluster.controller()?.metadata ?? (controllerNode.disk.get('kafka.metadata') as MetadataImage | undefined);
  const live = new Map<string, KafkaBroker>();
  for (const name of cluster.brokerNames) {
    const b = cluster.broker(name);
    if (b !== undefined) live.set(name, b);
  }
  const partitions: PartitionView[] = [];
  for (const t of image?.topics.values() ?? []) {
    for (const ps of t.partitions) {
      const key = tpKey(ps.topic, ps.partition);
      const replicas: ReplicaView[] = ps.replicas.map((name) => {
        const r = live.get(name)?.replicas.get(key);
        const stored = cluster.ctx.storages.get(name)?.get(ps.topic, ps.partition);
        const log = r?.log ?? stored?.log;
        return {
          broker: name,
          node: world.node(name).state,
          role: r?.role ?? 'offline',
          logEndOffset: log?.logEndOffset ?? 0,
          highWatermark: r?.hw ?? stored?.hwCheckpoint ?? 0,
          logStartOffset: log?.logStartOffset ?? 0,
          flushedOffset: stored?.flushedOffset ?? 0,
        };
      });
      const leader = ps.leader === null ? undefined : live.get(ps.leader)?.replicas.get(key);
      const lead = leader !== undefined && leader.role === 'leader' ? leader : undefined;
      partitions.push({
        topic: ps.topic,
        partition: ps.partition,
        leader: ps.leader,
        leaderEpoch: ps.leaderEpoch,
        isr: [...ps.isr],
        replicas,
        highWatermark: lead?.hw ?? -1,
        logEndOffset: lead?.log.logEndOffset ?? -1,
        logStartOffset: lead?.log.logStartOffset ?? -1,
        lastStableOffset: lead?.lastStableOffset ?? -1,
      });
    }
  }
  const hwOf = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), p.highWatermark]));
  const groups: GroupView[] = [];
  const transactions: ClusterInspection['transactions'] = [];
  for (const [name, b] of live) {
    for (const g of b.groups.groups()) {
      if (g.state === 'Dead') continue;
      const offsets: GroupOffsetView[] = [...g.offsets.values()].map((o) => {
        const hw = hwOf.get(tpKey(o.topic, o.partition)) ?? -1;
        return { topic: o.topic, partition: o.partition, committed: o.offset, highWatermark: hw, lag: hw < 0 ? 0 : Math.max(0, hw - o.offset) };
      });
      groups.push({
        groupId: g.id,
        coordinator: name,
        state: g.state,
        generation: g.generation,
        protocol: g.protocol,
        leader: g.leader,
        members: [...g.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, assignment: m.assignment.map((p): [string, number] => [p.topic, p.partition]) })),
        offsets,
        totalLag: offsets.reduce((n, o) => n + o.lag, 0),
      });
    }
    for (const t of b.txns.transactions()) {
      transactions.push({ transactionalId: t.transactionalId, producerId: t.producerId, producerEpoch: t.producerEpoch, state: t.state, partitions: t.partitions.map((p): [string, number] => [p.topic, p.partition]), coordinator: name });
    }
  }
  return {
    controller: { name: cluster.controllerName, state: controllerNode.state, metadataVersion: image?.version ?? 0 },
    brokers: cluster.brokerNames.map((name) => ({ name, state: world.node(name).state, fenced: image?.brokers.get(name)?.fenced ?? true })),
    partitions,
    groups,
    transactions,
  };
}
