import { beforeAll, describe, expect, it } from 'vitest';
import { buildDemoWorld, DEMO_HANDLER, DemoKinds } from '../../../src/labs/sandbox/demo';
import { LearnerKinds } from '../../../src/labs/sandbox/kinds';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import { entries, logs, program } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

/**
 * The demo handler stores the order (`await ctx.db.put`), adds it to the revenue (a get and a
 * put), then `await ctx.commit(msg)`. A crash that lands after the order is durable must leave it
 * durable and the commit never made: the promises the crash interrupts never settle, because the
 * node's timers die with its incarnation, so the code after them never runs.
 */
describe('await suspends across simulated time, so a crash can fall between a side effect and a commit', () => {
  it('a crash between db.put and commit leaves the put done and the commit not done', () => {
    const prog = program(DEMO_HANDLER);
    // First run: learn when order 0 became durable and when its commit was acknowledged.
    const probe = buildDemoWorld({ program: prog, seed: 5, orders: 1 });
    probe.world.run();
    const orderPutAt = entries(probe.world, LearnerKinds.dbPut).find((e) => (e.data as { key: string }).key === 'order:0')!.timeUs;
    const commitAt = entries(probe.world, LearnerKinds.commit)[0]!.timeUs;
    expect(orderPutAt).toBeLessThan(commitAt);

    // Same seed, same code, same times: crash the learner node one microsecond after the order is durable.
    const { world, learner, producer } = buildDemoWorld({ program: prog, seed: 5, orders: 3, intervalMs: 20 });
    const crashAt = orderPutAt + 1;
    world.kernel.at(crashAt, () => world.crash('orders'));
    world.runFor(crashAt + 1 - world.nowUs);

    expect(entries(world, LearnerKinds.dbPut).map((e) => e.data)).toEqual([{ key: 'order:0' }]);
    expect(learner.disk.get('db:order:0')).toMatchObject({ total: expect.any(Number) }); // durable: it survived the crash
    expect(learner.disk.get('db:revenue')).toBeUndefined(); // the write after it was not durable yet
    expect(entries(world, LearnerKinds.commit)).toEqual([]);
    expect(entries(world, DemoKinds.committed)).toEqual([]);
    expect(logs(world)).toEqual([]); // the code after `await ctx.commit` never ran

    // A restart re-runs the module: its state starts over, and later orders are handled.
    world.restart('orders').runFor(200_000);
    expect(entries(world, LearnerKinds.loaded).map((e) => (e.data as { incarnation: number }).incarnation)).toEqual([0, 1]);
    expect(logs(world).map((l) => l.text)).toEqual(['order 1 stored and committed (1 since start)', 'order 2 stored and committed (2 since start)']);
    // Order 0 (network message 1) was never committed: its producer would deliver it again.
    const committed = entries(world, DemoKinds.committed);
    expect(committed.map((e) => e.node)).toEqual([producer.name, producer.name]);
    expect(committed.some((e) => (e.data as { msgId: number }).msgId === 1)).toBe(false);
  });
});
