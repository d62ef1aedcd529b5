import { describe, expect, it } from 'vitest';
import { insertLoopProbes, LOOP_PROBE, unprobeColumn } from '../../../src/labs/sandbox/loop-probes';
import { SOURCE_CHARS_MAX, toLearnerPosition, transpileLearnerCode } from '../../../src/labs/sandbox/transpile';
import { lines } from './helpers';

describe('transpiling learner TypeScript', () => {
  it('keeps every line where the learner wrote it', () => {
    const src = lines(
      "import type { Ctx, Message } from 'brokerlab';",
      'interface Order {',
      '  id: number;',
      '}',
      'enum Color { Red, Green }',
      'export async function handleMessage(msg: Message<Order>, ctx: Ctx): Promise<void> {',
      '  const id: number = msg.payload.id;',
      '  marker(id);',
      '}',
    );
    const t = transpileLearnerCode(src);
    if (!t.ok) throw new Error(t.problem.message);
    const out = t.module.code.split('\n');
    expect(out.length).toBe(src.split('\n').length + 1); // the wrapper's closing line
    expect(out[7]).toContain('marker(id)');
  });

  it('maps columns through removed type annotations back to the learner’s column', () => {
    const src = lines('export function f(a: number, b: string): number {', '  const longName: Record<string, number> = {}; return boom(a);', '}');
    const t = transpileLearnerCode(src);
    if (!t.ok) throw new Error(t.problem.message);
    const genLine = t.module.code.split('\n')[1]!;
    const genCol = genLine.indexOf('boom(') + 1;
    const srcCol = src.split('\n')[1]!.indexOf('boom(') + 1;
    expect(genCol).toBeLessThan(srcCol); // the annotation is gone, so the column moved
    expect(toLearnerPosition(t.module, 2, genCol)).toEqual({ line: 2, column: srcCol });
  });

  it('maps line-1 columns past the module wrapper', () => {
    const src = 'export const x: number = boom();\n';
    const t = transpileLearnerCode(src);
    if (!t.ok) throw new Error(t.problem.message);
    const genCol = t.module.code.split('\n')[0]!.indexOf('boom(') + 1;
    expect(toLearnerPosition(t.module, 1, genCol)).toEqual({ line: 1, column: src.indexOf('boom(') + 1 });
  });

  it('reports a TypeScript syntax error with the learner’s line and column, without sucrase’s prefix', () => {
    const t = transpileLearnerCode(lines('const a = 1;', '', 'function f(x: number {', '}'), 'orders.ts');
    expect(t.ok).toBe(false);
    if (t.ok) return;
    expect(t.problem).toMatchObject({ line: 3, column: 22 });
    expect(t.problem.message).not.toMatch(/Error transforming/);
    expect(t.problem.message).not.toMatch(/\(\d+:\d+\)$/);
  });

  it('knows where each loop is in the learner’s file, through the types', () => {
    const src = lines('export function f(xs: number[]): number {', '  let n: number = 0;', '  while (n < xs.length) n++;', '  for (let i: number = 0; i < 3; i++) n++;', '  return n;', '}');
    const t = transpileLearnerCode(src);
    if (!t.ok) throw new Error(t.problem.message);
    expect(t.module.loops).toEqual([
      { line: 3, column: src.split('\n')[2]!.indexOf('n <') + 1 },
      { line: 4, column: src.split('\n')[3]!.indexOf('i <') + 1 },
    ]);
  });

  it('refuses a file over the size limit before transpiling it', () => {
    const t = transpileLearnerCode('x'.repeat(SOURCE_CHARS_MAX + 1));
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.problem.message).toMatch(/limit is 200000/);
  });
});

describe('loop probes', () => {
  it('probes while, do…while and classic for conditions, and leaves for…of and for…in alone', () => {
    const js = [
      'while (a < 3) a++;',
      'do { b++ } while (b < 3);',
      'for (let i = 0; i < 3; i++) {}',
      'for (;;) { break }',
      'for (const x of xs) {}',
      'for (const k in o) {}',
      "const o2 = { while: 1, for: 2 }; o2.while++;",
    ].join('\n');
    const { code, inserts, loops } = insertLoopProbes(js);
    const out = code.split('\n');
    expect(out[0]).toBe(`while (${LOOP_PROBE}(1) || (a < 3)) a++;`);
    expect(out[1]).toBe(`do { b++ } while (${LOOP_PROBE}(2) || (b < 3));`);
    expect(out[2]).toBe(`for (let i = 0; ${LOOP_PROBE}(3) || ( i < 3); i++) {}`);
    expect(out[3]).toBe(`for (; ${LOOP_PROBE}(4) || true;) { break }`);
    expect(out.slice(4)).toEqual(js.split('\n').slice(4));
    expect(inserts.every((i) => i.line <= 4)).toBe(true);
    // Each loop is numbered, and its condition's start is known exactly.
    expect(loops).toEqual([
      { line: 1, column: 7 },
      { line: 2, column: 18 },
      { line: 3, column: 16 },
      { line: 4, column: 6 },
    ]);
    // The probed code is still JavaScript with the same meaning.
    expect(() => new Function('a', 'b', 'xs', 'o', LOOP_PROBE, code)).not.toThrow();
  });

  it('keeps a condition’s value, including assignments and comma expressions', () => {
    const { code } = insertLoopProbes('let n = 0, v; const it = [3, 2, 1]; while (v = it.pop()) n += v; for (let i = 0; (i++, i < 4);) n++; return n;');
    const run = new Function(LOOP_PROBE, code) as (p: () => void) => number;
    expect(run(() => undefined)).toBe(6 + 3);
  });

  it('maps columns after and inside a probe back to the code before probing', () => {
    const js = 'x; while (go()) { y(); }';
    const { code, inserts } = insertLoopProbes(js);
    const yCol = code.indexOf('y()') + 1;
    expect(unprobeColumn(inserts, 1, yCol)).toBe(js.indexOf('y()') + 1);
    const probeCol = code.indexOf(LOOP_PROBE) + 1;
    expect(unprobeColumn(inserts, 1, probeCol)).toBe(js.indexOf('go()') + 1);
    expect(unprobeColumn(inserts, 1, 1)).toBe(1);
  });

  it('returns code it cannot parse unchanged, for QuickJS to report', () => {
    expect(insertLoopProbes('while (')).toEqual({ code: 'while (', inserts: [], loops: [] });
  });
});
