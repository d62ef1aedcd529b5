import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { HistoryEntry } from '../../sim/history';
import { World } from '../../sim/world';
import { buildDemoWorld, DEMO_HANDLER } from './demo';
import { LearnerKinds } from './kinds';
import { learnerNode } from './learner-node';
import { prepareLearnerProgram, type PrepareResult } from './program';
import { newQuickJSModule } from './quickjs';
import type { Wire } from './wire';

/** One hostile snippet's verdict: plain data, the same in Node and in a browser worker. */
export interface HostileResult {
  name: string;
  passed: boolean;
  /** What the case expects, in words. */
  expected: string;
  /** What happened: the first line of the problem the learner would read, or why the case failed. */
  observed: string;
  /** The learner line the problem points at, when it points at one. */
  line?: number;
  /** The case world's history hash: equal across engines when the sandbox behaves the same. */
  historyHash: string;
}

interface CaseOutcome {
  prepared: PrepareResult;
  entries: HistoryEntry[];
  historyHash: string;
  /** The follow-up message ('ping') was handled by the same node after the attack. */
  pingHandled: boolean;
}

interface HostileCase {
  name: string;
  expected: string;
  /** The body of the attack, from line 4 of the module (see moduleFor). */
  attack?: string;
  /** False when the attack is expected to take the node down (so 'ping' cannot be handled). */
  nodeSurvives?: boolean;
  /** Returns why the outcome is wrong, or undefined when it is right. */
  check(o: CaseOutcome): string | undefined;
  /** A whole module instead of an attack body (for the syntax error). */
  source?: string;
}

/** Every case's module: line 1 imports, line 2 the handler, line 3 the follow-up, the attack from line 4. */
function moduleFor(c: HostileCase): string {
  if (c.source !== undefined) return c.source;
  return [
    "import type { Ctx, Message } from 'brokerlab';",
    'export async function handleMessage(msg: Message, ctx: Ctx): Promise<unknown> {',
    "  if (msg.payload === 'ping') { await ctx.db.put('ping', 'pong'); return; }",
    c.attack ?? '',
    '}',
    '',
  ].join('\n');
}

type Data = Record<string, unknown>;

function problems(o: CaseOutcome): Data[] {
  return o.entries.filter((e) => e.kind === LearnerKinds.error || e.kind === LearnerKinds.budget).map((e) => e.data as Data);
}

/** The first problem must be of this kind (and budget), in handleMessage, at this line. */
function expectProblem(kind: string, line: number | undefined, extra: (p: Data) => string | undefined = () => undefined) {
  return (o: CaseOutcome): string | undefined => {
    const p = problems(o)[0];
    if (!p) return 'no problem was recorded';
    const want = kind.split(':');
    if (p.kind !== want[0]) return `expected a ${want[0]} problem, got ${String(p.kind)}: ${String(p.text)}`;
    if (want[1] !== undefined && p.budget !== want[1]) return `expected the ${want[1]} budget, got ${String(p.budget)}`;
    if (p.handler !== 'handleMessage') return `the problem names ${String(p.handler)}, not handleMessage`;
    if (line !== undefined && p.line !== line) return `the problem points at line ${String(p.line)}, not ${line}`;
    return extra(p);
  };
}

