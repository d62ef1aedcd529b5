/**
 * Clusters: a classic queue lives on one node (reachable from every node while that node is up,
 * unavailable or lost with it); a quorum queue replicates to a majority, confirms only what a
 * majority has on disk, and elects a new leader when its leader fails.
 *
 * Docs: https://www.rabbitmq.com/docs/clustering ("queue contents … reside on a single node (the
 * node that declared the queue) by default"), https://www.rabbitmq.com/docs/classic-queues,
 * https://www.rabbitmq.com/docs/quorum-queues ("a quorum queue … will continue to operate as long
 * as a majority of replicas are available"; confirms are sent once a majority has the message),
 * https://www.rabbitmq.com/docs/nettick (peer failure detection).
 * RabbitMQ's own tests: deps/rabbit/test/quorum_queue_SUITE.erl (`confirm_availability_on_leader_change`,
 * `recover_from_single_failure`, `publish_and_restart`), deps/rabbit/src/rabbit_amqqueue.erl
 * (`priv_absent/4`: "home node … of durable queue … is down or inaccessible").
 */

import { describe, expect, it } from 'vitest';
import type { Message } from '../../../src/sim/broker/amqp/index.ts';
import { AmqpKinds, ms, recorder, sec, setup } from './e2e-helpers.ts';

describe('classic queues in a cluster', () => {
  it('live on the node of the connection that declared them, and work from every node', () => {
    const t = setup({ nodes: 3 });
    const on2 = t.channel(t.client('app2', 'rabbit2'));
    t.settle(on2.assertQueue('orders'));
    expect(t.cluster.queue('orders')!.node).toBe('rabbit2');
    const on1 = t.channel(t.client('app1', 'rabbit1'));
    const r = recorder(on1, { ack: true });
    t.settle(on1.consume('orders', r.cb));
    on1.sendToQueue('orders', 'via rabbit1');
    t.idle(ms(100));
    expect(r.contents()).toEqual(['via rabbit1']);
    expect(t.cluster.queue('orders')).toMatchObject({ ready: 0, unacked: 0 });
  });

  it('are unavailable while their node is down: consume fails with 404, publishes are nacked', () => {
    const t = setup({ nodes: 2 });
    const on2 = t.channel(t.client('app2', 'rabbit2'));
    t.settle(on2.assertQueue('orders', { durable: true }));
    const pub = t.confirmChannel(t.client('app1', 'rabbit1'));
    t.world.crash('rabbit2');
    t.world.runFor(sec(6)); // net_ticktime 4 s: rabbit1 now knows
    expect(t.entries(AmqpKinds.peer).map((e) => [e.node, e.data.peer, e.data.up])).toEqual([['rabbit1', 'rabbit2', false]]);
    const nacked: string[] = [];
    pub.sendToQueue('orders', 'x', { persistent: true }, (err) => nacked.push(err === null ? 'ack' : 'nack'));
    t.idle();
    expect(nacked).toEqual(['nack']);
    const c = t.channel(t.client('c', 'rabbit1'));
    expect(t.fails(c.consume('orders', () => undefined)).message).toBe(
      `Operation failed: BasicConsume; 404 (NOT-FOUND) with message "NOT_FOUND - home node 'rabbit2' of durable queue 'orders' in vhost '/' is down or inaccessible"`,
    );
  });

  it('come back with their persistent messages when the node restarts; a transient queue is gone', () => {
    const t = setup({ nodes: 2 });
    const on2 = t.confirmChannel(t.client('app2', 'rabbit2'));
    t.settle(on2.assertQueue('durable'));
    t.settle(on2.assertQueue('scratch', { durable: false }));
    on2.sendToQueue('durable', 'kept', { persistent: true });
    t.settle(on2.waitForConfirms());
    t.world.crash('rabbit2');
    t.world.runFor(sec(6));
    expect(t.cluster.queue('scratch')).toBeUndefined(); // rabbit1 deleted it on nodedown
    t.world.restart('rabbit2');
    t.world.runFor(sec(1));
    const c = t.channel(t.client('c', 'rabbit1'));
    t.world.runFor(sec(2));
    const m = t.settle(c.get('durable', { noAck: true })) as Message;
    expect(m.content).toBe('kept');
  });
});

