import { beforeAll, describe, expect, it } from 'vitest';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import type { CallResult } from '../../../src/labs/sandbox/sandbox';
import { bareSandbox, learnerWorld, lines, logs } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

describe('one sandbox per node: state, batches and crossings', () => {
  it('module-scope state survives between calls', () => {
    const { sandbox } = bareSandbox(lines('let count = 0;', 'export function bump() { return ++count; }'));
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) sandbox.invoke('bump', null, (r) => seen.push(r.ok && r.value));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a batch of synchronous calls crosses into QuickJS once, and results come back in order as plain data', () => {
    const { sandbox } = bareSandbox(lines('export function price(o: { qty: number; unit: number }) {', '  return o.qty === 0 ? undefined : { total: o.qty * o.unit, ok: o.qty > 1 ? true : null };', '}'));
    const before = sandbox.crossings;
    let results: CallResult[] = [];
    const events = Array.from({ length: 100 }, (_, i) => ({ qty: i % 3, unit: 2 }));
    sandbox.invokeEach('price', events, { onDone: (r) => (results = r) });
    expect(sandbox.crossings - before).toBe(1);
    expect(results).toHaveLength(100);
    expect(results[0]).toEqual({ ok: true, value: undefined });
    expect(results[1]).toEqual({ ok: true, value: { total: 2, ok: null } });
    expect(results[2]).toEqual({ ok: true, value: { total: 4, ok: true } });
  });

  it('each result is its value when the call returned, even if a later call of the batch changes that object', () => {
    const src = lines('const out = { n: 0, seen: [] as number[] };', 'export function h(n: number) { out.n = n; out.seen.push(n); return out; }', 'export async function a(n: number) { return h(n); }');
    for (const handler of ['h', 'a']) {
      const { sandbox } = bareSandbox(src);
      let results: CallResult[] = [];
      sandbox.invokeEach(handler, [1, 2, 3], { onDone: (r) => (results = r) });
      expect(results.map((r) => r.ok && r.value), handler).toEqual([
        { n: 1, seen: [1] },
        { n: 2, seen: [1, 2] },
        { n: 3, seen: [1, 2, 3] },
      ]);
    }
  });

  it('one value that cannot cross fails only its own call', () => {
    const { sandbox, problems } = bareSandbox(lines('export function h(n: number) {', '  if (n === 1) { const a: any = {}; a.a = a; return a; }', '  return n;', '}'));
    let results: CallResult[] = [];
    sandbox.invokeEach('h', [0, 1, 2], { onDone: (r) => (results = r) });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(problems.map((p) => p.kind)).toEqual(['bad-return']);
  });

  it('sequential batches await each call before the next (like eachMessage); concurrent ones interleave', () => {
    const src = lines(
      "import type { Ctx } from 'brokerlab';",
      'export async function h(n: number, ctx: Ctx) {',
      "  console.log('start', n);",
      '  await ctx.sleep(1);',
      "  console.log('end', n);",
      '}',
    );
    const order = (sequential: boolean): string[] => {
      const t = bareSandbox(src);
      t.sandbox.invokeEach('h', [1, 2], { sequential });
      for (let i = 0; i < 5; i++) t.advance(1);
      return t.console.map((l) => l.text);
    };
    expect(order(true)).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    expect(order(false)).toEqual(['start 1', 'start 2', 'end 1', 'end 2']);
  });

  it('host operations receive checked arguments and the handler that made them', () => {
    const { sandbox, ops } = bareSandbox(lines("import type { Ctx } from 'brokerlab';", 'export async function h(n: number, ctx: Ctx) { ctx.send("x", { n }); await ctx.db.put("k" + n, [n]); }'));
    sandbox.invoke('h', 7);
    expect(ops).toEqual([
      { path: 'send', args: ['x', { n: 7 }], handler: 'h' },
      { path: 'db.put', args: ['k7', [7]], handler: 'h' },
    ]);
  });

  it('a crash ends module state and a restart re-runs the module', () => {
    const src = lines("console.log('module loaded');", 'let seen = 0;', "export function handleMessage() { console.log('seen', ++seen); }");
    const { world } = learnerWorld(src, [{ atMs: 0, body: 1 }, { atMs: 1, body: 2 }, { atMs: 10, body: 3 }]);
    world.runFor(5_000).crash('svc').restart('svc').runFor(20_000);
    expect(logs(world).map((l) => l.text)).toEqual(['module loaded', 'seen 1', 'seen 2', 'module loaded', 'seen 1']);
  });

  it('a disposed sandbox ignores late settlements and refuses calls with a clear problem', () => {
    const t = bareSandbox(lines("import type { Ctx } from 'brokerlab';", 'export async function h(n: number, ctx: Ctx) { await ctx.sleep(1); return n; }'));
    let result: CallResult | undefined;
    t.sandbox.invoke('h', 1, (r) => (result = r));
    t.sandbox.dispose();
    t.advance(5);
    expect(result).toBeUndefined();
    t.sandbox.invoke('h', 2, (r) => (result = r));
    expect(result).toMatchObject({ ok: false, reported: false });
  });
});