function textIncludes(s: string) {
  return (p: Data): string | undefined => (String(p.text).includes(s) ? undefined : `the message does not say "${s}": ${String(p.text)}`);
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  {
    name: 'infinite-loop',
    expected: 'a steps budget error naming handleMessage and line 4',
    attack: '  while (true) {}',
    check: expectProblem('budget:steps', 4, textIncludes('exceeded 1,000,000 steps at line 4')),
  },
  {
    name: 'unbounded-recursion',
    expected: 'a stack budget error at line 4',
    attack: '  const f = (n: number): number => f(n + 1) + 1;\n  return f(0);',
    check: expectProblem('budget:stack', 4),
  },
  {
    name: 'allocation-toward-1GB',
    expected: 'a memory budget error at line 6; the host unharmed',
    attack: '  const chunks: Uint8Array[] = [];\n  for (let i = 0; i < 1024; i++) {\n    chunks.push(new Uint8Array(1024 * 1024));\n  }\n  return chunks.length;',
    check: expectProblem('budget:memory', 6),
  },
  {
    name: 'fetch',
    expected: 'a ReferenceError at line 4 with a hint to use ctx.call',
    attack: "  await fetch('https://example.com/steal');",
    check: expectProblem('rejected', 4, textIncludes('use ctx.call(service, payload)')),
  },
  {
    name: 'prototype-escapes',
    expected: 'every constructor and prototype route to a Function refuses to compile; no host global is visible',
    attack: [
      '  const routes = [',
      "    () => ({} as any).constructor.constructor('return this')(),",
      "    () => (ctx.sleep as any).constructor('return globalThis')(),",
      "    () => Object.getPrototypeOf(async function () {}).constructor('return this')(),",
      "    () => (Reflect.getPrototypeOf(Math.random) as any).constructor('return process')(),",
      "    () => (console.log as any).__proto__.constructor('return this')(),",
      '  ];',
      '  const outcomes = routes.map((r) => { try { return typeof r(); } catch (e) { return (e as Error).name; } });',
      "  const hostNames = ['process', 'require', 'window', 'self', 'document', 'global', 'fetch', 'XMLHttpRequest', 'importScripts', 'indexedDB', 'postMessage', 'WebAssembly', 'setTimeout', 'Date', 'WeakRef', 'FinalizationRegistry', 'hostOp', 'hostRandom'];",
      '  console.log(JSON.stringify({ outcomes, visible: hostNames.filter((n) => n in globalThis) }));',
    ].join('\n'),
    check: (o) => {
      if (problems(o).length > 0) return `unexpected problem: ${String(problems(o)[0]!.text)}`;
      const log = o.entries.find((e) => e.kind === LearnerKinds.log);
      const want = JSON.stringify({ outcomes: ['EvalError', 'EvalError', 'EvalError', 'EvalError', 'EvalError'], visible: [] });
      const got = String((log?.data as Data | undefined)?.text);
      return got === want ? undefined : `expected ${want}, got ${got}`;
    },
  },
  {
    name: 'function-return-this',
    expected: "an EvalError at line 4: Function() cannot compile code",
    attack: "  const g = Function('return this')();\n  return typeof g;",
    check: expectProblem('rejected', 4, textIncludes('eval() and Function() are disabled')),
  },
  {
    name: 'overwrite-math-random',
    expected: "a TypeError at line 4: Math.random is read-only",
    attack: '  Math.random = () => 0.5;',
    check: expectProblem('rejected', 4, textIncludes("'random' is read-only")),
  },
  {
    name: 'read-date',
    expected: 'a ReferenceError at line 4 with a hint to use ctx.now()',
    attack: '  return Date.now();',
    check: expectProblem('rejected', 4, textIncludes('use ctx.now() for simulated time')),
  },
  {
    name: 'throw-non-error',
    expected: 'a rejection with 42, saying it is not an Error and where the handler is declared',
    attack: '  throw 42;',
    check: expectProblem('rejected', 2, textIncludes('42, which is not an Error')),
  },
  {
    name: 'return-cyclic',
    expected: 'a bad-return problem: a circular value cannot cross as plain data',
    attack: '  const a: any = { name: "loop" };\n  a.self = a;\n  return a;',
    check: expectProblem('bad-return', 2, textIncludes('circular')),
  },
  {
    name: 'console-flood',
    expected: 'exactly 1,000 console lines, then one capped notice',
    attack: "  for (let i = 0; i < 100000; i++) console.log('flood', i);",
    check: (o) => {
      const lines = o.entries.filter((e) => e.kind === LearnerKinds.log).length;
      const capped = o.entries.filter((e) => e.kind === LearnerKinds.logCapped).length;
      if (lines !== 1000) return `expected 1000 console lines, got ${lines}`;
      if (capped !== 1) return `expected one capped notice, got ${capped}`;
      return problems(o).length === 0 ? undefined : `unexpected problem: ${String(problems(o)[0]!.text)}`;
    },
  },
  {
    name: 'unhandled-rejection',
    expected: 'an unhandled-rejection problem at line 4',
    attack: "  Promise.reject(new Error('nobody handles this'));",
    check: expectProblem('unhandled-rejection', 4, textIncludes('nobody handles this')),
  },
  {
    name: 'regex-backtracking',
    expected: 'a steps budget error at line 4 (the regex engine is interrupted too)',
    attack: "  return /(a+)+$/.test('a'.repeat(40) + 'b');",
    check: expectProblem('budget:steps', 4),
  },
  {
    name: 'catch-the-interruption',
    expected: 'the sandbox is stopped and the node crashes; the run goes on',
    attack: '  for (;;) {\n    try { await (async () => { while (true) {} })(); } catch (e) {}\n  }',
    nodeSurvives: false,
    check: (o) => {
      const fatal = problems(o).find((p) => p.kind === 'fatal');
      if (!fatal) return 'no fatal problem was recorded';
      if (!o.entries.some((e) => e.kind === 'crash' && e.node === 'svc')) return 'the node did not crash';
      return undefined;
    },
  },
  {
    name: 'syntax-error',
    expected: 'refused before the run: handler.ts:5:11 SyntaxError',
    source: "import type { Ctx, Message } from 'brokerlab';\n\nexport async function handleMessage(msg: Message, ctx: Ctx) {\n  const ok = 1;\n  let x = ;\n}\n",
    check: (o) => {
      if (o.prepared.ok) return 'the code was accepted';
      const t = o.prepared.problem.text;
      return t.startsWith('handler.ts:5:11 SyntaxError') ? undefined : `unexpected message: ${t}`;
    },
  },
];

