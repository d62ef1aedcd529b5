/**
 * Stories about replication: acks, the ISR, the high watermark, leader election and truncation.
 * Each test names the Kafka rule it checks (documentation section or Kafka's own code/tests).
 */
import { describe, expect, it } from 'vitest';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { createTopic, entries, leaderOf, ms, replicaLog, sec, settle, startCluster } from './kafka-test-helpers.ts';

const FAST = { 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000 } as const;

describe('acks and the high watermark (https://kafka.apache.org/documentation/#replication)', () => {
  it('acks=all answers once every in-sync replica has the record, and the high watermark covers it', () => {
    const s = startCluster(1, { config: { 'min.insync.replicas': 2 } });
    createTopic(s, 'orders', 1, 3);
    const producer = s.cluster.client('app').producer({ acks: 'all' });
    settle(s.world, producer.connect());
    const [md] = settle(s.world, producer.send({ topic: 'orders', messages: [{ key: 'k', value: 'v1' }] }));
    expect(md).toMatchObject({ topicName: 'orders', partition: 0, errorCode: 0, baseOffset: '0' });
    for (const b of ['b1', 'b2', 'b3']) expect(replicaLog(s, b, 'orders', 0).map((r) => r.value)).toEqual(['v1']);
    const view = s.cluster.inspect().partitions[0]!;
    expect(view.highWatermark).toBe(1);
    expect(view.isr).toHaveLength(3);
    expect(entries(s.world, KafkaKinds.hw).some((e) => e.data.topic === 'orders' && e.data.hw === 1)).toBe(true);
  });

  it('acks=1 answers after the leader alone wrote the record (https://kafka.apache.org/documentation/#producerconfigs_acks)', () => {
    const s = startCluster(2);
    createTopic(s, 't', 1, 3);
    const leader = leaderOf(s, 't', 0)!;
    const followers = s.cluster.brokerNames.filter((b) => b !== leader);
    // Followers cannot fetch, but the leader still acknowledges acks=1 writes.
    s.world.partition([leader], followers);
    const producer = s.cluster.client('app').producer({ acks: 1 });
    settle(s.world, producer.connect());
    const [md] = settle(s.world, producer.send({ topic: 't', messages: [{ value: 'only-on-the-leader' }] }), 5000);
    expect(md!.baseOffset).toBe('0');
    expect(replicaLog(s, leader, 't', 0)).toHaveLength(1);
    for (const f of followers) expect(replicaLog(s, f, 't', 0)).toHaveLength(0);
  });

  it('acks=0 does not wait for any answer: send resolves at once with offset -1, and the record is written (https://kafka.apache.org/documentation/#producerconfigs_acks)', () => {
    const s = startCluster(9);
    createTopic(s, 't', 1, 3);
    const producer = s.cluster.client('app').producer({ acks: 0 });
    settle(s.world, producer.connect());
    const t0 = s.world.nowUs;
    const [md] = settle(s.world, producer.send({ topic: 't', messages: [{ value: 'fire-and-forget' }] }));
    expect(md!.baseOffset).toBe('-1');
    expect(s.world.nowUs - t0).toBeLessThan(ms(1));
    s.world.runFor(ms(100));
    expect(replicaLog(s, leaderOf(s, 't', 0)!, 't', 0).map((r) => r.value)).toEqual(['fire-and-forget']);
    expect([...s.world.history.ofKind('send')].filter((e) => (e.data as { type?: string })?.type === 'ProduceResponse')).toHaveLength(0);
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS while the ISR is smaller than min.insync.replicas (https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas)', () => {
    const s = startCluster(3, { config: { ...FAST, 'min.insync.replicas': 2 } });
    createTopic(s, 't', 1, 3);
    const leader = leaderOf(s, 't', 0)!;
    const followers = s.cluster.brokerNames.filter((b) => b !== leader);
    for (const f of followers) s.world.crash(f);
    s.world.runFor(sec(5));
    expect(s.cluster.inspect().partitions[0]!.isr).toEqual([leader]);
    const producer = s.cluster.client('app').producer({ acks: 'all', retries: 0, 'enable.idempotence': false });
    settle(s.world, producer.connect());
    const sent = producer.send({ topic: 't', messages: [{ value: 'x' }] });
    expect(() => settle(s.world, sent)).toThrow(/NOT_ENOUGH_REPLICAS/);
    expect(replicaLog(s, leader, 't', 0)).toHaveLength(0);
    // acks=1 does not care about the ISR size.
    const relaxed = s.cluster.client('app').producer({ acks: 1 });
    settle(s.world, relaxed.connect());
    expect(settle(s.world, relaxed.send({ topic: 't', messages: [{ value: 'y' }] }))[0]!.baseOffset).toBe('0');
  });
});

