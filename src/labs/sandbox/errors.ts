import { formatBytes, formatCount, type Budgets } from './budgets';
import { toLearnerPosition, type TranspiledModule } from './transpile';

/** What went wrong, named (STYLE 4). */
export type ProblemKind =
  | 'syntax' // the file does not compile: reported before the run
  | 'load' // the module's top level threw
  | 'threw' // a handler threw
  | 'rejected' // an async handler's promise rejected
  | 'unhandled-rejection' // a promise rejected and nothing handled it
  | 'bad-return' // a handler returned something that is not plain data
  | 'budget' // steps, memory or stack ran out
  | 'fatal'; // the sandbox had to be stopped

export type BudgetName = 'steps' | 'memory' | 'stack';

/**
 * A learner-facing problem: plain data for the history, the UI and the run's result. `text` is
 * the sentence a person reads; the other fields are for tools (jump to line, group by handler).
 */
export interface LearnerProblem {
  kind: ProblemKind;
  budget?: BudgetName;
  /** The handler (export name) whose call failed, or MODULE_TOP_LEVEL. */
  handler: string;
  /** The error's name (`TypeError`), or `''` when a non-Error value was thrown. */
  name: string;
  message: string;
  /** 1-based position in the learner's file, when known. */
  line?: number;
  column?: number;
  /** The learner's own frames, mapped to their file: `    at handleOrder (handler.ts:12:5)`. */
  stack: string;
  text: string;
  /** The sandbox had to be stopped (wedged, or out of memory after the call): the node cannot go on. */
  sandboxStopped?: boolean;
}

export const MODULE_TOP_LEVEL = "the module's top level";

/** An error as the prelude reports it: an Error's parts, or the description of a thrown non-Error. */
export type RawError = { name: string; message: string; stack: string } | { thrown: string };

interface Frame {
  fn: string;
  file: string;
  line: number;
  column: number;
}

const MODULE_TOP_LEVEL_FRAME = '<module>';
const FRAME_WITH_FN = /^\s*at (.*) \((.*):(\d+):(\d+)\)$/;
const FRAME_BARE = /^\s*at (.*):(\d+):(\d+)$/;
const FRAMES_SHOWN_MAX = 12;

/** Parses QuickJS stack lines (`    at f (file:12:5)`, `    at file:12:5`); native frames are skipped. */
function parseFrames(stack: string): Frame[] {
  const out: Frame[] = [];
  for (const line of stack.split('\n')) {
    let m = FRAME_WITH_FN.exec(line);
    if (m) {
      out.push({ fn: m[1]!, file: m[2]!, line: Number(m[3]), column: Number(m[4]) });
      continue;
    }
    m = FRAME_BARE.exec(line);
    if (m) out.push({ fn: '', file: m[1]!, line: Number(m[2]), column: Number(m[3]) });
  }
  return out;
}

/** The learner's frames from a QuickJS stack, mapped to positions in their TypeScript. */
export function learnerFrames(stack: string, mod: TranspiledModule): Frame[] {
  const frames: Frame[] = [];
  for (const f of parseFrames(stack)) {
    if (f.file !== mod.filename) continue;
    const p = toLearnerPosition(mod, f.line, f.column);
    // The wrapper function is an implementation detail: its frame is the module's top level.
    const fn = f.fn === '' || f.fn === '<anonymous>' ? MODULE_TOP_LEVEL_FRAME : f.fn;
    frames.push({ fn, file: f.file, line: p.line, column: p.column });
  }
  return frames;
}

/**
 * Renders frames like QuickJS does, collapsing runs of the same frame (deep recursion) and capping
 * the count. Without positions when QuickJS's own were not trustworthy (a call stopped by the
 * interrupt handler), so the trace names the functions and never contradicts the reported line.
 */
