/**
 * Points in hundredths, so sums are exact: 13.2 is 1320. Every figure the gradebook shows goes
 * through these, so the same grades print the same digits on every machine.
 */

/**
 * Scales a lab's check points to the assessment's points for the lab, in hundredths, so that they
 * add up to exactly `total`: each check gets its share rounded down, and the hundredths left over
 * go to the checks with the largest remainders (the earlier check on a tie). 3 equal checks worth
 * 10 points in all get 3.34, 3.33, 3.33.
 */
export function scalePoints(checkPoints: readonly number[], total: number): number[] {
  const totalC = Math.round(total * 100);
  const sum = checkPoints.reduce((a, p) => a + p, 0);
  if (sum <= 0 || checkPoints.length === 0) return checkPoints.map(() => 0);
  const exact = checkPoints.map((p) => (p * totalC) / sum);
  const out = exact.map((x) => Math.floor(x + 1e-9));
  let left = totalC - out.reduce((a, x) => a + x, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x + 1e-9) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0 && k < order.length; k++, left--) out[order[k]!.i]!++;
  return out.map((c) => c / 100);
}

/** Adds points without float drift (0.1 + 0.2 is 0.3 here). */
export function addPoints(...xs: number[]): number {
  return xs.reduce((a, x) => a + Math.round(x * 100), 0) / 100;
}

/** A score as the gradebook writes it: up to two decimals, no trailing zeros, no locale. */
export function formatPoints(x: number): string {
  const c = Math.round(x * 100);
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  const whole = Math.floor(a / 100);
  const frac = a % 100;
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(2, '0').replace(/0$/, '')}`;
}
