/**
 * The admin client, shaped like KafkaJS's `admin()`: topics, offsets and groups.
 */

import { SimPromise } from '../../sim-promise';
import { KafkaJSError, type KafkaClientRuntime } from './client-runtime.ts';
import { KafkaConfigError, parseTopicConfigValue } from './config.ts';
import type { ErrorCode, GroupDescription } from './protocol.ts';

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

export class Admin {
  constructor(private readonly runtime: KafkaClientRuntime) {}

  connect(): SimPromise<void> {
    this.runtime.assertAlive('admin.connect');
    const p = new SimPromise<void>();
    this.runtime.metadata.refresh([], () => p.resolve(), false);
    return p;
  }

  disconnect(): SimPromise<void> {
    return SimPromise.resolved<void>(undefined);
  }

  /**
   * KafkaJS `createTopics`: resolves true if every topic was created, false if some already
   * existed; with `waitForLeaders` (default) it resolves once every partition has a leader.
   * Config entries use Kafka's topic config names and are validated here.
   */
  createTopics(args: { topics: ITopicConfig[]; waitForLeaders?: boolean; timeout?: number }): SimPromise<boolean> {
    const rt = this.runtime;
    rt.assertAlive('admin.createTopics');
    const p = new SimPromise<boolean>();
    let topics;
    try {
      topics = args.topics.map((t) => {
        if (typeof t.topic !== 'string' || t.topic.length === 0) throw new KafkaConfigError('createTopics: each topic needs a name: { topic: "orders", numPartitions: 3 }');
        const configs: Record<string, unknown> = {};
        for (const e of t.configEntries ?? []) configs[e.name] = parseTopicConfigValue(e.name, e.value, `topic "${t.topic}" config`);
        return { name: t.topic, numPartitions: t.numPartitions ?? -1, replicationFactor: t.replicationFactor ?? -1, configs };
      });
    } catch (e) {
      p.reject(e);
      return p;
    }
    const timeoutMs = args.timeout ?? 30000;
    const brokers = rt.metadata.brokers;
    const broker = brokers[rt.node.rng.int(0, brokers.length - 1)]!;
    // Missing counts take the broker defaults (num.partitions, default.replication.factor), as in Kafka.
    const req = { type: 'CreateTopics' as const, cid: rt.rpc.nextCid(), topics };
    rt.rpc.call(broker, req, { type: 'CreateTopics', topics: topics.map((t) => t.name) }, timeoutMs, (resp) => {
      if (resp === null) return p.reject(new KafkaJSError('createTopics timed out', { retriable: true, type: 'REQUEST_TIMED_OUT' }));
      const failed = resp.results.find((r) => r.error !== 'NONE' && r.error !== 'TOPIC_ALREADY_EXISTS');
      if (failed !== undefined) return p.reject(new KafkaJSError(`createTopics failed for "${failed.name}": ${failed.error}${failed.message ? ` (${failed.message})` : ''}`, { type: failed.error }));
      const created = resp.results.every((r) => r.error === 'NONE');
      if (args.waitForLeaders === false) return p.resolve(created);
      this.waitForLeaders(topics.map((t) => t.name), rt.node.nowUs + timeoutMs * 1000, () => p.resolve(created), (e) => p.reject(e));
    });
    return p;
  }

  private waitForLeaders(topics: string[], deadlineUs: number, ok: () => void, fail: (e: Error) => void): void {
    const rt = this.runtime;
    const check = (): void => {
      const ready = topics.every((t) => {
        const meta = rt.metadata.topics.get(t);
        return meta !== undefined && meta.error === 'NONE' && meta.partitions.length > 0 && meta.partitions.every((pm) => pm.leader !== null);
      });
      if (ready) return ok();
      if (rt.node.nowUs > deadlineUs) return fail(new KafkaJSError(`topics ${topics.join(', ')} have no leaders yet`, { retriable: true, type: 'LEADER_NOT_AVAILABLE' }));
      rt.metadata.refresh(topics, () => rt.after(50, check), false);
    };
    rt.metadata.refresh(topics, check, false);
  }

