/**
 * Virtual time is an integer count of microseconds since the start of a run. These helpers turn
 * human units into that count so call sites read as `ms(250)` instead of `250_000`.
 */
export type Micros = number;

/** Microseconds, rounded to an integer. */
export const us = (n: number): Micros => Math.round(n);
/** Milliseconds in microseconds. */
export const ms = (n: number): Micros => Math.round(n * 1_000);
/** Seconds in microseconds. */
export const sec = (n: number): Micros => Math.round(n * 1_000_000);

/** Formats a virtual time for people: `1.250s`, `12.5ms`, `40µs`. */
export function formatTime(timeUs: Micros): string {
  if (timeUs >= 1_000_000) return `${(timeUs / 1_000_000).toFixed(3)}s`;
  if (timeUs >= 1_000) return `${+(timeUs / 1_000).toFixed(3)}ms`;
  return `${timeUs}µs`;
}

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m)?\s*$/;

/**
 * Parses a duration written by a person in a fault schedule or a lab: a number is milliseconds,
 * a string may carry a unit (`"500us"`, `"250ms"`, `"2s"`, `"1m"`). Returns undefined when it is
 * not a duration, so the caller can say where the bad value was.
 */
export function parseDurationUs(value: unknown): Micros | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? ms(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = DURATION.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2] ?? 'ms') {
    case 'us':
    case 'µs':
      return us(n);
    case 'ms':
      return ms(n);
    case 's':
      return sec(n);
    default:
      return sec(n * 60);
  }
}
