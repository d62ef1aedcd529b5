/**
 * Stories about transactions and read_committed (KIP-98, https://kafka.apache.org/documentation/#semantics,
 * #consumerconfigs_isolation.level), plus a property over seeds: read_committed consumers never
 * see records of aborted transactions.
 */
import { describe, expect, it } from 'vitest';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { createTopic, entries, every, ms, sec, settle, startCluster, type Scenario } from './kafka-test-helpers.ts';

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 3000 } as const;

function reader(s: Scenario, node: string, isolation: 'read_committed' | 'read_uncommitted', topics = ['t']): string[] {
  const seen: string[] = [];
  // A fetch to a crashed leader fails after request.timeout.ms (30 s by default); keep it short here.
  const c = s.cluster.client(node).consumer({ 'group.id': `g-${node}`, 'isolation.level': isolation, 'request.timeout.ms': 2000 });
  c.subscribe({ topics, fromBeginning: true });
  c.run({ eachMessage: ({ message }) => void seen.push(message.value!) });
  return seen;
}

describe('transactions', () => {
  it('records of a committed transaction become visible to read_committed consumers at the commit; aborted ones never do', () => {
    const s = startCluster(51, { config: FAST });
    createTopic(s, 't', 2, 3);
    const producer = s.cluster.client('p').producer({ 'transactional.id': 'tx-1' });
    settle(s.world, producer.connect());
    const committed = reader(s, 'rc', 'read_committed');
    const uncommitted = reader(s, 'ru', 'read_uncommitted');
    s.world.runFor(sec(2));

    const t1 = settle(s.world, producer.transaction());
    settle(s.world, t1.send({ topic: 't', messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }] }));
    s.world.runFor(sec(1));
    // Open transaction: visible to read_uncommitted, held back (last stable offset) for read_committed.
    expect(uncommitted.sort()).toEqual(['c1', 'c2']);
    expect(committed).toEqual([]);
    settle(s.world, t1.commit());
    s.world.runFor(sec(1));
    expect(committed.sort()).toEqual(['c1', 'c2']);

    const t2 = settle(s.world, producer.transaction());
    settle(s.world, t2.send({ topic: 't', messages: [{ key: 'a', value: 'x1' }, { key: 'b', value: 'x2' }] }));
    settle(s.world, t2.abort());
    const t3 = settle(s.world, producer.transaction());
    settle(s.world, t3.send({ topic: 't', messages: [{ key: 'a', value: 'c3' }] }));
    settle(s.world, t3.commit());
    s.world.runFor(sec(2));
    expect(committed.sort()).toEqual(['c1', 'c2', 'c3']);
    expect(uncommitted.sort()).toEqual(['c1', 'c2', 'c3', 'x1', 'x2']);
    // Markers are control records in the partitions' logs.
    expect(entries(s.world, KafkaKinds.txnMarker).map((e) => e.data.control)).toEqual(expect.arrayContaining(['commit', 'abort']));
    const states = entries(s.world, KafkaKinds.txn).filter((e) => e.node !== 'p').map((e) => e.data.state);
    expect(states).toEqual(expect.arrayContaining(['Ongoing', 'PrepareCommit', 'CompleteCommit', 'PrepareAbort', 'CompleteAbort']));
  });

  it('a new producer with the same transactional.id fences the old one and aborts its open transaction (zombie fencing)', () => {
    const s = startCluster(52, { config: FAST });
    createTopic(s, 't', 1, 3);
    const zombie = s.cluster.client('p1').producer({ 'transactional.id': 'app' });
    settle(s.world, zombie.connect());
    const open = settle(s.world, zombie.transaction());
    settle(s.world, open.send({ topic: 't', messages: [{ value: 'from-zombie' }] }));
    const fresh = s.cluster.client('p2').producer({ 'transactional.id': 'app' });
    settle(s.world, fresh.connect());
    expect(() => settle(s.world, open.commit())).toThrow(/fenced/);
    const t = settle(s.world, fresh.transaction());
    settle(s.world, t.send({ topic: 't', messages: [{ value: 'from-new-instance' }] }));
    settle(s.world, t.commit());
    const committed = reader(s, 'rc', 'read_committed');
    s.world.runFor(sec(3));
    expect(committed).toEqual(['from-new-instance']);
  });

  it('the coordinator aborts a transaction left open past transaction.timeout.ms', () => {
    const s = startCluster(53, { config: { ...FAST, 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000 } });
    createTopic(s, 't', 1, 3);
    const p = s.cluster.client('p').producer({ 'transactional.id': 'slow', 'transaction.timeout.ms': 3000 });
    settle(s.world, p.connect());
    const t = settle(s.world, p.transaction());
    settle(s.world, t.send({ topic: 't', messages: [{ value: 'abandoned' }] }));
    s.world.runFor(sec(6));
    const aborted = entries(s.world, KafkaKinds.txn).find((e) => e.data.state === 'PrepareAbort');
    expect(aborted?.data.reason).toBe('transaction.timeout.ms expired');
    const committed = reader(s, 'rc', 'read_committed');
    s.world.runFor(sec(3));
    expect(committed).toEqual([]);
    expect(s.cluster.inspect().partitions.find((x) => x.topic === 't')!.lastStableOffset).toBe(2);
  });

  it('consume-transform-produce: output records and input offsets commit atomically (sendOffsets)', () => {
    const s = startCluster(54, { config: FAST });
    createTopic(s, 'in', 1, 3);
    createTopic(s, 'out', 1, 3);
    const source = s.cluster.client('src').producer();
    settle(s.world, source.connect());
    settle(s.world, source.send({ topic: 'in', messages: [{ value: '1' }, { value: '2' }, { value: '3' }] }));
    const p = s.cluster.client('app').producer({ 'transactional.id': 'doubler' });
    settle(s.world, p.connect());
    const c = s.cluster.client('app').consumer({ 'group.id': 'doublers', 'enable.auto.commit': false, 'isolation.level': 'read_committed' });
    c.subscribe({ topics: ['in'], fromBeginning: true });
    c.run({
      eachMessage: ({ topic, partition, message }) =>
        p.transaction().then((t) =>
          t
            .send({ topic: 'out', messages: [{ value: String(Number(message.value) * 2) }] })
            .then(() => t.sendOffsets({ consumerGroupId: 'doublers', topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] }))
            .then(() => t.commit()),
        ),
    });
    s.world.runFor(sec(6));
    const out = reader(s, 'rc', 'read_committed', ['out']);
    s.world.runFor(sec(3));
    expect(out).toEqual(['2', '4', '6']);
    expect(s.cluster.inspect().groups.find((g) => g.groupId === 'doublers')!.offsets[0]!.committed).toBe(3);
  });
});

