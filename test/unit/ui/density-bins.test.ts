import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/host/engine';
import type { HistoryEntry } from '../../../src/sim';
import { BIN_LOST, BIN_NORMAL, DENSITY_BINS, DensityBins } from '../../../src/ui/history/density-bins';
import { MessageIndex } from '../../../src/ui/history/message-index';
import { NodeIndex } from '../../../src/ui/history/node-index';

/** A gossip run with lost and duplicated messages and a crash, as the page receives it. */
function gossipHistory(seed: number): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const faults = [
    { at: 0, kind: 'loss', p: 0.1 },
    { at: 0, kind: 'duplicate', p: 0.1 },
    { at: 200, kind: 'crash', node: 'n2' },
  ];
  runScenario({ scenario: 'gossip', seed, nodes: 6, faults }, { onBatch: (b) => void entries.push(...b), batchSize: 64 });
  return entries;
}

/**
 * The bins the exact count would give: every arrow's sender end (lost once dropped) and, when
 * delivered, its receiver end, at the bins' final width. The streamed bins must equal it however
 * many times they merged on the way.
 */
function expectedBins(m: MessageIndex, lanes: number, binUs: number): number[][] {
  const out = Array.from({ length: lanes }, () => new Array<number>(DENSITY_BINS * 2).fill(0));
  for (let a = 0; a < m.count; a++) {
    const state = m.stateOf(a);
    out[m.from[a]!]![Math.floor(m.sendTimeUs[a]! / binUs) * 2 + (state === 'dropped' ? BIN_LOST : BIN_NORMAL)]!++;
    if (state === 'delivered') out[m.to[a]!]![Math.floor(m.endTimeUs[a]! / binUs) * 2 + BIN_NORMAL]!++;
  }
  return out;
}

describe('DensityBins', () => {
  it('merging pairs keeps every count, and a late time widens the bins until it fits', () => {
    const bins = new DensityBins();
    const first = bins.binUs;
    bins.add(0, 0, BIN_NORMAL, 1);
    bins.add(0, first * 3, BIN_LOST, 1);
    bins.add(1, first * DENSITY_BINS * 5, BIN_NORMAL, 1);
    expect(bins.binUs).toBe(first * 8);
    expect(bins.count(0, 0, BIN_NORMAL)).toBe(1);
    expect(bins.count(0, 0, BIN_LOST)).toBe(1);
    expect(bins.count(1, Math.floor((first * DENSITY_BINS * 5) / bins.binUs), BIN_NORMAL)).toBe(1);
    expect(bins.count(7, 0, BIN_NORMAL)).toBe(0);
  });

  for (const seed of [1, 2, 3]) {
    it(`streamed in batches, a faulty gossip run's bins equal a count over its finished arrows (seed ${seed})`, () => {
      const history = gossipHistory(seed);
      const nodes = new NodeIndex();
      const m = new MessageIndex(nodes);
      for (const e of history) {
        if (e.node !== '') nodes.id(e.node);
        m.add(e);
      }
      const states = new Set(Array.from({ length: m.count }, (_, a) => m.stateOf(a)));
      // The run has to exercise every path: delivered, dropped, and duplicated copies.
      expect(states.has('delivered') && states.has('dropped'), `states ${[...states].join(',')}`).toBe(true);
      expect(history.some((e) => e.kind === 'duplicate')).toBe(true);
      expect(m.density.binUs).toBeGreaterThan(16);

      const want = expectedBins(m, nodes.size, m.density.binUs);
      for (let lane = 0; lane < nodes.size; lane++) {
        const got = Array.from({ length: DENSITY_BINS * 2 }, (_, i) => m.density.count(lane, i >> 1, i & 1));
        expect(got, `lane ${nodes.names[lane]}, seed ${seed}`).toEqual(want[lane]);
      }
    });
  }
});

describe('MessageIndex density', () => {
  it('a delivered message dropped afterwards (a full mailbox) moves from its receiver to its sender, as lost', () => {
    const nodes = new NodeIndex(['a', 'b']);
    const m = new MessageIndex(nodes);
    m.add({ seq: 0, timeUs: 100, kind: 'send', node: 'a', peer: 'b', msg: 0 });
    m.add({ seq: 1, timeUs: 900, kind: 'deliver', node: 'b', peer: 'a', msg: 0 });
    const binUs = m.density.binUs;
    expect(m.density.count(1, Math.floor(900 / binUs), BIN_NORMAL)).toBe(1);
    m.add({ seq: 2, timeUs: 950, kind: 'drop', node: 'b', peer: 'a', msg: 0 });
    expect(m.stateOf(0)).toBe('dropped');
    expect(m.density.count(1, Math.floor(900 / binUs), BIN_NORMAL)).toBe(0);
    expect(m.density.count(0, Math.floor(100 / binUs), BIN_NORMAL)).toBe(0);
    expect(m.density.count(0, Math.floor(100 / binUs), BIN_LOST)).toBe(1);
    // A second drop of the same message changes nothing.
    m.add({ seq: 3, timeUs: 960, kind: 'drop', node: 'b', peer: 'a', msg: 0 });
    expect(m.density.count(0, Math.floor(100 / binUs), BIN_LOST)).toBe(1);
  });
});
