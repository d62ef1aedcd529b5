import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world';
import { ms } from '../../../src/sim/time';
import { RabbitCluster, connect, type Message } from '../../../src/sim/broker/amqp/index.ts';

describe('smoke', () => {
  it('publishes and consumes', async () => {
    const world = new World({ seed: 1 });
    RabbitCluster.create(world, { nodes: 1 });
    const c = world.runUntilSettled(connect(world, 'app', 'amqp://rabbit1'));
    const conn = await c;
    const ch = await world.runUntilSettled(conn.createChannel());
    const q = await world.runUntilSettled(ch.assertQueue('jobs'));
    expect(q).toEqual({ queue: 'jobs', messageCount: 0, consumerCount: 0 });
    ch.sendToQueue('jobs', 'hello');
    ch.sendToQueue('jobs', 'world');
    const got: string[] = [];
    await world.runUntilSettled(ch.consume('jobs', (m) => { got.push(m!.content); ch.ack(m as Message); }));
    world.runFor(ms(100));
    expect(got).toEqual(['hello', 'world']);
    const stat = await world.runUntilSettled(ch.checkQueue('jobs'));
    expect(stat).toEqual({ queue: 'jobs', messageCount: 0, consumerCount: 1 });
  });
});
