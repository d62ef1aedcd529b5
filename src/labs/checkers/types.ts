import type { HistoryEntry } from '../../sim/history';

/** What a checker may read: the history, and where the heal phase began. Nothing else. */
export interface CheckInput {
  /** The entries of the given kinds, in history order. */
  ofKind(...kinds: string[]): Iterable<HistoryEntry>;
  /** Simulated time the heal phase began; liveness checks read from here. */
  healStartUs: number;
  /** Simulated time the run ended. */
  endUs: number;
}

/** One piece of a counterexample: what went wrong, to which messages, where and when. */
export interface Evidence {
  message: string;
  /** Message ids involved (the workload's ids). */
  ids?: string[];
  node?: string;
  /** The moment the UI jumps to. */
  timeUs?: number;
  /** The history entry the UI highlights. */
  seq?: number;
}

/** A checker's answer. `evidence` is a minimal counterexample: the first violation, not all of them. */
export interface Verdict {
  passed: boolean;
  summary: string;
  evidence: Evidence[];
}

/** A checker: a pure function from a run's history to a verdict. */
export type Checker = (input: CheckInput) => Verdict;

/** Adapts a plain array of entries (as the page holds after streaming) to a CheckInput. */
export function checkInputFromEntries(entries: readonly HistoryEntry[], healStartUs: number, endUs?: number): CheckInput {
  return {
    *ofKind(...kinds: string[]) {
      const set = new Set(kinds);
      for (const e of entries) if (set.has(e.kind)) yield e;
    },
    healStartUs,
    endUs: endUs ?? entries.at(-1)?.timeUs ?? 0,
  };
}
