/**
 * Simulated time for people. Views show milliseconds with microsecond precision because the
 * network's latencies are sub-millisecond; seconds appear once a run is long enough to need them.
 */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  return us >= 1_000_000 ? `${(us / 1_000_000).toFixed(6)} s` : `${(us / 1000).toFixed(3)} ms`;
}

/** A shorter form for axis ticks and dense rows: `1.25 s`, `12.5 ms`, `40 µs`. */
export function formatUsShort(us: number): string {
  if (us === 0) return '0';
  const a = Math.abs(us);
  if (a >= 1_000_000) return `${+(us / 1_000_000).toFixed(3)} s`;
  if (a >= 1_000) return `${+(us / 1_000).toFixed(3)} ms`;
  return `${Math.round(us)} µs`;
}
