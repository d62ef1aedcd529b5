import { beforeAll, describe, expect, it } from 'vitest';
import { LearnerKinds } from '../../../src/labs/sandbox/kinds';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import { entries, learnerWorld, lines, logs } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

describe('console output lands in the history', () => {
  it('with the simulated time, the node, the level, the handler and the learner’s line and column', () => {
    const src = lines(
      "import type { Ctx } from 'brokerlab';",
      'export async function handleMessage(msg: { payload: number }, ctx: Ctx): Promise<void> {',
      "  console.log('got', msg.payload);",
      '  await ctx.sleep(7);',
      "  console.warn('late by', ctx.now(), 'ms');",
      "  console.error(new TypeError('shown as name and message'));",
      '}',
    );
    const { world } = learnerWorld(src, [{ atMs: 0, body: 41 }]);
    world.runFor(50_000);
    const es = entries(world, LearnerKinds.log);
    expect(es.map((e) => e.node)).toEqual(['svc', 'svc', 'svc']);
    expect(es.map((e) => e.data)).toMatchObject([
      { level: 'log', text: 'got 41', handler: 'handleMessage', line: 3 },
      { level: 'warn', handler: 'handleMessage', line: 5 },
      { level: 'error', text: 'TypeError: shown as name and message', line: 6 },
    ]);
    expect((es[0]!.data as { column: number }).column).toBeGreaterThan(0);
    // The second line was written 7 simulated ms after the first, and says so.
    expect(es[1]!.timeUs - es[0]!.timeUs).toBe(7_000);
    expect((es[1]!.data as { text: string }).text).toBe(`late by ${es[1]!.timeUs / 1000} ms`);
  });

  it('formats values the way a person reads them: nested data, cycles, functions', () => {
    const src = lines('export function handleMessage() {', '  const o: any = { id: 1, tags: ["a", "b"], nested: { deep: { deeper: { deepest: 1 } } }, f() {} };', '  o.self = o;', '  console.log(o, [1, [2, [3]]], null, undefined, 10n);', '}');
    const { world } = learnerWorld(src, [{ atMs: 0, body: 1 }]);
    world.runFor(10_000);
    expect(logs(world)[0]!.text).toBe('{ id: 1, tags: [ "a", "b" ], nested: { deep: { deeper: [Object] } }, f: [Function f], self: [Circular] } [ 1, [ 2, [ 3 ] ] ] null undefined 10n');
  });

  it('cuts a very long line and says so', () => {
    const { world } = learnerWorld(lines('export function handleMessage() {', "  console.log('y'.repeat(5000));", '}'), [{ atMs: 0, body: 1 }]);
    world.runFor(10_000);
    const text = String(logs(world)[0]!.text);
    expect(text).toMatch(/^y{2000}… \(line cut at 2000 characters\)$/);
  });

  it('is capped per node, with one notice, and the cap survives a restart', () => {
    const src = lines('export function handleMessage(msg: { payload: number }) {', '  for (let i = 0; i < msg.payload; i++) console.log(i);', '}');
    const { world } = learnerWorld(src, [{ atMs: 0, body: 30 }, { atMs: 10, body: 30 }], { budgets: { consoleLinesMax: 40 } });
    world.runFor(5_000).crash('svc').restart('svc').runFor(20_000);
    expect(logs(world)).toHaveLength(40);
    expect(entries(world, LearnerKinds.logCapped).map((e) => e.data)).toEqual([{ linesMax: 40, text: 'console output of svc reached 40 lines; later lines are dropped' }]);
  });
});
