/** One benchmark figure. `baseline` is measured in the same run, so `ratio` is comparable across machines. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  /** One sentence on what was measured, for the table. */
  note?: string;
}

/** A benchmark: a name for `--only` and a function that measures. */
export interface Benchmark {
  name: string;
  /** Other names this benchmark reports (so `--only` can select it by any of them). */
  reports?: string[];
  run(): Promise<BenchResult[]> | BenchResult[];
}

/** What a repeated end-to-end run reports, for `bestRun`. */
export interface TimedRun {
  wallMs: number;
  cpuMs: number;
  historyHash: string;
}

/**
 * The best of several runs of the same seeded scenario: the run with the fewest CPU milliseconds,
 * with the fastest wall time of them all. The machine is shared, and other tenants only ever slow a
 * run down. Runs that recorded different histories are a determinism bug, not noise: that throws.
 */
export function bestRun<R extends TimedRun>(name: string, runs: readonly R[]): R {
  const first = runs[0]!;
  if (runs.some((r) => r.historyHash !== first.historyHash)) throw new Error(`${name}: runs with the same seed gave different histories`);
  const fewest = runs.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  return { ...fewest, wallMs: Math.min(...runs.map((r) => r.wallMs)) };
}