function renderFrames(frames: Frame[], positions = true): string {
  const lines: string[] = [];
  for (let i = 0; i < frames.length && lines.length < FRAMES_SHOWN_MAX; ) {
    const f = frames[i]!;
    let j = i + 1;
    while (j < frames.length && (positions ? sameFrame(frames[j]!, f) : frames[j]!.fn === f.fn)) j++;
    lines.push(positions ? `    at ${f.fn} (${f.file}:${f.line}:${f.column})` : `    at ${f.fn} (${f.file})`);
    if (j - i > 1) lines.push(`    … the same call ${formatCount(j - i - 1)} more times`);
    i = j;
  }
  const shown = lines.length;
  if (shown >= FRAMES_SHOWN_MAX && frames.length > FRAMES_SHOWN_MAX) lines.push('    …');
  return lines.join('\n');
}

function sameFrame(a: Frame, b: Frame): boolean {
  return a.fn === b.fn && a.line === b.line && a.column === b.column;
}

/** Things learners reach for that the sandbox does not have, and what to use instead. */
const HINTS: Record<string, string> = {
  Date: 'Date is not available: use ctx.now() for simulated time',
  setTimeout: 'setTimeout is not available: use await ctx.sleep(ms) to wait in simulated time',
  setInterval: 'setInterval is not available: loop with await ctx.sleep(ms) to repeat in simulated time',
  setImmediate: 'setImmediate is not available: use await ctx.sleep(0)',
  queueMicrotask: 'queueMicrotask is not available: use await Promise.resolve()',
  fetch: 'fetch is not available in the sandbox: use ctx.call(service, payload) to ask another service',
  XMLHttpRequest: 'XMLHttpRequest is not available in the sandbox: use ctx.call(service, payload) to ask another service',
  WebSocket: 'WebSocket is not available in the sandbox: use ctx.send(to, payload) or ctx.call(service, payload)',
  performance: 'performance is not available: use ctx.now() for simulated time',
  process: 'process is not available: handlers run in a sandbox, and everything they may use comes through ctx',
  require: 'require is not available: import types from "brokerlab"; everything at run time comes through ctx',
};
const HOST_GLOBALS = ['window', 'self', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'importScripts', 'postMessage', 'crypto', 'Buffer', 'global'];

/** A hint for a ReferenceError on a global the sandbox deliberately lacks. */
export function hintFor(name: string, message: string): string | undefined {
  if (name !== 'ReferenceError') return undefined;
  const m = /^'?([A-Za-z_$][\w$]*)'? is not defined$/.exec(message);
  if (!m) return undefined;
  const id = m[1]!;
  if (Object.prototype.hasOwnProperty.call(HINTS, id)) return HINTS[id];
  if (HOST_GLOBALS.includes(id)) return `${id} is not available: handlers run in a sandbox without host objects, and everything they may use comes through ctx`;
  return undefined;
}

