import { beforeAll, describe, expect, it } from 'vitest';
import { LearnerKinds } from '../../../src/labs/sandbox/kinds';
import { loadQuickJS, newQuickJSModule } from '../../../src/labs/sandbox/quickjs';
import { bareSandbox, entries, learnerWorld, lines, problems } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

const LOOPS = lines(
  'export function handleOrder(msg: { payload: number }) {',
  '  let spins = 0;',
  '  const target = msg.payload;',
  '  while (spins !== target) {',
  '    spins++;',
  '  }',
  '  return spins;',
  '}',
);

describe('the step budget', () => {
  it('names the handler and the loop’s line, as the issue’s example does', () => {
    const { sandbox, problems: seen } = bareSandbox(LOOPS);
    let result: unknown;
    sandbox.invoke('handleOrder', { payload: -1 }, (r) => (result = r));
    expect(seen).toHaveLength(1);
    // The loop's condition starts at column 10 of line 4: `  while (spins !== target) {`.
    expect(seen[0]).toMatchObject({ kind: 'budget', budget: 'steps', handler: 'handleOrder', line: 4, column: 10 });
    expect(seen[0]!.text).toBe('handleOrder exceeded 1,000,000 steps at line 4, column 10 — an infinite loop?\n    at handleOrder (handler.ts)');
    expect(result).toMatchObject({ ok: false });
  });

  it('is per call: a runaway event in a batch fails alone, and its neighbours each get a full budget', () => {
    const { sandbox, problems: seen } = bareSandbox(LOOPS);
    let results: unknown[] = [];
    // A probed loop iteration costs about three steps, so 200,000 iterations take well over half the
    // budget: two of them in one crossing would not fit in one budget.
    const events = [200_000, -1, 200_000, 5].map((n) => ({ payload: n }));
    sandbox.invokeEach('handleOrder', events, { onDone: (r) => (results = r) });
    expect(results.map((r) => (r as { ok: boolean }).ok)).toEqual([true, false, true, true]);
    expect(results[2]).toEqual({ ok: true, value: 200_000 });
    expect(seen.map((p) => p.budget)).toEqual(['steps']);
  });

  it('is a count of steps, not of time: the same call overruns at the same place every time', () => {
    const run = () => {
      const { sandbox, problems: seen } = bareSandbox(LOOPS);
      sandbox.invoke('handleOrder', { payload: -1 });
      return seen[0]!.text;
    };
    expect(run()).toBe(run());
  });

  it('a catch cannot swallow it', () => {
    const { sandbox, problems: seen } = bareSandbox(lines('export function h() {', '  try {', '    for (;;) {}', '  } catch (e) {', "    return 'escaped';", '  }', '}'));
    let result: unknown;
    sandbox.invoke('h', null, (r) => (result = r));
    expect(result).toMatchObject({ ok: false });
    expect(seen[0]).toMatchObject({ budget: 'steps', line: 3 });
  });

  it('in the module’s top level it fails the load, and the node stays up', () => {
    const { world, svc } = learnerWorld(lines('let ready = false;', 'while (!ready) {}', 'export function handleMessage() {}'), [{ atMs: 1, body: 1 }]);
    world.runFor(10_000);
    const [p] = problems(world);
    expect(p).toMatchObject({ kind: 'budget', budget: 'steps', handler: "the module's top level", line: 2 });
    expect(String(p!.text)).toMatch(/^handler\.ts \(the module's top level\) exceeded 1,000,000 steps at line 2/);
    expect(svc.state).toBe('up');
  });
});

describe('the stack budget', () => {
  it('stops unbounded recursion with the recursing line', () => {
    const { sandbox, problems: seen } = bareSandbox(lines('function depth(n: number): number {', '  return depth(n + 1) + 1;', '}', 'export function h() { return depth(0); }'));
    sandbox.invoke('h', null);
    expect(seen[0]).toMatchObject({ kind: 'budget', budget: 'stack', handler: 'h', line: 2 });
    expect(seen[0]!.text).toContain('exceeded the stack limit of 128 KiB at line 2');
    expect(seen[0]!.text).toMatch(/… the same call [\d,]+ more times/);
  });

  it('still allows ordinary recursion (500 frames)', () => {
    const { sandbox, problems: seen } = bareSandbox(lines('function sum(n: number): number { return n === 0 ? 0 : n + sum(n - 1); }', 'export function h() { return sum(500); }'));
    let result: unknown;
    sandbox.invoke('h', null, (r) => (result = r));
    expect(seen).toEqual([]);
    expect(result).toEqual({ ok: true, value: 125_250 });
  });
});

describe('the memory budget', () => {
  it('stops a call that allocates without bound, naming the handler and line', () => {
    // About 4 KB per iteration: memory runs out long before steps do.
    const src = lines('export function h() {', '  const rows: { id: number; pad: string }[] = [];', '  for (let i = 0; ; i++) {', "    rows.push({ id: i, pad: 'x'.repeat(4096) + i });", '  }', '}');
    const { sandbox, problems: seen } = bareSandbox(src);
    sandbox.invoke('h', null);
    expect(seen[0]).toMatchObject({ kind: 'budget', budget: 'memory', handler: 'h' });
    expect(seen[0]).toMatchObject({ line: 3, column: 18 }); // the loop that kept allocating
    expect(seen[0]!.text).toContain('exceeded the memory limit of 32 MiB');
    // The call's garbage is gone, so the sandbox carries on.
    expect(sandbox.status).toBe('ready');
  });

  it('a node that keeps growing its module state is stopped and crashes, and the run goes on', async () => {
    // Its own module, so where memory runs out depends on nothing but this node.
    const qjs = await newQuickJSModule({ memoryBytesMax: 48 * 1024 * 1024 });
    const src = lines('const kept: string[] = [];', 'export function handleMessage() {', '  for (let i = 0; i < 20000; i++) kept.push(`row ${i} of ${kept.length}`.repeat(8));', '}');
    const sends = Array.from({ length: 40 }, (_, i) => ({ atMs: i, body: i }));
    const { world, svc } = learnerWorld(src, sends, { quickjs: qjs });
    const r = world.runFor(100_000);
    const budget = entries(world, LearnerKinds.budget);
    expect(budget.length).toBeGreaterThan(0);
    expect(budget[0]!.data).toMatchObject({ budget: 'memory', handler: 'handleMessage' });
    expect(entries(world, 'crash').some((e) => e.node === 'svc')).toBe(true);
    expect(svc.state).toBe('crashed');
    expect(r.nowUs).toBe(100_000);
  });
});

describe('what the run does after an overrun', () => {
  const RUNAWAY = lines('export function handleMessage(msg: { payload: string }) {', "  if (msg.payload === 'spin') for (;;) {}", '}');

  it('continue (the default): the node handles its next message', () => {
    const { world, svc } = learnerWorld(RUNAWAY, [{ atMs: 0, body: 'spin' }, { atMs: 5, body: 'ok' }]);
    world.runFor(20_000);
    expect(problems(world)).toHaveLength(1);
    expect(svc.state).toBe('up');
  });

  it('crash-node: the node crashes at once, and a restart re-runs the module', () => {
    const { world, svc } = learnerWorld(RUNAWAY, [{ atMs: 0, body: 'spin' }], { onBudgetExceeded: 'crash-node' });
    world.runFor(10_000);
    expect(svc.state).toBe('crashed');
    world.restart('svc').runFor(1_000);
    expect(entries(world, LearnerKinds.loaded).map((e) => (e.data as { incarnation: number }).incarnation)).toEqual([0, 1]);
  });

  it('stop-run: the run stops right after the event that overran', () => {
    const { world } = learnerWorld(RUNAWAY, [{ atMs: 0, body: 'spin' }, { atMs: 5, body: 'ok' }], { onBudgetExceeded: 'stop-run' });
    const r = world.run({ untilUs: 20_000 });
    expect(r.outcome).toBe('stopped');
    expect(r.nowUs).toBeLessThan(5_000);
  });
});
