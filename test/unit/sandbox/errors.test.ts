import { beforeAll, describe, expect, it } from 'vitest';
import { LearnerKinds } from '../../../src/labs/sandbox/kinds';
import { prepareLearnerProgram } from '../../../src/labs/sandbox/program';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import { bareSandbox, entries, learnerWorld, lines, problems } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

describe('syntax errors are reported before the run', () => {
  it('a TypeScript error carries the file, line and column', () => {
    const r = prepareLearnerProgram(lines('export function handleMessage() {', '  const total: number = ;', '}'), { filename: 'orders.ts' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      // The `;` where an expression should be is at column 25.
      expect(r.problem).toMatchObject({ kind: 'syntax', line: 2, column: 25, name: 'SyntaxError' });
      expect(r.problem.text).toBe('orders.ts:2:25 SyntaxError: Unexpected token');
    }
  });

  it('syntax sucrase accepts but QuickJS rejects is still caught, at the learner’s position', () => {
    // An anonymous class statement passes sucrase and fails in QuickJS's compiler.
    const r = prepareLearnerProgram(lines('export function handleMessage() {}', '', 'class { }'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.kind).toBe('syntax');
      expect(r.problem.line).toBe(3);
      expect(r.problem.text).toMatch(/^handler\.ts:3:\d+ SyntaxError: /);
    }
  });

  it('code nested too deeply to compile is a syntax problem, not a crashed host', () => {
    const deep = `export const x = ${'('.repeat(3000)}1${')'.repeat(3000)};\n`;
    const r = prepareLearnerProgram(deep);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.text).toMatch(/nested too deeply|stack overflow/);
  });
});

describe('uncaught errors carry the learner’s line, column and stack', () => {
  it('a throw deep in a helper is reported with every learner frame, mapped through the types', () => {
    const src = lines(
      'interface Order { id: number; items?: { sku: string }[] }',
      'function firstSku(o: Order): string {',
      '  const items: { sku: string }[] = o.items as any;',
      '  return items[0]!.sku;',
      '}',
      'export function handleMessage(msg: { payload: Order }) {',
      '  return firstSku(msg.payload);',
      '}',
    );
    const { world } = learnerWorld(src, [{ atMs: 0, body: { id: 1 } }]);
    world.runFor(10_000);
    const [p] = problems(world);
    expect(p).toMatchObject({ kind: 'threw', handler: 'handleMessage', name: 'TypeError', line: 4, column: 15 });
    expect(String(p!.text)).toContain('handleMessage threw TypeError');
    expect(String(p!.text)).toContain('at line 4, column 15');
    expect(String(p!.text)).toContain('    at firstSku (handler.ts:4:15)');
    expect(String(p!.text)).toMatch(/\n {4}at handleMessage \(handler\.ts:7:\d+\)$/);
  });

  it('an async handler that fails after an await points at the line after the await', () => {
    const src = lines(
      "import type { Ctx } from 'brokerlab';",
      'export async function handleMessage(msg: unknown, ctx: Ctx) {',
      '  await ctx.sleep(5);',
      "  throw new Error('payment declined');",
      '}',
    );
    const { world } = learnerWorld(src, [{ atMs: 0, body: 1 }]);
    world.runFor(20_000);
    const [e] = entries(world, LearnerKinds.error);
    expect(e!.data).toMatchObject({ kind: 'rejected', handler: 'handleMessage', line: 4, message: 'payment declined' });
    // It failed at the simulated time the sleep ended, not when the message arrived.
    const delivered = entries(world, 'deliver').find((d) => d.node === 'svc')!;
    expect(e!.timeUs).toBeGreaterThanOrEqual(delivered.timeUs + 5_000);
  });

  it('a rejected promise from the API that nobody awaits is an unhandled rejection at the call’s line', () => {
    const src = lines(
      "import type { Ctx } from 'brokerlab';",
      'export function handleMessage(msg: unknown, ctx: Ctx) {',
      "  ctx.call('driver', { q: 1 }, { timeoutMs: 5 });",
      '}',
    );
    const { world } = learnerWorld(src, [{ atMs: 0, body: 1 }]);
    world.runFor(50_000);
    const [p] = problems(world);
    expect(p).toMatchObject({ kind: 'unhandled-rejection', handler: 'handleMessage', line: 3 });
    expect(String(p!.text)).toContain("ctx.call('driver') timed out after 5 ms");
  });

  it('a thrown non-Error says so and points at the handler’s declaration', () => {
    const { sandbox, problems: seen } = bareSandbox(lines('// comment', 'export function boom() {', "  throw { code: 'E42' };", '}'));
    sandbox.invoke('boom', null);
    expect(seen[0]).toMatchObject({ kind: 'threw', name: '', line: 2 });
    expect(seen[0]!.text).toBe('boom threw { code: "E42" }, which is not an Error, so it has no line (boom is declared at line 2): throw new Error("…") instead');
  });

  it('a module whose top level throws fails to load with its line, and the node stays up refusing calls with one notice', () => {
    const src = lines('const config = JSON.parse("{oops");', 'export function handleMessage() {}');
    const { world, svc } = learnerWorld(src, [{ atMs: 0, body: 1 }, { atMs: 1, body: 2 }]);
    world.runFor(10_000);
    const ps = problems(world);
    expect(ps[0]).toMatchObject({ kind: 'load', handler: "the module's top level", name: 'SyntaxError', line: 1 });
    expect(String(ps[0]!.text)).toMatch(/^handler\.ts failed to load: SyntaxError/);
    expect(ps.slice(1).map((p) => p.text)).toEqual([expect.stringContaining('handleMessage cannot run: handler.ts did not load')]);
    expect(svc.state).toBe('up');
  });

  it('a missing export is named, with what the module does export', () => {
    const { world } = learnerWorld(lines('export function handleOrder() {}', 'export const version = 2;'), [{ atMs: 0, body: 1 }, { atMs: 1, body: 2 }]);
    world.runFor(10_000);
    expect(problems(world).map((p) => p.text)).toEqual(['handler.ts does not export a function named handleMessage (it exports handleOrder)']);
  });

  it('importing anything but types from brokerlab fails at load with a message saying why', () => {
    const { world } = learnerWorld(lines("import { v4 } from 'uuid';", 'export function handleMessage() { return v4(); }'), []);
    world.runFor(1_000);
    expect(String(problems(world)[0]!.text)).toContain("cannot import 'uuid': handlers can import only types from 'brokerlab'");
  });

  it.each([
    ['Date', 'return Date.now();', 'use ctx.now() for simulated time'],
    ['setTimeout', 'setTimeout(() => 1, 10);', 'use await ctx.sleep(ms)'],
    ['fetch', "return fetch('/x');", 'use ctx.call(service, payload)'],
    ['process', 'return process.env;', 'everything they may use comes through ctx'],
  ])('a missing %s gets a hint naming what to use instead', (_, body, hint) => {
    const { sandbox, problems: seen } = bareSandbox(lines('export function h() {', `  ${body}`, '}'));
    sandbox.invoke('h', null);
    expect(seen[0]).toMatchObject({ kind: 'threw', name: 'ReferenceError', line: 2 });
    expect(seen[0]!.text).toContain(hint);
  });
});
