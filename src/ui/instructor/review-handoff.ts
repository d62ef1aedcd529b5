import { buildHash } from '../router/hash-route';

/**
 * "Open run" on the instructor page hands a learner's code to the lab page without touching the
 * autosaved code of whoever uses this browser. The handoff lives in this tab's memory only (never
 * in storage or the address), like the key whose hidden seeds and schedules it may carry: the
 * address holds a random token, and a token this page does not know (after a reload, or pasted
 * into another tab) is reported as a review that has ended, never opened as something else.
 */
export interface ReviewRun {
  learner: string;
  /** The submission file the code came from. */
  file: string;
  lab: string;
  code: string;
  /** The file name grading compiled the code under (it shows in error messages, so in the history). */
  filename: string;
  seed: number;
  /** -1: the lab's own faults only; otherwise the index of the key's fault schedule the run adds. */
  schedule: number;
  /** That schedule's entries (the extra faults of the run), when `schedule` ≥ 0. */
  faults?: unknown[];
  /** A hidden seed or a key's schedule: such a run's seed stays out of the address. */
  hidden: boolean;
  /** The history hash the graded run had, when it ran, so the page can show they agree. */
  gradedHash?: string;
}

/** A review as the lab page holds it: its token and the run. */
export interface LabReview {
  token: string;
  run: ReviewRun;
}

/** Reviews kept at once; opening more forgets the oldest. */
export const REVIEWS_MAX = 50;

const reviews = new Map<string, ReviewRun>();

function token(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Keeps a review in memory and returns its token. */
export function openReview(run: ReviewRun): string {
  const t = token();
  reviews.set(t, run);
  while (reviews.size > REVIEWS_MAX) reviews.delete(reviews.keys().next().value!);
  return t;
}

/** The review a token names, if this page still holds it. */
export function reviewOf(t: string): ReviewRun | undefined {
  return reviews.get(t);
}

/** The lab page's address for a review: the lab, the token, and the seed when it is a public one. */
export function reviewHash(t: string, run: Pick<ReviewRun, 'lab' | 'seed' | 'hidden'>): string {
  const q = new URLSearchParams({ review: t });
  if (!run.hidden) q.set('seed', String(run.seed));
  return buildHash(`/lab/${encodeURIComponent(run.lab)}`, q);
}

/** The review token in a lab page's address, if any (`?review=<16 hex digits>`). */
export function reviewToken(params: URLSearchParams): string | undefined {
  const t = params.get('review');
  return t === null ? undefined : t;
}

/** "seed 3", "hidden seed 4235406351", "seed 3 under the key's fault schedule 0". */
export function reviewRunName(run: Pick<ReviewRun, 'seed' | 'schedule' | 'hidden'>): string {
  const seed = `${run.hidden && run.schedule < 0 ? 'hidden seed' : 'seed'} ${run.seed}`;
  return run.schedule >= 0 ? `${seed} under the key's fault schedule ${run.schedule}` : seed;
}
