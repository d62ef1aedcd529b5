/**
 * Stories about storage wired to broker timers: retention by time and size at
 * log.retention.check.interval.ms, a consumer falling off the retention edge, compaction with
 * tombstones, the page cache lost in a crash, and tiered storage.
 * Each test names the Kafka rule it checks.
 */
import { describe, expect, it } from 'vitest';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { createTopic, entries, leaderOf, ms, replicaLog, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

/** The stored log of the partition's leader (with replication factor 1, its only replica). */
function leaderLog(s: Scenario, topic: string, partition: number) {
  const leader = leaderOf(s, topic, partition)!;
  return s.cluster.ctx.storages.get(leader)!.get(topic, partition)!.log;
}

function producerOn(s: Scenario) {
  const p = s.cluster.client('p').producer();
  settle(s.world, p.connect());
  return p;
}

describe('retention (https://kafka.apache.org/documentation/#topicconfigs_retention.ms)', () => {
  it('deletes closed segments older than retention.ms at the next log.retention.check.interval.ms, on every replica', () => {
    const s = startCluster(61, { config: { 'log.retention.check.interval.ms': 1000 } });
    createTopic(s, 't', 1, 3, [
      { name: 'retention.ms', value: '2000' },
      { name: 'segment.bytes', value: '200' },
    ]);
    const p = producerOn(s);
    for (let i = 0; i < 10; i++) settle(s.world, p.send({ topic: 't', messages: [{ value: `old-${i}-${'x'.repeat(30)}` }] }));
    s.world.runFor(sec(4));
    settle(s.world, p.send({ topic: 't', messages: [{ value: 'new' }] }));
    s.world.runFor(sec(2));
    const view = s.cluster.inspect().partitions[0]!;
    expect(view.logStartOffset).toBeGreaterThan(0);
    for (const r of view.replicas) expect(r.logStartOffset).toBe(view.logStartOffset);
    expect(entries(s.world, KafkaKinds.retention).length).toBeGreaterThan(0);
    expect(replicaLog(s, view.leader!, 't', 0).map((r) => r.value)).toContain('new');
  });

  it('keeps a partition under retention.bytes by deleting its oldest segments (https://kafka.apache.org/documentation/#topicconfigs_retention.bytes)', () => {
    const s = startCluster(62, { config: { 'log.retention.check.interval.ms': 500 } });
    createTopic(s, 't', 1, 1, [
      { name: 'retention.bytes', value: '300' },
      { name: 'segment.bytes', value: '120' },
    ]);
    const p = producerOn(s);
    for (let i = 0; i < 20; i++) settle(s.world, p.send({ topic: 't', messages: [{ value: `record-${i}-${'y'.repeat(20)}` }] }));
    s.world.runFor(sec(2));
    const log = leaderLog(s, 't', 0);
    expect(log.sizeBytes).toBeLessThanOrEqual(300 + 120);
    expect(log.logStartOffset).toBeGreaterThan(0);
  });

  it('a consumer whose position fell off the log start gets OFFSET_OUT_OF_RANGE and resets by auto.offset.reset', () => {
    const s = startCluster(63, { config: { 'log.retention.check.interval.ms': 500, 'group.initial.rebalance.delay.ms': 0 } });
    createTopic(s, 't', 1, 1, [
      { name: 'retention.ms', value: '1000' },
      { name: 'segment.bytes', value: '100' },
    ]);
    const p = producerOn(s);
    const seen: number[] = [];
    const c = s.cluster.client('c').consumer({ 'group.id': 'slow', 'auto.offset.reset': 'earliest', 'enable.auto.commit': false });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    c.pause([{ topic: 't' }]);
    c.run({ eachMessage: ({ message }) => void seen.push(Number(message.offset)) });
    s.world.runFor(sec(2));
    settle(s.world, c.commitOffsets([{ topic: 't', partition: 0, offset: '0' }]));
    for (let i = 0; i < 12; i++) settle(s.world, p.send({ topic: 't', messages: [{ value: `v${i}-${'z'.repeat(40)}` }] }));
    s.world.runFor(sec(3));
    const logStart = s.cluster.inspect().partitions[0]!.logStartOffset;
    expect(logStart).toBeGreaterThan(0);
    c.seek({ topic: 't', partition: 0, offset: '0' });
    c.resume([{ topic: 't' }]);
    s.world.runFor(sec(2));
    settle(s.world, p.send({ topic: 't', messages: [{ value: 'after-the-reset' }] }));
    s.world.runFor(sec(1));
    const reset = entries(s.world, KafkaKinds.offsetReset).find((e) => e.data.from === 0)!;
    expect(reset.data).toMatchObject({ topic: 't', partition: 0, policy: 'earliest', to: logStart });
    expect(seen[0]).toBe(logStart);
  });
});

describe('log compaction (https://kafka.apache.org/documentation/#compaction)', () => {
  it('the cleaner keeps the latest value per key, and a tombstone until delete.retention.ms after it was first cleaned', () => {
    const s = startCluster(64, { config: { 'log.cleaner.backoff.ms': 500 } });
    createTopic(s, 'users', 1, 1, [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'segment.bytes', value: '150' },
      { name: 'delete.retention.ms', value: '3000' },
      { name: 'min.cleanable.dirty.ratio', value: '0.01' },
    ]);
    const p = producerOn(s);
    const put = (key: string, value: string | null) => settle(s.world, p.send({ topic: 'users', messages: [{ key, value }] }));
    put('alice', 'v1');
    put('bob', 'v1');
    put('alice', 'v2');
    put('bob', null);
    for (let i = 0; i < 6; i++) put(`filler-${i}`, 'x'.repeat(40));
    s.world.runFor(sec(2));
    const leader = leaderOf(s, 'users', 0)!;
    const live = () => replicaLog(s, leader, 'users', 0).filter((r) => r.key === 'alice' || r.key === 'bob').map((r) => `${r.key}=${r.value}`);
    expect(live()).toEqual(['alice=v2', 'bob=null']);
    expect(entries(s.world, KafkaKinds.clean).length).toBeGreaterThan(0);
    // Once delete.retention.ms has passed since the tombstone was first cleaned, it goes too.
    for (let i = 6; i < 12; i++) put(`filler-${i}`, 'x'.repeat(40));
    s.world.runFor(sec(5));
    for (let i = 12; i < 18; i++) put(`filler-${i}`, 'x'.repeat(40));
    s.world.runFor(sec(2));
    expect(live()).toEqual(['alice=v2']);
  });

  it('a compacted topic refuses records without a key', () => {
    const s = startCluster(65);
    createTopic(s, 'c', 1, 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    const p = s.cluster.client('p').producer({ retries: 0 });
    settle(s.world, p.connect());
    expect(() => settle(s.world, p.send({ topic: 'c', messages: [{ value: 'no key' }] }))).toThrow(/INVALID_RECORD: Compacted topic cannot accept message without key/);
  });
});

describe('the page cache (https://kafka.apache.org/documentation/#design_filesystem)', () => {
  it('a crashed broker loses what was not yet written back; with flush.messages=1 nothing is lost', () => {
    for (const flush of [false, true]) {
      const s = startCluster(66, { brokers: 1 });
      createTopic(s, 't', 1, 1, flush ? [{ name: 'flush.messages', value: '1' }] : []);
      const p = producerOn(s);
      settle(s.world, p.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] }));
      s.world.crash('b1');
      s.world.restart('b1');
      s.world.runFor(sec(1));
      const lost = entries(s.world, KafkaKinds.unflushedLost);
      if (flush) {
        expect(lost).toEqual([]);
        expect(replicaLog(s, 'b1', 't', 0).map((r) => r.value)).toEqual(['a', 'b']);
      } else {
        expect(lost.find((e) => e.data.topic === 't')?.data).toMatchObject({ from: 0, to: 2 });
        expect(replicaLog(s, 'b1', 't', 0)).toEqual([]);
      }
    }
  });

  it('the OS writes pages back once they have been dirty for 30 s, so older records survive a crash', () => {
    const s = startCluster(67, { brokers: 1 });
    createTopic(s, 't', 1, 1);
    const p = producerOn(s);
    settle(s.world, p.send({ topic: 't', messages: [{ value: 'old' }] }));
    s.world.runFor(sec(40));
    settle(s.world, p.send({ topic: 't', messages: [{ value: 'recent' }] }));
    s.world.crash('b1');
    s.world.restart('b1');
    expect(replicaLog(s, 'b1', 't', 0).map((r) => r.value)).toEqual(['old']);
  });
});

