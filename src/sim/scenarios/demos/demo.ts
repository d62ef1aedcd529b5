import type { HistoryEntry } from '../../history';
import type { World } from '../../world';

/**
 * Demo mode: built-in scenarios that show one anomaly of a real broker on a fixed seed and fault
 * schedule, for a lecture. Each demo carries what a lecturer needs next to the views (a title,
 * what to watch, the configuration that avoids the anomaly) and computes, from the run's history,
 * the outcome and the moments worth jumping to.
 */

/** A link to the real system's documentation for the rule a demo shows. */
export interface DemoDoc {
  label: string;
  url: string;
}

/** What a demo is, before it runs: plain data, so the gallery can list it without running anything. */
export interface DemoInfo {
  title: string;
  broker: 'Kafka' | 'RabbitMQ';
  /** One line for the gallery card. */
  hook: string;
  /** One paragraph: what happens, and where in the views to look. */
  watch: string;
  /** The seed the demo is shown with; its fault schedule is part of the scenario. */
  seed: number;
  /** The configuration that avoids the anomaly, run with `variant: 'fix'`. */
  fix: { label: string; explain: string };
  docs: DemoDoc[];
}

/** A moment worth showing: an exact history entry, so the timeline can jump to it. */
export interface DemoMoment {
  label: string;
  timeUs: number;
  seq: number;
}

/** A number for the outcome panel; `anomaly` marks the one that shows what went wrong. */
export interface DemoFigure {
  label: string;
  value: number;
  anomaly?: boolean;
}

/** What a demo's run showed, computed from its history after the run. */
export interface DemoReport {
  /** One sentence with the figures, e.g. "produced 200, acknowledged 200, in the log 187: 13 acknowledged writes lost". */
  outcome: string;
  /** True when the run shows the anomaly the demo is about. */
  anomaly: boolean;
  figures: DemoFigure[];
  moments: DemoMoment[];
}

/**
 * The workload vocabulary of `src/labs/checkers/workload.ts` (the same strings, so the labs'
 * checkers read a demo's history too; `src/sim` may not import from `src/labs`). Demos add
 * `demo.audit`: what an auditor read from the log after the run had healed.
 */
export const DemoKinds = {
  produce: 'wl.produce',
  ack: 'wl.ack',
  deliver: 'wl.deliver',
  effect: 'wl.effect',
  audit: 'demo.audit',
} as const;

/** The entries of the given kinds, in history order. */
export function entriesOf(world: World, ...kinds: string[]): HistoryEntry[] {
  return [...world.history.ofKind(...kinds)];
}

/** The `id` field of an entry's data (workload entries carry one). */
export function idOf(e: HistoryEntry): string {
  return String((e.data as { id?: unknown } | undefined)?.id ?? '');
}

/** A moment from an entry, or nothing when there is no entry. */
export function momentAt(label: string, e: HistoryEntry | undefined): DemoMoment[] {
  return e === undefined ? [] : [{ label, timeUs: e.timeUs, seq: e.seq }];
}

/** Moments in the order they happened (a report lists them by story, the page by time). */
export function inOrder(moments: DemoMoment[]): DemoMoment[] {
  return [...moments].sort((a, b) => a.seq - b.seq);
}

/** "1 write" / "13 writes". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** The report's figures and outcome as the scenario summary the CLI and the playground print. */
export function summaryOf(r: DemoReport): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const f of r.figures) out[f.label] = f.value;
  out.outcome = r.outcome;
  return out;
}
