import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world';
import { Kinds } from '../../../src/sim/history';

const NAMES = ['a', 'b', 'c', 'd', 'e'];

/** A world where every node sends one message to every other node on demand, recording arrivals. */
function mesh(seed: number) {
  const w = new World({ seed });
  const arrived = new Set<string>();
  for (const n of NAMES) w.addNode(n, () => ({ onMessage: (_p, env) => void arrived.add(`${env.from}->${n}`) }));
  const sendAll = (): void => {
    for (const a of NAMES) for (const b of NAMES) if (a !== b) w.node(a).send(b, 'x');
  };
  return { w, arrived, sendAll };
}

describe('network partitions (properties)', () => {
  it('block exactly the links they name, and heal restores them', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (seed, groupA, oneWay) => {
          const groupB = NAMES.filter((n) => !groupA.includes(n));
          const { w, arrived, sendAll } = mesh(seed);
          w.partition(groupA, groupB, oneWay);
          sendAll();
          w.runFor(1_000_000);
          for (const a of NAMES) {
            for (const b of NAMES) {
              if (a === b) continue;
              const cut = (groupA.includes(a) && groupB.includes(b)) || (!oneWay && groupB.includes(a) && groupA.includes(b));
              expect(arrived.has(`${a}->${b}`), `${a}->${b} cut=${cut}`).toBe(!cut);
            }
          }
          arrived.clear();
          w.heal();
          sendAll();
          w.runFor(1_000_000);
          expect(arrived.size).toBe(NAMES.length * (NAMES.length - 1));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('drops a message already in flight when its link is cut before it arrives', () => {
    const { w, arrived } = mesh(7);
    w.network.setLatency('a', 'b', { kind: 'constant', us: 1000 });
    w.node('a').send('b', 'late');
    w.runFor(500);
    w.partition(['a'], ['b']);
    w.runFor(1000);
    expect(arrived.has('a->b')).toBe(false);
    const drops = [...w.history.ofKind(Kinds.drop)];
    expect(drops).toHaveLength(1);
    expect(drops[0]!.data).toEqual({ reason: 'partition' });
  });

  it('keeps each link FIFO, like a TCP connection, despite random latency', () => {
    const w = new World({ seed: 3 });
    const got: number[] = [];
    w.addNode('rx', () => ({ onMessage: (p) => void got.push(p as number) }));
    const tx = w.addNode('tx', () => ({}));
    w.network.setLatency('tx', 'rx', { kind: 'uniform', minUs: 10, maxUs: 5000 });
    for (let i = 0; i < 200; i++) tx.send('rx', i);
    w.run();
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('loss, duplicate and reorder rules: first non-pass verdict wins', () => {
    const w = new World({ seed: 11 });
    const got: number[] = [];
    w.addNode('rx', () => ({ onMessage: (p) => void got.push(p as number) }));
    const tx = w.addNode('tx', () => ({}));
    w.network.addRule((id) => ({ id, kind: 'duplicate', decide: () => 'duplicate' }));
    w.network.addRule((id) => ({ id, kind: 'loss', decide: () => 'drop' }));
    tx.send('rx', 1);
    w.run();
    // The duplicate rule came first, so the loss rule never saw the packet.
    expect(got).toEqual([1, 1]);
  });

  it('drops beyond the in-flight limit of a link and records why', () => {
    const w = new World({ seed: 1, network: { inFlightPerLinkMax: 5 } });
    let n = 0;
    w.addNode('rx', () => ({ onMessage: () => void n++ }));
    const tx = w.addNode('tx', () => ({}));
    for (let i = 0; i < 8; i++) tx.send('rx', i);
    w.run();
    expect(n).toBe(5);
    expect([...w.history.ofKind(Kinds.drop)].map((e) => (e.data as { reason: string }).reason)).toEqual(['link-full', 'link-full', 'link-full']);
  });
});
