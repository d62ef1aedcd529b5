import { parse, type SucraseToken } from 'sucrase/dist/parser/index.js';
import { TokenType } from 'sucrase/dist/parser/tokenizer/types.js';

/**
 * The function the sandbox passes into the module as a parameter of its wrapper. Every loop
 * condition calls it with the loop's number, and it notes that number where the host can read it.
 * QuickJS's own record of the running position is unreliable when its interrupt handler stops a
 * loop (it depends on which poll the budget ran out at, and is often the function's first line),
 * so a step overrun is reported at the last loop the call entered: exact and deterministic.
 */
export const LOOP_PROBE = '$$blLoop';

/** Where a probed loop's condition starts, in the code before probing: 1-based line, 0-based column. */
export interface ProbedLoop {
  line: number;
  column: number;
}

/** One inserted piece of text: where it went in the code before insertion, and how long it is. */
export interface ProbeInsert {
  /** 1-based line. */
  line: number;
  /** 0-based column in the code before any insertion on this line. */
  column: number;
  length: number;
}

const tt = {
  while: TokenType._while!,
  for: TokenType._for!,
  name: TokenType.name!,
  parenL: TokenType.parenL!,
  parenR: TokenType.parenR!,
  bracketL: TokenType.bracketL!,
  bracketR: TokenType.bracketR!,
  braceL: TokenType.braceL!,
  braceR: TokenType.braceR!,
  dollarBraceL: TokenType.dollarBraceL!,
  semi: TokenType.semi!,
};

/**
 * Rewrites every `while`/`do…while` condition and every classic `for` condition `C` as
 * `$$blLoop(n) || (C)`, n being the loop's number from 1 (the probe returns undefined, so the
 * condition keeps its value; an empty `for` condition becomes `$$blLoop(n) || true`). `for…of` and `for…in` walk finite data and are left
 * alone. The form matters: QuickJS folds `$$blLoop(), C` and loses the call's position, but keeps it
 * for `||`. Insertions stay on their line, so line numbers never move; the returned inserts let
 * positions be mapped back. Code the parser cannot read is returned unchanged (QuickJS will report
 * the syntax error).
 */
export function insertLoopProbes(js: string): { code: string; inserts: ProbeInsert[]; loops: ProbedLoop[] } {
  let tokens: SucraseToken[];
  try {
    tokens = parse(js, false, false, false).tokens;
  } catch {
    return { code: js, inserts: [], loops: [] };
  }
  const at: { index: number; text: string }[] = [];
  const loopStarts: number[] = [];
  const probe = (): string => `${LOOP_PROBE}(${loopStarts.length})`;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === tt.while) {
      const p = tokens[i + 1];
      if (p?.type !== tt.parenL) continue;
      const close = matchingParen(tokens, i + 1);
      if (close < 0) continue;
      loopStarts.push(p.end);
      at.push({ index: p.end, text: `${probe()} || (` }, { index: tokens[close]!.start, text: ')' });
    } else if (t.type === tt.for) {
      const p = tokens[i + 1];
      if (p?.type !== tt.parenL) continue; // `for await (…)` iterates
      const semis = topLevelSemis(tokens, i + 1);
      if (semis.length !== 2) continue; // for…of, for…in
      const [first, second] = semis as [number, number];
      loopStarts.push(second === first + 1 ? tokens[first]!.end : tokens[first + 1]!.start);
      if (second === first + 1) at.push({ index: tokens[first]!.end, text: ` ${probe()} || true` });
      else at.push({ index: tokens[first]!.end, text: ` ${probe()} || (` }, { index: tokens[second]!.start, text: ')' });
    }
  }
  if (at.length === 0) return { code: js, inserts: [], loops: [] };
  // Stable: a `)` and a following loop's `$$blLoop() || (` at the same index keep their order.
  at.sort((a, b) => a.index - b.index);
  let out = '';
  let prev = 0;
  const inserts: ProbeInsert[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const ins of at) {
    for (; scanned < ins.index; scanned++) {
      if (js.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    }
    out += js.slice(prev, ins.index) + ins.text;
    prev = ins.index;
    inserts.push({ line, column: ins.index - lineStart, length: ins.text.length });
  }
  out += js.slice(prev);
  return { code: out, inserts, loops: loopStarts.map((index) => positionOf(js, index)) };
}

function positionOf(js: string, index: number): ProbedLoop {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (js.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart };
}

/** Indexes of the `;` directly inside the parentheses opening at `open`. */
function topLevelSemis(tokens: SucraseToken[], open: number): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const ty = tokens[k]!.type;
    if (opens(ty)) depth++;
    else if (closes(ty)) {
      depth--;
      if (depth === 0) return out;
    } else if (ty === tt.semi && depth === 1) out.push(k);
  }
  return [];
}

/** Index of the `)` closing the parenthesis at `open`, or -1. */
function matchingParen(tokens: SucraseToken[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const ty = tokens[k]!.type;
    if (opens(ty)) depth++;
    else if (closes(ty) && --depth === 0) return ty === tt.parenR ? k : -1;
  }
  return -1;
}

function opens(ty: number): boolean {
  return ty === tt.parenL || ty === tt.bracketL || ty === tt.braceL || ty === tt.dollarBraceL;
}

function closes(ty: number): boolean {
  return ty === tt.parenR || ty === tt.bracketR || ty === tt.braceR;
}

/**
 * Maps a 1-based column in probed code back to the code before probes were inserted. A column
 * inside a probe maps to where the probe was inserted: the start of the loop's condition.
 */
export function unprobeColumn(inserts: readonly ProbeInsert[], line: number, column: number): number {
  let col0 = column - 1;
  let shift = 0;
  for (const ins of inserts) {
    if (ins.line !== line) continue;
    const startInProbed = ins.column + shift;
    if (col0 < startInProbed) break;
    if (col0 < startInProbed + ins.length) return ins.column + 1;
    shift += ins.length;
  }
  col0 -= shift;
  return col0 + 1;
}
