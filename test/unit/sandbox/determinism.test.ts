import { beforeAll, describe, expect, it } from 'vitest';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import { learnerWorld, lines, logs } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

const JITTERY = lines(
  "import type { Ctx, Message } from 'brokerlab';",
  'export async function handleMessage(msg: Message<number>, ctx: Ctx): Promise<void> {',
  '  const jitterMs = Math.floor(Math.random() * 20);',
  '  await ctx.sleep(jitterMs);',
  "  console.log('slept', jitterMs, 'at', ctx.now(), 'drew', Math.random());",
  '  await ctx.db.put(`seen:${msg.payload}`, { jitterMs });',
  '}',
);

function run(seed: number) {
  const sends = Array.from({ length: 20 }, (_, i) => ({ atMs: i * 3, body: i }));
  const { world } = learnerWorld(JITTERY, sends, {}, seed);
  world.runFor(500_000);
  return { hash: world.history.historyHash(), lines: logs(world).map((l) => String(l.text)) };
}

describe('learner code is deterministic', () => {
  it('Math.random and awaited sleeps give the same history twice for a seed, and another with another seed', () => {
    const a = run(1);
    const b = run(1);
    const c = run(2);
    expect(a.lines).toHaveLength(20);
    expect(b.hash).toBe(a.hash);
    expect(b.lines).toEqual(a.lines);
    expect(c.hash).not.toBe(a.hash);
    expect(c.lines).not.toEqual(a.lines);
  });

  it('Math.random is seeded from the node’s fork, not from the host', () => {
    const draws = run(3).lines.map((l) => Number(l.split(' ').pop()));
    for (const d of draws) expect(d).toBeGreaterThanOrEqual(0), expect(d).toBeLessThan(1);
    expect(new Set(draws).size).toBe(draws.length);
  });
});