describe('quorum queues', () => {
  function quorumSetup(seed = 1) {
    const t = setup({ nodes: 3, seed });
    const ch = t.channel(t.client('admin', 'rabbit1'));
    t.settle(ch.assertQueue('qq', { arguments: { 'x-queue-type': 'quorum' } }));
    t.world.runFor(ms(200));
    return { t, ch };
  }

  it('replicate to three members and elect a leader (the declaring node campaigns first)', () => {
    const { t } = quorumSetup();
    expect(t.cluster.queue('qq')).toMatchObject({ type: 'quorum', node: 'rabbit1', members: ['rabbit1', 'rabbit2', 'rabbit3'], available: true });
    expect(t.entries(AmqpKinds.leader).map((e) => [e.data.q, e.data.node, e.data.term])).toEqual([['qq', 'rabbit1', 1]]);
  });

  it('confirm a publish only once a majority has it on disk, and keep working without one follower', () => {
    const { t } = quorumSetup();
    const pub = t.confirmChannel(t.client('pub', 'rabbit1'));
    t.world.crash('rabbit3');
    for (let i = 0; i < 20; i++) pub.sendToQueue('qq', `m${i}`);
    t.settle(pub.waitForConfirms());
    expect(t.cluster.queue('qq')!.ready).toBe(20);
    t.world.crash('rabbit2');
    const stuck: string[] = [];
    pub.sendToQueue('qq', 'no majority', {}, (err) => stuck.push(err === null ? 'ack' : 'nack'));
    t.world.runFor(sec(3));
    expect(stuck).toEqual([]); // one of three members cannot commit
    t.world.restart('rabbit2');
    t.world.runFor(sec(5));
    expect(stuck).toEqual(['ack']);
  });

  it('elect a new leader when the leader crashes; confirmed messages survive and the publisher’s unconfirmed ones are resent', () => {
    const { t } = quorumSetup();
    const pub = t.confirmChannel(t.client('pub', 'rabbit2'));
    for (let i = 0; i < 50; i++) pub.sendToQueue('qq', `m${i}`);
    t.settle(pub.waitForConfirms());
    t.world.crash('rabbit1');
    for (let i = 50; i < 60; i++) pub.sendToQueue('qq', `m${i}`);
    t.settle(pub.waitForConfirms(), sec(30));
    const leaders = t.entries(AmqpKinds.leader).map((e) => e.data.node);
    expect(leaders[0]).toBe('rabbit1');
    expect(leaders.length).toBeGreaterThanOrEqual(2);
    expect(leaders[leaders.length - 1]).not.toBe('rabbit1');
    const c = t.channel(t.client('consumer', 'rabbit3'));
    const r = recorder(c, { ack: true });
    t.settle(c.consume('qq', r.cb));
    t.world.runFor(sec(1));
    expect(r.contents()).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`));
  });

  it('keep a surviving consumer’s unacked messages checked out to it across a leader change', () => {
    const { t } = quorumSetup();
    const pub = t.confirmChannel(t.client('pub', 'rabbit2'));
    for (let i = 0; i < 5; i++) pub.sendToQueue('qq', `m${i}`);
    t.settle(pub.waitForConfirms());
    const c = t.channel(t.client('consumer', 'rabbit3'));
    t.settle(c.prefetch(10));
    const r = recorder(c);
    t.settle(c.consume('qq', r.cb));
    t.world.runFor(ms(200));
    expect(r.got).toHaveLength(5);
    t.world.crash('rabbit1');
    t.world.runFor(sec(5));
    expect(r.got).toHaveLength(5); // no redelivery: the new leader knows who holds them
    for (const m of r.got) c.ack(m);
    t.world.runFor(sec(1));
    expect(t.cluster.queue('qq')).toMatchObject({ ready: 0, unacked: 0 });
  });
});

describe('quorum queue start-up', () => {
  // Regression: followers were only started by the first vote request, so a declaring node that
  // crashed before its fsync'd vote went out left a queue that could never elect a leader.
  it('elects a leader even when the declaring node crashes before its vote requests leave', () => {
    const t = setup({ nodes: 3 });
    const ch = t.channel(t.client('admin', 'rabbit1'));
    const declared = ch.assertQueue('qq', { arguments: { 'x-queue-type': 'quorum' } });
    // Run up to the declare-ok's arrival at the client, no further.
    t.world.runUntilSettled(declared);
    t.world.crash('rabbit1');
    t.world.runFor(sec(6));
    const leader = t.cluster.queue('qq')!.node;
    expect(leader === 'rabbit2' || leader === 'rabbit3').toBe(true);
    expect(t.cluster.queue('qq')!.available).toBe(true);
  });
});
