import { upperBound } from './sorted-search';

/** Steps between two kept copies of the state: the most a scrub ever replays. */
export const CHECKPOINT_EVERY = 256;

/** How a fold's state is made, copied and advanced by one step. */
export interface FoldRules<S, Step extends { seq: number }> {
  initial(): S;
  /** A deep copy: the fold mutates its states in place. */
  clone(s: S): S;
  apply(s: S, step: Step): void;
}

/**
 * A left fold over a run's steps (history entries, or what an index made of them) that answers
 * "what was the state after entry `seq`?" in time bounded by CHECKPOINT_EVERY steps, however long
 * the run: it keeps the steps and a copy of the state before every CHECKPOINT_EVERY-th one, and
 * replays from the nearest copy. Appending a step costs one `apply` (plus a copy every
 * CHECKPOINT_EVERY steps), so an index can feed it as batches stream in.
 */
export class CheckpointedFold<S, Step extends { seq: number }> {
  private readonly steps: Step[] = [];
  /** `checkpoints[k]` is the state before `steps[k * CHECKPOINT_EVERY]`. */
  private readonly checkpoints: S[] = [];
  /** The state after every step so far. */
  private readonly head: S;
  private cached: { count: number; state: S } | undefined;

  constructor(
    private readonly rules: FoldRules<S, Step>,
    private readonly every = CHECKPOINT_EVERY,
  ) {
    this.head = rules.initial();
  }

  get length(): number {
    return this.steps.length;
  }

  /** Adds the next step; steps arrive in seq order. */
  add(step: Step): void {
    const n = this.steps.length;
    if (n > 0 && step.seq < this.steps[n - 1]!.seq) throw new Error(`fold steps arrive in seq order (${step.seq} after ${this.steps[n - 1]!.seq})`);
    if (n % this.every === 0) this.checkpoints.push(this.rules.clone(this.head));
    this.steps.push(step);
    this.rules.apply(this.head, step);
  }

  /** The seq of the last step at or before `seq` (-1 when there is none): what last changed the state. */
  lastStepSeq(seq: number): number {
    const i = this.count(seq);
    return i === 0 ? -1 : this.steps[i - 1]!.seq;
  }

  private count(seq: number): number {
    const steps = this.steps;
    return upperBound(steps.length, (i) => steps[i]!.seq, seq);
  }

  /**
   * The state after every step with a seq ≤ `seq`. The result is shared with later calls for the
   * same moment: read it, never change it.
   */
  at(seq: number): S {
    const count = this.count(seq);
    // Steps are only ever appended, so the state after the first `count` of them never changes.
    if (this.cached !== undefined && this.cached.count === count) return this.cached.state;
    // The copy at or before `count`. When `count` is every step so far and a multiple of `every`,
    // the copy at `count` is not made yet (it is pushed with the next step): use the one before.
    const k = Math.min(Math.floor(count / this.every), this.checkpoints.length - 1);
    let state: S;
    if (k < 0) state = this.rules.initial();
    else {
      state = this.rules.clone(this.checkpoints[k]!);
      for (let i = k * this.every; i < count; i++) this.rules.apply(state, this.steps[i]!);
    }
    this.cached = { count, state };
    return state;
  }
}
