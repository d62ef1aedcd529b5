import { formatTime } from '../../sim/time';
import { fail, pass } from './delivery';
import type { Checker } from './types';
import { WL, type EffectData, type ProduceData } from './workload';

export interface LatencyOptions {
  p50UsMax?: number;
  p99UsMax?: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Latency SLO: from a message's production to its first effect, p50 and p99 stay under their
 * bounds. The counterexample is the slowest message.
 */
export function latencySlo(opts: LatencyOptions): Checker {
  return (input) => {
    const produced = new Map<string, number>();
    for (const e of input.ofKind(WL.produce)) {
      const id = (e.data as ProduceData).id;
      if (!produced.has(id)) produced.set(id, e.timeUs);
    }
    const latencies: { id: string; us: number; timeUs: number; node: string; seq: number }[] = [];
    const done = new Set<string>();
    for (const e of input.ofKind(WL.effect)) {
      const id = (e.data as EffectData).id;
      const t0 = produced.get(id);
      if (t0 === undefined || done.has(id)) continue;
      done.add(id);
      latencies.push({ id, us: e.timeUs - t0, timeUs: e.timeUs, node: e.node, seq: e.seq });
    }
    if (latencies.length === 0) return fail('no message took effect, so there is no latency to measure', []);
    const sorted = latencies.map((l) => l.us).sort((a, b) => a - b);
    const p50 = quantile(sorted, 0.5);
    const p99 = quantile(sorted, 0.99);
    const summary = `p50 ${formatTime(p50)}, p99 ${formatTime(p99)} over ${sorted.length} messages`;
    const broken = (opts.p50UsMax !== undefined && p50 > opts.p50UsMax) || (opts.p99UsMax !== undefined && p99 > opts.p99UsMax);
    if (!broken) return pass(summary);
    const slowest = latencies.reduce((a, b) => (b.us > a.us ? b : a));
    const bounds = [opts.p50UsMax !== undefined && `p50 ≤ ${formatTime(opts.p50UsMax)}`, opts.p99UsMax !== undefined && `p99 ≤ ${formatTime(opts.p99UsMax)}`].filter(Boolean).join(', ');
    return fail(`${summary}; the SLO is ${bounds}`, [
      { message: `message ${slowest.id} took ${formatTime(slowest.us)} from production to effect`, ids: [slowest.id], node: slowest.node, timeUs: slowest.timeUs, seq: slowest.seq },
    ]);
  };
}

export interface ThroughputOptions {
  /** Effects per second of simulated time, at least. */
  perSecondMin: number;
  /** Measure over the chaos phase only (default) or the whole run. */
  over?: 'chaos' | 'run';
}

/** Throughput floor: first effects per simulated second over the chaos phase (or the run). */
export function throughputFloor(opts: ThroughputOptions): Checker {
  return (input) => {
    const endUs = opts.over === 'run' ? input.endUs : input.healStartUs;
    const seen = new Set<string>();
    for (const e of input.ofKind(WL.effect)) if (e.timeUs <= endUs) seen.add((e.data as EffectData).id);
    const perSecond = endUs > 0 ? (seen.size * 1_000_000) / endUs : 0;
    const summary = `${Math.round(perSecond)} messages/s over ${formatTime(endUs)}`;
    return perSecond >= opts.perSecondMin ? pass(summary) : fail(`${summary}; the floor is ${opts.perSecondMin}/s`, [{ message: `only ${seen.size} messages took effect by ${formatTime(endUs)}`, timeUs: endUs }]);
  };
}
