/**
 * Binary searches over arrays sorted by time. The history is appended in time order, and so are
 * the message arrows (by send time), so every "what was true at t" question is a search.
 */

/** The first index in [0, n) whose key is ≥ value (n when none is). */
export function lowerBound(n: number, key: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in [0, n) whose key is > value (n when none is). */
export function upperBound(n: number, key: (i: number) => number, value: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
