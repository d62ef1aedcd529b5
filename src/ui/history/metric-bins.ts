import type { HistoryEntry } from '../../sim';

/** Width of one chart bin. Charts report rates per simulated second, so the width only sets smoothness. */
export const BIN_US = 100_000;

/** Chart series over simulated time, one value per bin (uPlot's column format). */
export interface MetricSeries {
  /** Bin start, in simulated seconds. */
  timeS: number[];
  deliveredPerS: number[];
  dropsPerS: number[];
  /** Delivery latency percentiles in milliseconds; null where a bin had no delivery. */
  latencyP50Ms: (number | null)[];
  latencyP99Ms: (number | null)[];
}

/**
 * Counts deliveries and drops per bin and keeps each bin's latencies for percentiles. Latency is
 * send → deliver of the same message id (the first copy, as a duplicate's later arrival is not
 * a slower network). Percentiles are recomputed only for bins that changed since the last read.
 */
export class MetricBins {
  private readonly delivered: number[] = [];
  private readonly drops: number[] = [];
  private readonly latencies: number[][] = [];
  private readonly p50: (number | null)[] = [];
  private readonly p99: (number | null)[] = [];
  private readonly dirty = new Set<number>();
  private readonly sendTimes = new Map<number, number>();

  add(e: HistoryEntry): void {
    if (e.msg === undefined) return;
    if (e.kind === 'send') {
      this.sendTimes.set(e.msg, e.timeUs);
      return;
    }
    if (e.kind !== 'deliver' && e.kind !== 'drop') return;
    const bin = this.ensure(Math.floor(e.timeUs / BIN_US));
    if (e.kind === 'drop') {
      this.drops[bin]!++;
      return;
    }
    this.delivered[bin]!++;
    const sentUs = this.sendTimes.get(e.msg);
    if (sentUs === undefined) return;
    this.sendTimes.delete(e.msg);
    this.latencies[bin]!.push(e.timeUs - sentUs);
    this.dirty.add(bin);
  }

  /** The series so far, up to `endUs` (so a quiet tail still shows as zeros). */
  series(endUs: number): MetricSeries {
    this.ensure(Math.floor(endUs / BIN_US));
    for (const bin of this.dirty) {
      const sorted = Float64Array.from(this.latencies[bin]!).sort();
      this.p50[bin] = percentile(sorted, 0.5) / 1000;
      this.p99[bin] = percentile(sorted, 0.99) / 1000;
    }
    this.dirty.clear();
    // The last bin covers only the run's tail: its rate uses the time it covers, and a sliver of
    // a bin (a run ending 200 µs into it) is left out rather than drawn as a collapse to zero.
    const last = Math.floor(endUs / BIN_US);
    const coveredUs = endUs - last * BIN_US;
    const n = coveredUs < BIN_US / 4 ? last : last + 1;
    const perS = (i: number): number => 1_000_000 / (i === last ? Math.max(coveredUs, 1) : BIN_US);
    return {
      timeS: this.delivered.slice(0, n).map((_, i) => (i * BIN_US) / 1_000_000),
      deliveredPerS: this.delivered.slice(0, n).map((c, i) => c * perS(i)),
      dropsPerS: this.drops.slice(0, n).map((c, i) => c * perS(i)),
      latencyP50Ms: this.p50.slice(0, n),
      latencyP99Ms: this.p99.slice(0, n),
    };
  }

  private ensure(bin: number): number {
    while (this.delivered.length <= bin) {
      this.delivered.push(0);
      this.drops.push(0);
      this.latencies.push([]);
      this.p50.push(null);
      this.p99.push(null);
    }
    return bin;
  }
}

/** Nearest-rank percentile of sorted values (p in 0–1). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