describe('the ISR (https://kafka.apache.org/documentation/#brokerconfigs_replica.lag.time.max.ms)', () => {
  it('drops a follower that has not caught up for replica.lag.time.max.ms, and takes it back once it reaches the high watermark', () => {
    // A fetch lost to the partition is retried after replica.socket.timeout.ms (30 s by default).
    const s = startCluster(4, { config: { 'replica.lag.time.max.ms': 2000, 'replica.socket.timeout.ms': 1000, 'min.insync.replicas': 1 } });
    createTopic(s, 't', 1, 3);
    const leader = leaderOf(s, 't', 0)!;
    const lagging = s.cluster.brokerNames.find((b) => b !== leader)!;
    const producer = s.cluster.client('app').producer({ acks: 'all' });
    settle(s.world, producer.connect());
    // Cut only the link between leader and one follower: it stays registered but cannot fetch.
    s.world.partition([leader], [lagging]);
    const t0 = s.world.nowUs;
    settle(s.world, producer.send({ topic: 't', messages: [{ value: 'a' }] }), 10_000);
    const shrink = entries(s.world, KafkaKinds.isrShrink).find((e) => (e.data.removed as string[]).includes(lagging))!;
    expect(shrink.data.reason).toBe('follower lagging');
    // Removed after replica.lag.time.max.ms (checked every half of it), not before.
    expect(shrink.timeUs - t0).toBeGreaterThan(ms(2000));
    expect(shrink.timeUs - t0).toBeLessThanOrEqual(ms(3100));
    expect(s.cluster.inspect().partitions[0]!.isr).not.toContain(lagging);
    s.world.heal();
    // The follower's next fetch goes out once its lost one timed out and replica.fetch.backoff.ms passed.
    s.world.runFor(sec(4));
    const expand = entries(s.world, KafkaKinds.isrExpand).find((e) => (e.data.added as string[]).includes(lagging));
    expect(expand).toBeDefined();
    expect(s.cluster.inspect().partitions[0]!.isr).toContain(lagging);
    expect(replicaLog(s, lagging, 't', 0).map((r) => r.value)).toEqual(['a']);
  });
});

describe('leader election (https://kafka.apache.org/documentation/#design_replicatedlog)', () => {
  it('fences a crashed leader after broker.session.timeout.ms and elects the first live in-sync replica with a new leader epoch', () => {
    const s = startCluster(5, { config: FAST });
    createTopic(s, 't', 1, 3);
    const before = s.cluster.inspect().partitions[0]!;
    const old = before.leader!;
    s.world.crash(old);
    s.world.runFor(sec(4));
    const after = s.cluster.inspect().partitions[0]!;
    const expected = before.replicas.map((r) => r.broker).find((b) => b !== old && before.isr.includes(b));
    expect(after.leader).toBe(expected);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(after.isr).not.toContain(old);
    const fenced = entries(s.world, KafkaKinds.brokerState).find((e) => e.data.broker === old && e.data.fenced === true && e.data.reason === 'session timed out');
    expect(fenced).toBeDefined();
  });

  it('an isolated old leader keeps taking acks=1 writes that the new leader never sees; when it returns it truncates them (KIP-101, KIP-595)', () => {
    const s = startCluster(6, { config: FAST });
    createTopic(s, 't', 1, 3);
    const old = leaderOf(s, 't', 0)!;
    const others = [...s.cluster.brokerNames.filter((b) => b !== old), 'controller'];
    const producer = s.cluster.client('app').producer({ acks: 1, 'request.timeout.ms': 1000 });
    settle(s.world, producer.connect());
    settle(s.world, producer.send({ topic: 't', messages: [{ value: 'replicated' }] }));
    s.world.runFor(ms(100));
    // The old leader is cut off from followers and controller, but the producer still reaches it.
    s.world.partition([old], others);
    const lost = settle(s.world, producer.send({ topic: 't', messages: [{ value: 'acked-then-lost' }] }), 2000);
    expect(lost[0]!.baseOffset).toBe('1');
    s.world.runFor(sec(5));
    const newLeader = leaderOf(s, 't', 0)!;
    expect(newLeader).not.toBe(old);
    s.world.heal();
    s.world.runFor(sec(3));
    const truncation = entries(s.world, KafkaKinds.truncate).find((e) => e.node === old && e.data.topic === 't');
    expect(truncation?.data).toMatchObject({ from: 2, to: 1 });
    for (const b of s.cluster.brokerNames) expect(replicaLog(s, b, 't', 0).map((r) => r.value)).toEqual(['replicated']);
  });

  it('without unclean.leader.election.enable a partition whose only in-sync replica is down stays offline; with it, an out-of-sync replica leads and data is lost (https://kafka.apache.org/documentation/#design_uncleanleader)', () => {
    for (const unclean of [false, true]) {
      const s = startCluster(7, { config: { ...FAST, 'unclean.leader.election.enable': unclean } });
      createTopic(s, 't', 1, 3);
      const leader = leaderOf(s, 't', 0)!;
      const followers = s.cluster.brokerNames.filter((b) => b !== leader);
      for (const f of followers) s.world.crash(f);
      s.world.runFor(sec(4));
      const producer = s.cluster.client('app').producer({ acks: 'all' });
      settle(s.world, producer.connect());
      settle(s.world, producer.send({ topic: 't', messages: [{ value: 'only-on-the-leader' }] }));
      s.world.crash(leader);
      for (const f of followers) s.world.restart(f);
      s.world.runFor(sec(6));
      const view = s.cluster.inspect().partitions[0]!;
      if (!unclean) {
        expect(view.leader).toBeNull();
        expect(view.isr).toEqual([leader]);
      } else {
        expect(followers).toContain(view.leader);
        expect(entries(s.world, KafkaKinds.leader).some((e) => e.data.unclean === true)).toBe(true);
        expect(replicaLog(s, view.leader!, 't', 0)).toHaveLength(0);
      }
    }
  });

  it('while the controller is down nobody elects leaders; it catches up when it returns (https://kafka.apache.org/documentation/#kraft)', () => {
    const s = startCluster(8, { config: FAST });
    createTopic(s, 't', 1, 3);
    const leader = leaderOf(s, 't', 0)!;
    s.world.crash('controller');
    s.world.crash(leader);
    s.world.runFor(sec(6));
    // The restarted controller still knows the topic (its metadata was fsynced) and the old leader.
    expect(leaderOf(s, 't', 0)).toBe(leader);
    s.world.restart('controller');
    s.world.runFor(sec(5));
    const now = leaderOf(s, 't', 0);
    expect(now).not.toBe(leader);
    expect(now).not.toBeNull();
  });
});
