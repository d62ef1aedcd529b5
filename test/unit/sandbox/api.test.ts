import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world';
import { apiFunctions, serviceApi } from '../../../src/labs/sandbox/api';
import { learnerDts } from '../../../src/labs/sandbox/dts';
import { learnerNode } from '../../../src/labs/sandbox/learner-node';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import { bareSandbox, driver, learnerWorld, lines, logs, problems, program } from './helpers';

const ROOT = resolve(__dirname, '../../..');
const TSC = join(ROOT, 'node_modules/.bin/tsc');
let dir: string;

beforeAll(async () => {
  await loadQuickJS();
  dir = mkdtempSync(join(tmpdir(), 'brokerlab-dts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks `files` against the generated declarations with the project's own tsc; returns its output ('' when clean). */
function typecheck(files: Record<string, string>): string {
  writeFileSync(join(dir, 'brokerlab.d.ts'), learnerDts);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const tsconfig = {
    compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', lib: ['es2022'], types: [], allowImportingTsExtensions: true, skipLibCheck: false },
    files: ['brokerlab.d.ts', ...Object.keys(files)],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  try {
    execFileSync(TSC, ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`;
  }
}

const SAMPLE = lines(
  "import type { Ctx, Message, MessageHandler, RequestHandler } from 'brokerlab';",
  'interface Order { id: number; qty: number }',
  'export async function handleMessage(msg: Message<Order>, ctx: Ctx): Promise<void> {',
  '  const seen = await ctx.db.get(`order:${msg.payload.id}`);',
  '  if (seen === undefined) await ctx.db.put(`order:${msg.payload.id}`, { qty: msg.payload.qty, at: ctx.now() });',
  "  const quote = await ctx.call('pricing', { id: msg.payload.id }, { timeoutMs: 250 });",
  "  ctx.send('audit', { quote, node: ctx.node });",
  '  await ctx.sleep(5);',
  '  await ctx.commit(msg);',
  "  console.log('done', msg.id, Math.random());",
  '}',
  'export const handleRequest: RequestHandler<{ sku: string }, { price: number }> = async (req) => ({ price: req.payload.sku.length });',
  'const typed: MessageHandler<Order> = handleMessage;',
  'void typed;',
);

describe('the API is defined once', () => {
  it('the generated .d.ts type-checks a handler that uses every part of the API', () => {
    expect(typecheck({ 'handler.ts': SAMPLE })).toBe('');
  });

  it('the generated .d.ts rejects misuse, and there is no Date, fetch or setTimeout to reach for', () => {
    const out = typecheck({
      'handler.ts': lines(
        "import type { Ctx } from 'brokerlab';",
        'export async function handleMessage(msg: unknown, ctx: Ctx) {',
        '  await ctx.db.put(42, {});',
        "  await ctx.sleep('soon');",
        "  await fetch('x');",
        '  setTimeout(() => 1, 1);',
        '}',
      ),
    });
    expect(out).toMatch(/handler\.ts\(3,[^)]*\): error TS2345/);
    expect(out).toMatch(/handler\.ts\(4,[^)]*\): error TS2345/);
    expect(out).toMatch(/handler\.ts\(5,[^)]*\): error TS2304: Cannot find name 'fetch'/);
    expect(out).toMatch(/handler\.ts\(6,[^)]*\): error TS2304: Cannot find name 'setTimeout'/);
  });

  it('the host-side types and the learners’ types agree', () => {
    const api = join(ROOT, 'src/labs/sandbox/api.ts');
    const out = typecheck({
      'compat.ts': lines(
        `import type { CallOptions as HostCallOptions, Json as HostJson, LearnerMessage, LearnerRequest } from '${api}';`,
        "import type { CallOptions, Json, Message, Request } from 'brokerlab';",
        'type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;',
        'export const checks: [Same<LearnerMessage, Message>, Same<LearnerRequest, Request>, Same<HostJson, Json>, Same<HostCallOptions, CallOptions>] = [true, true, true, true];',
      ),
    });
    expect(out).toBe('');
  });

  it('the sandbox’s ctx has exactly the functions of the definition, no more', () => {
    const { sandbox } = bareSandbox(
      lines(
        'export function list(_: unknown, ctx: any) {',
        '  const out: string[] = [];',
        '  const walk = (o: any, p: string) => { for (const k of Object.keys(o)) typeof o[k] === "function" ? out.push(p + k) : typeof o[k] === "object" && walk(o[k], p + k + "."); };',
        "  walk(ctx, '');",
        '  return out;',
        '}',
      ),
    );
    let paths: unknown;
    sandbox.invoke('list', null, (r) => (paths = r.ok ? r.value : r.problem.text));
    expect(paths).toEqual(apiFunctions(serviceApi).map((o) => o.path));
  });

  it('every function of the definition appears in the .d.ts with its documentation', () => {
    for (const op of apiFunctions(serviceApi)) {
      const name = op.path.split('.').pop()!;
      expect(learnerDts).toContain(`${name}(`);
      expect(learnerDts).toContain(op.fn.doc);
    }
  });
});

describe('arguments are checked where they arrive, with messages that name the call', () => {
  it.each([
    ["ctx.sleep('soon')", 'TypeError', 'ctx.sleep(ms): ms must be a number of milliseconds, got "soon"'],
    ['ctx.sleep(-5)', 'RangeError', 'ctx.sleep(ms): ms must be from 0 to 86,400,000 milliseconds, got -5'],
    ["ctx.db.put('', 1)", 'RangeError', 'ctx.db.put(key, value): key must be 1 to 256 characters long, got ""'],
    ["ctx.call('nobody', {})", 'TypeError', 'ctx.call: there is no service named "nobody" (nodes: driver)'],
    ['ctx.commit({ id: "9" } as any)', 'Error', 'ctx.commit(msg): message 9 was not delivered to svc since its last restart, or was committed already'],
    ["ctx.db.put('k', (() => { const a: any = {}; a.a = a; return a; })())", 'TypeError', 'ctx.db.put: the arguments cannot be sent as plain data (circular reference)'],
  ])('%s throws %s at the call’s line', (call, name, message) => {
    const src = lines("import type { Ctx } from 'brokerlab';", 'export async function handleMessage(msg: unknown, ctx: Ctx) {', `  await ${call};`, '}');
    const { world } = learnerWorld(src, [{ atMs: 0, body: 1 }]);
    world.runFor(10_000);
    expect(problems(world)[0]).toMatchObject({ kind: 'rejected', name, message, line: 3 });
  });

  it('ctx is frozen: a handler cannot replace what later calls will use', () => {
    const { sandbox, problems: seen } = bareSandbox(lines('export function h(_: unknown, ctx: any) {', '  ctx.sleep = () => 1;', '}'));
    sandbox.invoke('h', null);
    expect(seen[0]).toMatchObject({ name: 'TypeError', line: 2 });
  });
});

describe('services talk through the API', () => {
  it('ctx.call reaches another learner node’s handleRequest and its return value is the reply; its failure is a rejection', () => {
    const world = new World({ seed: 3 });
    world.addNode('driver', driver('front', [{ atMs: 0, body: 'a' }, { atMs: 5, body: 'bad' }]));
    world.addNode(
      'front',
      learnerNode({
        program: program(
          lines(
            "import type { Ctx, Message } from 'brokerlab';",
            'export async function handleMessage(msg: Message<string>, ctx: Ctx) {',
            '  try {',
            "    const reply = await ctx.call('back', { sku: msg.payload });",
            "    console.log('price', JSON.stringify(reply));",
            '  } catch (e) {',
            "    console.log('failed:', (e as Error).message);",
            '  }',
            '}',
          ),
        ),
      }),
    );
    world.addNode(
      'back',
      learnerNode({
        program: program(
          lines(
            "import type { Request } from 'brokerlab';",
            'export function handleRequest(req: Request<{ sku: string }>) {',
            "  if (req.payload.sku === 'bad') throw new RangeError('unknown sku');",
            '  return { price: 10, from: req.from };',
            '}',
          ),
        ),
      }),
    );
    world.runFor(50_000);
    expect(logs(world).map((l) => l.text)).toEqual([
      'price {"price":10,"from":"front"}',
      'failed: back: handleRequest threw RangeError: unknown sku at line 3, column 54',
    ]);
  });

  it('ctx.send delivers a one-way message to another node’s handleMessage', () => {
    const world = new World({ seed: 3 });
    world.addNode('driver', driver('a', [{ atMs: 0, body: 1 }]));
    world.addNode('a', learnerNode({ program: program("export function handleMessage(msg: any, ctx: any) { ctx.send('b', { hello: msg.payload }); }") }));
    world.addNode('b', learnerNode({ program: program('export function handleMessage(msg: any) { console.log(msg.from, JSON.stringify(msg.payload)); }') }));
    world.runFor(20_000);
    expect(logs(world).map((l) => l.text)).toEqual(['a {"hello":1}']);
  });
});
