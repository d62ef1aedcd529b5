import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { resolveBudgets, type Budgets } from './budgets';
import { syntaxProblem, type LearnerProblem } from './errors';
import { quickJS } from './quickjs';
import { toLearnerPosition, transpileLearnerCode, type TranspiledModule } from './transpile';

/** Learner code that transpiled and compiled: ready to run in any number of nodes and runs. */
export interface LearnerProgram {
  readonly filename: string;
  readonly module: TranspiledModule;
}

export type PrepareResult = { ok: true; program: LearnerProgram } | { ok: false; problem: LearnerProblem };

/**
 * Checks learner code before a run: transpiles it (TypeScript errors with line and column) and
 * compiles it in a throwaway QuickJS context without running it (syntax QuickJS rejects, code
 * nested too deeply). A run never starts with code that cannot load for these reasons; the
 * problem says where, as `handler.ts:3:9 SyntaxError: …`.
 */
export function prepareLearnerProgram(
  source: string,
  opts: { filename?: string; quickjs?: QuickJSWASMModule; budgets?: Partial<Budgets> } = {},
): PrepareResult {
  const filename = opts.filename ?? 'handler.ts';
  const t = transpileLearnerCode(source, filename);
  if (!t.ok) return { ok: false, problem: syntaxProblem(filename, t.problem.line, t.problem.column, t.problem.message) };
  const budgets = resolveBudgets(opts.budgets);
  const rt = (opts.quickjs ?? quickJS()).newRuntime();
  try {
    rt.setMemoryLimit(budgets.memoryBytesMax);
    rt.setMaxStackSize(budgets.compileStackBytesMax);
    const ctx = rt.newContext();
    try {
      // The wrapper is a function expression: evaluating it compiles the module and runs nothing.
      const r = ctx.evalCode(t.module.code, filename, { type: 'global', strict: true });
      if (r.error) {
        const err = ctx.dump(r.error) as { name?: unknown; message?: unknown; stack?: unknown } | undefined;
        r.error.dispose();
        const message = typeof err?.message === 'string' ? err.message : 'the code does not compile';
        const m = /:(\d+):(\d+)/.exec(typeof err?.stack === 'string' ? err.stack : '');
        const pos = m ? toLearnerPosition(t.module, Number(m[1]), Number(m[2])) : { line: 1, column: 1 };
        return { ok: false, problem: syntaxProblem(filename, pos.line, pos.column, message) };
      }
      r.value.dispose();
    } finally {
      ctx.dispose();
    }
  } finally {
    rt.dispose();
  }
  return { ok: true, program: { filename, module: t.module } };
}
