import type { LearnerProblem } from '../../labs/sandbox';
import type { Problem } from '../editor/problem';

/** A problem in the learner's code found while the lab ran (an exception, a budget overrun). */
export interface RunProblem {
  line: number;
  column: number;
  message: string;
  node: string;
  timeUs: number;
  seq: number;
}

/** Different problems kept per run: the same error on every message is one problem. */
export const RUN_PROBLEMS_MAX = 20;

const KINDS = ['learner.error', 'learner.budget'];

interface Entry {
  seq: number;
  timeUs: number;
  kind: string;
  node: string;
  data?: { line?: unknown; column?: unknown; text?: unknown };
}

/**
 * Collects the learner's problems from a streamed batch (JSON text of history entries). Most
 * batches have none, so the text is searched before anything is parsed. Adds to `into`, keeping
 * the first of each (line, column, message) and at most RUN_PROBLEMS_MAX.
 */
export function collectRunProblems(json: string, into: RunProblem[]): void {
  if (into.length >= RUN_PROBLEMS_MAX || !KINDS.some((k) => json.includes(`"${k}"`))) return;
  for (const e of JSON.parse(json) as Entry[]) {
    if (!KINDS.includes(e.kind)) continue;
    const d = e.data ?? {};
    if (typeof d.line !== 'number' || typeof d.text !== 'string') continue;
    const column = typeof d.column === 'number' ? d.column : 1;
    const message = d.text.split('\n')[0]!;
    if (into.some((p) => p.line === d.line && p.column === column && p.message === message)) continue;
    into.push({ line: d.line, column, message, node: e.node, timeUs: e.timeUs, seq: e.seq });
    if (into.length >= RUN_PROBLEMS_MAX) return;
  }
}

/** A problem that stopped the run before it began (a syntax error), as an editor marker. */
export function markerOfProblem(p: LearnerProblem): Problem | undefined {
  if (p.line === undefined) return undefined;
  return { line: p.line, column: p.column ?? 1, severity: 'error', message: p.text.split('\n')[0]! };
}

export function markersOfRunProblems(problems: readonly RunProblem[]): Problem[] {
  return problems.map((p) => ({ line: p.line, column: p.column, severity: 'error', message: `${p.message} (on ${p.node})` }));
}