describe('tiered storage (KIP-405, https://kafka.apache.org/documentation/#tiered_storage)', () => {
  it('copies closed segments to the remote tier, trims the local log by local.retention.ms, and serves old offsets from remote with its latency', () => {
    const s = startCluster(68, {
      config: { 'remote.log.storage.system.enable': true, 'remote.log.manager.task.interval.ms': 500, 'log.retention.check.interval.ms': 500, 'group.initial.rebalance.delay.ms': 0 },
      remoteLatency: { kind: 'constant', us: 200_000 },
    });
    createTopic(s, 't', 1, 1, [
      { name: 'remote.storage.enable', value: 'true' },
      { name: 'segment.bytes', value: '100' },
      { name: 'local.retention.ms', value: '1000' },
    ]);
    const p = producerOn(s);
    for (let i = 0; i < 10; i++) settle(s.world, p.send({ topic: 't', messages: [{ value: `v${i}-${'w'.repeat(30)}` }] }));
    s.world.runFor(sec(4));
    const local = leaderLog(s, 't', 0);
    expect(local.logStartOffset).toBeGreaterThan(0);
    expect(entries(s.world, KafkaKinds.tierCopy).length).toBeGreaterThan(0);
    // A consumer from the beginning still reads everything: old records come from the remote tier.
    const seen: { value: string | null; atUs: number }[] = [];
    const c = s.cluster.client('c').consumer({ 'group.id': 'g', 'auto.offset.reset': 'earliest' });
    c.subscribe({ topics: ['t'], fromBeginning: true });
    const t0 = s.world.nowUs;
    c.run({ eachMessage: ({ message }) => void seen.push({ value: message.value, atUs: s.world.nowUs }) });
    s.world.runFor(sec(5));
    expect(seen.map((x) => x.value!.split('-')[0])).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}`));
    expect(seen[0]!.atUs - t0).toBeGreaterThanOrEqual(ms(200));
  });
});
