/**
 * A moment of a run: a simulated time and the last history entry at or before it. The pair makes
 * a moment exact even when many entries share one microsecond, which is what a checker's
 * counterexample points at (`{ timeUs, seq }`).
 */
export interface Moment {
  timeUs: number;
  /** Index of the last entry that has happened at this moment; -1 before the first. */
  seq: number;
}

/** Where a jump may land: a time, and optionally the exact entry at that time. */
export interface MomentTarget {
  timeUs: number;
  seq?: number;
}

export const START: Moment = { timeUs: 0, seq: -1 };
