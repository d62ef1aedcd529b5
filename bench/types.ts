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
