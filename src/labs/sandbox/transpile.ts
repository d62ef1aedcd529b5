import { transform } from 'sucrase';
import { insertLoopProbes, LOOP_PROBE, unprobeColumn, type ProbeInsert } from './loop-probes';
import { SOURCE_CHARS_MAX } from './limits';
import { PositionMap } from './source-map';

export { SOURCE_CHARS_MAX };

/**
 * The learner's module, ready for QuickJS: TypeScript stripped, ES module syntax turned into
 * CommonJS (`exports.x = …`, `require(…)`), and wrapped in a function so the module's top level
 * runs only when the sandbox calls it. Every line is where the learner wrote it.
 */
export interface TranspiledModule {
  filename: string;
  /** The learner's TypeScript, kept for messages that quote a declaration line. */
  source: string;
  /** `(function (exports, require, module, $$blLoop) {…})` — an expression, compiled without running. */
  code: string;
  /** Characters the wrapper adds in front of line 1; stack columns on line 1 are shifted by this. */
  wrapperColumns: number;
  /** Loop probes inserted into sucrase's output (see loop-probes.ts). */
  probes: readonly ProbeInsert[];
  /** Where each probed loop's condition starts in the learner's file (1-based); index = loop number - 1. */
  loops: readonly { line: number; column: number }[];
  /** Sucrase's output → the learner's TypeScript. */
  map: PositionMap;
}

/** A problem with the learner's file found before it runs: where and what. Columns are 1-based. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
}

export type TranspileResult = { ok: true; module: TranspiledModule } | { ok: false; problem: SourceProblem };

const WRAPPER_HEAD = `(function (exports, require, module, ${LOOP_PROBE}) {'use strict';`;
const WRAPPER_TAIL = '\n})';

/**
 * Transpiles with sucrase. Sucrase's parse errors carry a 1-based line and column; those become
 * the problem. Syntax sucrase accepts but QuickJS does not is caught when the sandbox compiles.
 */
export function transpileLearnerCode(source: string, filename = 'handler.ts'): TranspileResult {
  if (source.length > SOURCE_CHARS_MAX) {
    return { ok: false, problem: { line: 1, column: 1, message: `${filename} has ${source.length} characters; the limit is ${SOURCE_CHARS_MAX}` } };
  }
  let out: ReturnType<typeof transform>;
  try {
    out = transform(source, {
      transforms: ['typescript', 'imports'],
      filePath: filename,
      sourceMapOptions: { compiledFilename: filename.replace(/\.ts$/, '.js') },
      // QuickJS understands modern syntax (optional chaining, class fields), so keep it as written.
      disableESTransforms: true,
    });
  } catch (e) {
    return { ok: false, problem: sucraseProblem(e) };
  }
  const map = out.sourceMap ? PositionMap.fromMappings(out.sourceMap.mappings) : PositionMap.identity();
  const probed = insertLoopProbes(out.code);
  const loops = probed.loops.map((l) => map.toSource(l.line, l.column + 1));
  return {
    ok: true,
    module: { filename, source, code: WRAPPER_HEAD + probed.code + WRAPPER_TAIL, wrapperColumns: WRAPPER_HEAD.length, probes: probed.inserts, loops, map },
  };
}

/** Maps a position in the wrapped, transpiled code to the learner's file (1-based). */
export function toLearnerPosition(mod: TranspiledModule, line: number, column: number): { line: number; column: number } {
  const col = line === 1 ? Math.max(1, column - mod.wrapperColumns) : column;
  return mod.map.toSource(line, unprobeColumn(mod.probes, line, col));
}

function sucraseProblem(e: unknown): SourceProblem {
  const err = e as { message?: unknown; loc?: { line?: unknown; column?: unknown } };
  const raw = typeof err?.message === 'string' ? err.message : String(e);
  // Sucrase wraps its messages as "Error transforming <file>: … (line:column)"; the position is also in `loc`.
  const message = raw.replace(/^Error transforming [^:]*: /, '').replace(/\s*\(\d+:\d+\)$/, '');
  const line = typeof err?.loc?.line === 'number' ? err.loc.line : 1;
  const column = typeof err?.loc?.column === 'number' ? err.loc.column : 1;
  if (e instanceof RangeError) return { line: 1, column: 1, message: 'the code is nested too deeply to compile' };
  return { line, column, message };
}