  listTopics(): SimPromise<string[]> {
    const rt = this.runtime;
    const p = new SimPromise<string[]>();
    const brokers = rt.metadata.brokers;
    const req = { type: 'Metadata' as const, cid: rt.rpc.nextCid(), topics: null, allowAutoTopicCreation: false };
    rt.rpc.call(brokers[0]!, req, { type: 'Metadata', topics: 'all' }, rt.requestTimeoutMs, (resp) => {
      if (resp === null) return p.reject(new KafkaJSError('listTopics timed out', { retriable: true, type: 'REQUEST_TIMED_OUT' }));
      p.resolve(resp.topics.map((t) => t.name));
    });
    return p;
  }

  /** KafkaJS `fetchTopicMetadata`. */
  fetchTopicMetadata(args: { topics: string[] }): SimPromise<{ topics: { name: string; partitions: { partitionId: number; leader: string | null; replicas: string[]; isr: string[]; partitionErrorCode: ErrorCode }[] }[] }> {
    const rt = this.runtime;
    const p = new SimPromise<{ topics: { name: string; partitions: { partitionId: number; leader: string | null; replicas: string[]; isr: string[]; partitionErrorCode: ErrorCode }[] }[] }>();
    rt.metadata.refresh(args.topics, () => {
      p.resolve({
        topics: args.topics.map((name) => ({
          name,
          partitions: (rt.metadata.topics.get(name)?.partitions ?? []).map((pm) => ({ partitionId: pm.partition, leader: pm.leader, replicas: [...pm.replicas], isr: [...pm.isr], partitionErrorCode: pm.error })),
        })),
      });
    }, false);
    return p;
  }

  /** KafkaJS `fetchTopicOffsets`: per partition the high watermark (`offset`, `high`) and the log start (`low`). */
  fetchTopicOffsets(topic: string): SimPromise<{ partition: number; offset: string; high: string; low: string }[]> {
    const rt = this.runtime;
    const p = new SimPromise<{ partition: number; offset: string; high: string; low: string }[]>();
    rt.awaitTopics([topic], rt.requestTimeoutMs, false).onSettled((ready) => {
      if (ready.state === 'rejected') return p.reject(ready.reason);
      const n = rt.metadata.partitionCount(topic)!;
      const out: { partition: number; offset: string; high: string; low: string }[] = [];
      let left = n * 2;
      const high = new Array<number>(n).fill(-1);
      const low = new Array<number>(n).fill(-1);
      const done = (): void => {
        if (--left > 0) return;
        for (let i = 0; i < n; i++) out.push({ partition: i, offset: String(high[i]), high: String(high[i]), low: String(low[i]) });
        p.resolve(out);
      };
      for (let i = 0; i < n; i++) {
        const leader = rt.metadata.partition(topic, i)?.leader;
        for (const [ts, into] of [[-1, high], [-2, low]] as const) {
          if (leader === null || leader === undefined) {
            done();
            continue;
          }
          const req = { type: 'ListOffsets' as const, cid: rt.rpc.nextCid(), isolation: 'read_uncommitted' as const, partitions: [{ topic, partition: i, timestamp: ts }] };
          rt.rpc.call(leader, req, { type: 'ListOffsets', partitions: 1 }, rt.requestTimeoutMs, (resp) => {
            const r = resp?.partitions[0];
            if (r !== undefined && r.error === 'NONE') into[i] = r.offset;
            done();
          });
        }
      }
    });
    return p;
  }