describe('read_committed never sees aborted records (property over seeds and broker crashes)', () => {
  it('holds on every seed', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const s = startCluster(seed, { config: FAST });
      createTopic(s, 't', 3, 3);
      const p = s.cluster.client('p').producer({ 'transactional.id': 'prop', 'request.timeout.ms': 1000 });
      settle(s.world, p.connect());
      const rng = s.world.rng.fork('test:txn');
      const aborted = new Set<string>();
      const committedValues = new Set<string>();
      let n = 0;
      let busy = false;
      const start = s.world.nowUs / 1000;
      every(s.world, 'p', 50, start + 8000, () => {
        if (busy) return;
        busy = true;
        const commit = rng.chance(0.5);
        const values = Array.from({ length: rng.int(1, 4) }, () => `r${n++}`);
        p.transaction()
          .then((t) => t.send({ topic: 't', messages: values.map((value, i) => ({ key: `k${i}`, value })) }).then(() => (commit ? t.commit() : t.abort())))
          .then(
            () => {
              for (const v of values) (commit ? committedValues : aborted).add(v);
              busy = false;
            },
            () => {
              for (const v of values) aborted.add(v);
              busy = false;
            },
          );
      });
      const victim = s.cluster.brokerNames[rng.int(0, 2)]!;
      s.world.kernel.at(ms(start + 3000 + rng.int(0, 999) / 1000), () => s.world.crash(victim));
      s.world.kernel.at(ms(start + 5000), () => s.world.restart(victim));
      const seen = reader(s, 'rc', 'read_committed');
      s.world.runFor(sec(20));
      const leaked = seen.filter((v) => aborted.has(v) && !committedValues.has(v));
      expect(leaked, `seed ${seed}`).toEqual([]);
      expect(committedValues.size, `seed ${seed}: transactions committed`).toBeGreaterThan(10);
      for (const v of committedValues) expect(seen, `seed ${seed}`).toContain(v);
    }
  }, 300_000);
});
