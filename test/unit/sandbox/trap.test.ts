import { QuickJSContext } from 'quickjs-emscripten-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadLabsFor } from '../../../src/host/grade-node';
import { gradeTask, type GradingTask } from '../../../src/labs/assess';
import type { LoadedLab } from '../../../src/labs/lab';
import { loadQuickJS, quickJS, QuickJSTrap } from '../../../src/labs/sandbox';
import { GradingPool } from '../../../src/ui/instructor/grading-pool';
import { LAB, SOLUTION } from '../assess/fixtures';

/**
 * A trap inside QuickJS's wasm ("memory access out of bounds" was seen once when a grader ran a
 * program that kept 200,000 objects per message on every node for minutes) leaves the shared
 * module's memory suspect. It must abandon the run, never be scored as the learner's result, and
 * leave the next run a fresh module. The trap is made here by having the context's call into wasm
 * throw the error a trap throws, the n-th time it is called.
 */
const realCall = QuickJSContext.prototype.callFunction;

function trapOnCall(n: number): void {
  let calls = 0;
  QuickJSContext.prototype.callFunction = function (this: QuickJSContext, ...args: Parameters<typeof realCall>) {
    if (++calls === n) throw new WebAssembly.RuntimeError('memory access out of bounds');
    return realCall.apply(this, args);
  } as typeof realCall;
}

let lab: LoadedLab;
const task = (id: number): GradingTask => ({ id, lab: LAB, code: SOLUTION, seeds: [3], schedules: [], earlyStop: true });

beforeAll(async () => {
  lab = (await loadLabsFor([LAB])).get(LAB)!;
  await loadQuickJS();
}, 120_000);

afterEach(() => {
  QuickJSContext.prototype.callFunction = realCall;
});

describe('a trap in the QuickJS wasm', () => {
  it('fails the grading task as fatal (not a score), discards the module, and the next task runs on a fresh one', async () => {
    const before = quickJS();
    const good = gradeTask(lab, task(0));
    expect(good.type).toBe('graded');

    trapOnCall(40);
    const trapped = gradeTask(lab, task(1));
    QuickJSContext.prototype.callFunction = realCall;
    expect(trapped).toMatchObject({ type: 'failed', id: 1, fatal: true });
    expect(trapped.type === 'failed' && trapped.message).toMatch(/sandbox \(QuickJS in wasm\) failed: memory access out of bounds/);
    expect(() => quickJS()).toThrow(/not loaded/);

    const fresh = await loadQuickJS();
    expect(fresh).not.toBe(before);
    const again = gradeTask(lab, task(2));
    // The same code and seed as before the trap, graded the same way on the new module.
    expect(again).toEqual({ ...good, id: 2 });
  }, 120_000);

  it('the QuickJSTrap says what happened and what to do', () => {
    const e = new QuickJSTrap(new WebAssembly.RuntimeError('memory access out of bounds'));
    expect(e.message).toMatch(/memory access out of bounds/);
    expect(e.message).toMatch(/run was abandoned/);
    expect(e.message).toMatch(/Use less memory per message/);
  });

  it('the instructor page’s pool retires a grader whose module trapped, and grades the rest with a new one', async () => {
    const spawned: string[] = [];
    const terminated: string[] = [];
    let n = 0;
    const pool = new GradingPool({
      workers: 1,
      spawn: () => {
        const name = `g${n++}`;
        spawned.push(name);
        return {
          grade: async (t) => {
            await loadQuickJS(); // as the browser grader does before every task
            if (t.id === 0) trapOnCall(40);
            const r = gradeTask(lab, t);
            QuickJSContext.prototype.callFunction = realCall;
            return r;
          },
          terminate: () => terminated.push(name),
        };
      },
    });
    const results = await pool.run([task(0), task(1)]);
    expect(results.get(0)).toMatchObject({ ok: false });
    expect((results.get(0) as { text: string }).text).toMatch(/memory access out of bounds/);
    expect(results.get(1)).toMatchObject({ ok: true });
    expect(spawned).toEqual(['g0', 'g1']);
    expect(terminated).toEqual(['g0', 'g1']);
  }, 120_000);
});