  /** KafkaJS `fetchOffsets`: the group's committed offsets (-1 where none). */
  fetchOffsets(args: { groupId: string; topics?: string[] }): SimPromise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    const rt = this.runtime;
    const p = new SimPromise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]>();
    const topics = args.topics;
    const lookupOffsets = (): void => {
      const partitions = topics === undefined ? null : topics.flatMap((t) => Array.from({ length: rt.metadata.partitionCount(t) ?? 0 }, (_, partition) => ({ topic: t, partition })));
      rt.coordinatorCall(
        args.groupId,
        'group',
        () => ({ type: 'OffsetFetch' as const, cid: rt.rpc.nextCid(), groupId: args.groupId, partitions, requireStable: false }),
        { type: 'OffsetFetch', group: args.groupId },
        rt.requestTimeoutMs,
        () => false,
        (resp) => {
          if (resp === null || resp.error !== 'NONE') return p.reject(new KafkaJSError(`fetchOffsets failed: ${resp?.error ?? 'timed out'}`, { type: resp?.error ?? 'REQUEST_TIMED_OUT' }));
          const byTopic = new Map<string, { partition: number; offset: string; metadata: string | null }[]>();
          for (const o of resp.offsets) {
            let list = byTopic.get(o.topic);
            if (list === undefined) byTopic.set(o.topic, (list = []));
            list.push({ partition: o.partition, offset: String(o.offset), metadata: o.metadata });
          }
          p.resolve([...byTopic].map(([topic, parts]) => ({ topic, partitions: parts })));
        },
      );
    };
    if (topics === undefined) lookupOffsets();
    else rt.awaitTopics(topics, rt.requestTimeoutMs, false).onSettled(lookupOffsets);
    return p;
  }

  /** KafkaJS `setOffsets`: commits offsets for a group with no active members. */
  setOffsets(args: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): SimPromise<void> {
    const rt = this.runtime;
    const p = new SimPromise<void>();
    rt.coordinatorCall(
      args.groupId,
      'group',
      () => ({ type: 'OffsetCommit' as const, cid: rt.rpc.nextCid(), groupId: args.groupId, generation: -1, memberId: '', groupInstanceId: null, offsets: args.partitions.map((x) => ({ topic: args.topic, partition: x.partition, offset: Number(x.offset), metadata: null })) }),
      { type: 'OffsetCommit', group: args.groupId },
      rt.requestTimeoutMs,
      () => false,
      (resp) => {
        const error = resp === null ? 'REQUEST_TIMED_OUT' : resp.results.find((r) => r.error !== 'NONE')?.error ?? 'NONE';
        if (error === 'NONE') p.resolve();
        else p.reject(new KafkaJSError(`setOffsets failed: ${error}${error === 'UNKNOWN_MEMBER_ID' ? ' (the group has active members; stop them first)' : ''}`, { type: error }));
      },
    );
    return p;
  }

  /** KafkaJS `describeGroups`. */
  describeGroups(groupIds: string[]): SimPromise<{ groups: GroupDescription[] }> {
    const rt = this.runtime;
    const results = groupIds.map((groupId) => {
      const p = new SimPromise<GroupDescription>();
      rt.coordinatorCall(
        groupId,
        'group',
        () => ({ type: 'DescribeGroup' as const, cid: rt.rpc.nextCid(), groupId }),
        { type: 'DescribeGroup', group: groupId },
        rt.requestTimeoutMs,
        () => false,
        (resp) => (resp !== null && resp.group !== null ? p.resolve(resp.group) : p.reject(new KafkaJSError(`describeGroups failed for ${groupId}: ${resp?.error ?? 'timed out'}`))),
      );
      return p;
    });
    return SimPromise.all(results).then((groups) => ({ groups }));
  }

  /** KafkaJS `deleteTopicRecords`: moves each partition's log start offset up (offset -1 = the high watermark). */
  deleteTopicRecords(args: { topic: string; partitions: { partition: number; offset: string }[] }): SimPromise<void> {
    const rt = this.runtime;
    const p = new SimPromise<void>();
    rt.awaitTopics([args.topic], rt.requestTimeoutMs, false).onSettled(() => {
      let left = args.partitions.length;
      let failure: string | null = null;
      if (left === 0) return p.resolve();
      for (const x of args.partitions) {
        const leader = rt.metadata.partition(args.topic, x.partition)?.leader;
        const done = (error: string | null): void => {
          failure ??= error;
          if (--left === 0) {
            if (failure === null) p.resolve();
            else p.reject(new KafkaJSError(`deleteTopicRecords failed: ${failure}`));
          }
        };
        if (leader === null || leader === undefined) {
          done('LEADER_NOT_AVAILABLE');
          continue;
        }
        const req = { type: 'DeleteRecords' as const, cid: rt.rpc.nextCid(), partitions: [{ topic: args.topic, partition: x.partition, offset: Number(x.offset) }] };
        rt.rpc.call(leader, req, { type: 'DeleteRecords', partitions: 1 }, rt.requestTimeoutMs, (resp) => {
          const r = resp?.partitions[0];
          done(r === undefined ? 'REQUEST_TIMED_OUT' : r.error === 'NONE' ? null : r.error);
        });
      }
    });
    return p;
  }
}
