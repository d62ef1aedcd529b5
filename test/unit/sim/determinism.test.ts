import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/host/engine';

describe('determinism', () => {
  for (const scenario of ['echo', 'gossip']) {
    it(`${scenario}: the same seed gives the same historyHash; other seeds give other hashes`, () => {
      const hashes = new Set<string>();
      for (const seed of [1, 2, 3, 4, 5]) {
        const a = runScenario({ scenario, seed }).result;
        const b = runScenario({ scenario, seed }).result;
        expect(b.historyHash).toBe(a.historyHash);
        expect(b.events).toBe(a.events);
        hashes.add(a.historyHash);
      }
      expect(hashes.size).toBe(5);
    });
  }

  it('a fault schedule changes the history, and the same schedule reproduces it', () => {
    const faults = [
      { at: 500, kind: 'crash', node: 'server' },
      { at: 900, kind: 'restart', node: 'server' },
    ];
    const plain = runScenario({ scenario: 'echo', seed: 9 }).result;
    const a = runScenario({ scenario: 'echo', seed: 9, faults }).result;
    const b = runScenario({ scenario: 'echo', seed: 9, faults }).result;
    expect(a.historyHash).toBe(b.historyHash);
    expect(a.historyHash).not.toBe(plain.historyHash);
    expect(a.summary.retries).toBeGreaterThan(plain.summary.retries as number);
  });

  it('gossip converges in the heal phase on every seed', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = runScenario({ scenario: 'gossip', seed, intensity: 1 }).result;
      expect(r.summary.converged, `seed ${seed}: npx brokerlab run gossip --seed ${seed} --intensity 1`).toBe(true);
    }
  });

  it('rejects bad requests before running', () => {
    expect(() => runScenario({ scenario: 'nope', seed: 1 })).toThrow(/unknown scenario "nope"; the scenarios are: echo, gossip/);
    expect(() => runScenario({ scenario: 'echo', seed: -1 })).toThrow(/seed must be a whole number/);
    expect(() => runScenario({ scenario: 'echo', seed: 1, faults: [{ at: 1, kind: 'crash', node: 'b1' }], faultsSource: 'f.json' })).toThrow(
      /f\.json: entry 0, field "node": unknown node "b1" \(known: server, c1, c2, c3\)/,
    );
  });
});
