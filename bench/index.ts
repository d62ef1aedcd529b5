import { benchAmqpE2e } from './amqp';
import { benchGossip, benchHistoryMemory } from './gossip';
import { benchGrading } from './grading';
import { benchHandlerBridge } from './handler-bridge';
import { benchKafkaE2e } from './kafka';
import { benchKernel } from './kernel';
import type { Benchmark, BenchResult } from './types';

/** Every benchmark `brokerlab bench` knows, in the order it runs them. Later issues append here. */
export const benchmarks: Benchmark[] = [
  { name: 'kernel', run: benchKernel },
  { name: 'gossip', run: benchGossip },
  { name: 'history-bytes-per-entry', run: benchHistoryMemory },
  { name: 'handler-bridge', reports: ['handler-bridge-single', 'handler-bridge-async', 'handler-demo-world'], run: benchHandlerBridge },
  { name: 'amqp-e2e', reports: ['amqp-e2e-lean-history'], run: benchAmqpE2e },
  { name: 'kafka-e2e', reports: ['kafka-speedup'], run: benchKafkaE2e },
  { name: 'grading', reports: ['grading-cpu'], run: benchGrading },
];

/** Runs all benchmarks, or only the one named (by its name or a figure it reports). */
export async function runBenchmarks(only?: string, onProgress?: (name: string) => void): Promise<BenchResult[]> {
  const chosen = only === undefined ? benchmarks : benchmarks.filter((b) => b.name === only || b.reports?.includes(only));
  const out: BenchResult[] = [];
  for (const b of chosen) {
    onProgress?.(b.name);
    out.push(...(await b.run()));
  }
  return out;
}