/** Bytes each case's own QuickJS module may use: above the 32 MiB node budget, far below the host's limits. */
const CASE_MODULE_BYTES_MAX = 64 * 1024 * 1024;

/**
 * Runs every hostile snippet in its own world and its own QuickJS module, then checks the next
 * run is unaffected: a benign world has the same history hash before and after the suite. Node-free
 * and browser-safe, so the vitest suite and the Chromium worker test call this same function and
 * compare the results (historyHash included).
 */
export async function runHostileSuite(opts: { only?: readonly string[] } = {}): Promise<HostileResult[]> {
  const results: HostileResult[] = [];
  const before = await benignHash();
  for (const c of HOSTILE_CASES) {
    if (opts.only && !opts.only.includes(c.name)) continue;
    const qjs = await newQuickJSModule({ memoryBytesMax: CASE_MODULE_BYTES_MAX });
    results.push(runCase(c, qjs));
  }
  const after = await benignHash();
  results.push({
    name: 'next-run-unaffected',
    passed: before === after,
    expected: 'a benign run has the same history before and after the hostile cases',
    observed: before === after ? `historyHash ${after} both times` : `historyHash ${before} before, ${after} after`,
    historyHash: after,
  });
  return results;
}

function runCase(c: HostileCase, qjs: QuickJSWASMModule): HostileResult {
  const prepared = prepareLearnerProgram(moduleFor(c), { quickjs: qjs });
  const outcome: CaseOutcome = { prepared, entries: [], historyHash: '', pingHandled: false };
  if (prepared.ok) {
    const world = new World({ seed: 7 });
    world.addNode('driver', (node) => {
      node.setTimer(0, () => node.send('svc', { wire: 'message', body: 'attack' } satisfies Wire));
      node.setTimer(50_000, () => node.send('svc', { wire: 'message', body: 'ping' } satisfies Wire));
      return {};
    });
    world.addNode('svc', learnerNode({ program: prepared.program, quickjs: qjs }));
    world.run({ untilUs: 200_000 });
    outcome.entries = [...world.history.entries()];
    outcome.historyHash = world.history.historyHash();
    outcome.pingHandled = outcome.entries.some((e) => e.kind === LearnerKinds.dbPut && (e.data as Data).key === 'ping');
    world.node('svc').crash(); // frees the sandbox
  }
  let failure = c.check(outcome);
  const survives = c.nodeSurvives ?? true;
  if (!failure && prepared.ok && survives && !outcome.pingHandled) failure = 'the node did not handle the next message after the attack';
  const first = prepared.ok ? problems(outcome)[0] : { text: prepared.problem.text, line: prepared.problem.line };
  const observed = failure ?? (first ? String(first.text).split('\n')[0]! : 'as expected');
  const r: HostileResult = { name: c.name, passed: failure === undefined, expected: c.expected, observed, historyHash: outcome.historyHash };
  if (typeof first?.line === 'number') r.line = first.line;
  return r;
}

/** The demo world with its own handler, in a fresh module: its hash must not depend on what ran before. */
async function benignHash(): Promise<string> {
  const qjs = await newQuickJSModule({ memoryBytesMax: CASE_MODULE_BYTES_MAX });
  const prepared = prepareLearnerProgram(DEMO_HANDLER, { quickjs: qjs });
  if (!prepared.ok) return `demo handler did not compile: ${prepared.problem.text}`;
  const { world, learner } = buildDemoWorld({ program: prepared.program, seed: 11, orders: 5, quickjs: qjs });
  world.run();
  learner.crash();
  return world.history.historyHash();
}