/** The line where `name` is declared in the learner's source, for errors that carry no stack. */
export function declarationLine(source: string, name: string): number | undefined {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return undefined;
  const re = new RegExp(`(?:function\\s*\\*?\\s*${name}\\b|\\b(?:const|let|var)\\s+${name}\\b)`);
  const m = re.exec(source);
  if (!m) return undefined;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/** Which budget an engine error means, if any. */
export function budgetOf(raw: RawError): BudgetName | undefined {
  if ('thrown' in raw) return undefined;
  if (raw.name === 'InternalError') {
    if (raw.message === 'interrupted') return 'steps';
    if (raw.message === 'out of memory') return 'memory';
    if (raw.message === 'stack overflow') return 'stack';
  }
  if (raw.name === 'RangeError' && /call stack/i.test(raw.message)) return 'stack';
  return undefined;
}

function at(line: number | undefined, column: number | undefined): string {
  return line === undefined ? '' : ` at line ${line}, column ${column ?? 1}`;
}

function declared(mod: TranspiledModule, handler: string): string {
  const line = declarationLine(mod.source, handler);
  return line === undefined ? '' : ` (${handler} is declared at line ${line})`;
}

export interface ProblemInput {
  kind: ProblemKind;
  handler: string;
  raw: RawError;
  /** Forces the budget reading (a step overrun seen by the host even if the error was swallowed). */
  budget?: BudgetName;
  budgets: Budgets;
  /** Where the call really was, when QuickJS's stack positions cannot be trusted (the loop a stopped call was in). */
  position?: { line: number; column: number };
}

/** Turns what the sandbox saw into a problem a person can act on, in the learner's own positions. */
export function describeProblem(mod: TranspiledModule, input: ProblemInput): LearnerProblem {
  const { handler, raw, budgets } = input;
  const name = 'thrown' in raw ? '' : raw.name;
  const message = 'thrown' in raw ? raw.thrown : raw.message;
  const frames = 'thrown' in raw ? [] : learnerFrames(raw.stack, mod);
  const top = input.position ?? frames[0];
  const stack = renderFrames(frames, input.position === undefined);
  const line = top?.line;
  const column = top?.column;
  const where = top ? at(line, column) : declared(mod, handler);
  const who = handler === MODULE_TOP_LEVEL ? `${mod.filename} (${MODULE_TOP_LEVEL})` : handler;
  const budget = input.budget ?? (input.kind === 'budget' ? budgetOf(raw) : undefined);
  let kind = input.kind;
  let text: string;
  if (budget !== undefined) {
    kind = 'budget';
    switch (budget) {
      case 'steps':
        text = `${who} exceeded ${formatCount(budgets.stepsPerCallMax)} steps${where} — an infinite loop?`;
        break;
      case 'memory':
        text = `${who} exceeded the memory limit of ${formatBytes(budgets.memoryBytesMax)}${where} — does something grow without bound?`;
        break;
      case 'stack':
        text = `${who} exceeded the stack limit of ${formatBytes(budgets.stackBytesMax)}${where} — unbounded recursion?`;
        break;
    }
  } else {
    const what = 'thrown' in raw ? raw.thrown : `${raw.name}: ${raw.message}`;
    const hint = hintFor(name, message);
    const tail = hint ? ` — ${hint}` : '';
    switch (kind) {
      case 'load':
        text = `${mod.filename} failed to load: ${what}${where}${tail}`;
        break;
      case 'rejected':
        text =
          'thrown' in raw
            ? `${who} failed (its promise rejected) with ${raw.thrown}, which is not an Error, so it has no line${declared(mod, handler)}: throw new Error("…") instead`
            : `${who} failed (its promise rejected) with ${what}${where}${tail}`;
        break;
      case 'unhandled-rejection':
        text = `unhandled promise rejection in ${who}: ${what}${where} — await the promise or add .catch(…)`;
        break;
      case 'bad-return':
        text = `${who} returned a value that cannot cross as plain data (${message})${declared(mod, handler)}: return plain objects, arrays, strings, numbers, booleans or null`;
        break;
      case 'fatal':
        text = `${who}: ${message}${where}`;
        break;
      default:
        text =
          'thrown' in raw
            ? `${who} threw ${raw.thrown}, which is not an Error, so it has no line${declared(mod, handler)}: throw new Error("…") instead`
            : `${who} threw ${what}${where}${tail}`;
    }
  }
  const p: LearnerProblem = { kind, handler, name, message, stack, text: stack ? `${text}\n${stack}` : text };
  if (budget !== undefined) p.budget = budget;
  if (line !== undefined) {
    p.line = line;
    p.column = column;
  } else {
    const decl = declarationLine(mod.source, handler);
    if (decl !== undefined) {
      p.line = decl;
      p.column = 1;
    }
  }
  return p;
}

/** A syntax problem, formatted the way editors and compilers print them: `handler.ts:3:9 SyntaxError: …`. */
export function syntaxProblem(filename: string, line: number, column: number, message: string): LearnerProblem {
  const hint = /stack overflow/.test(message) ? 'the code is nested too deeply to compile' : message;
  return {
    kind: 'syntax',
    handler: MODULE_TOP_LEVEL,
    name: 'SyntaxError',
    message: hint,
    line,
    column,
    stack: '',
    text: `${filename}:${line}:${column} SyntaxError: ${hint}`,
  };
}
