import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runScenario } from '../src/host/engine';
import { History } from '../src/sim/history';
import { round } from './kernel';
import type { BenchResult } from './types';

/** The gossip scenario end to end with history recording on: kernel events per wall-clock second. */
export function benchGossip(): BenchResult[] {
  runScenario({ scenario: 'gossip', seed: 1, nodes: 8 });
  let events = 0;
  let wallMs = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const { result } = runScenario({ scenario: 'gossip', seed, nodes: 8 });
    events += result.events;
    wallMs += result.wallMs;
  }
  return [{ name: 'gossip', value: Math.round(events / (wallMs / 1000)), unit: 'events/s', note: '8 nodes, nemesis 0.5, history on, 5 seeds' }];
}

/** Bytes of memory per history entry at 1M entries shaped like a gossip run's (a third carry data). */
export function benchHistoryMemory(): BenchResult[] {
  const N = 1_000_000;
  // Expose the collector for this measurement even when node was started without --expose-gc.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const h = new History();
  const kinds = ['send', 'deliver', 'timer'];
  for (let i = 0; i < N; i++) {
    const k = kinds[i % 3]!;
    h.record(i * 10, k, `n${i % 8}`, k === 'timer' ? undefined : `n${(i + 3) % 8}`, k === 'timer' ? undefined : i, k === 'send' ? { type: 'event', vc: { n1: i % 97, n2: i % 89 } } : undefined);
  }
  gc?.();
  const after = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const measured = (after - before) / N;
  return [
    {
      name: 'history-bytes-per-entry',
      value: round(gc ? measured : h.approxBytes() / N, 1),
      unit: 'bytes',
      note: gc ? '1M entries, heap + array buffers measured after gc' : '1M entries, estimated from columns (run node with --expose-gc to measure)',
    },
  ];
}
