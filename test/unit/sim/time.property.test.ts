import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/sim/kernel';
import { World } from '../../../src/sim/world';
import { nemesis } from '../../../src/sim/network/nemesis';
import { scheduleFaults } from '../../../src/sim/network/faults';

describe('simulated time', () => {
  it('never goes back, whatever events schedule and cancel (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(10_000), fc.nat(50), fc.boolean()), { minLength: 1, maxLength: 200 }), (plan) => {
        const k = new Kernel();
        const times: number[] = [];
        const timers = plan.map(([at, child, cancelLater]) =>
          k.at(at, () => {
            times.push(k.nowUs);
            const t = k.after(child, () => times.push(k.nowUs));
            if (cancelLater) k.cancel(t);
          }),
        );
        timers.filter((_, i) => i % 7 === 3).forEach((t) => k.cancel(t));
        k.run();
        for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
      }),
    );
  });

  it('history times never go back in a world under a random nemesis (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, intensity) => {
        const w = new World({ seed });
        const names = ['a', 'b', 'c'];
        for (const n of names) {
          w.addNode(n, (node) => {
            const tick = (): void => {
              node.send(names[(names.indexOf(n) + 1) % 3]!, { t: node.nowUs });
              node.setTimer(1000, tick);
            };
            node.setTimer(10, tick);
            return {};
          });
        }
        scheduleFaults(w, nemesis({ rng: w.rng.fork('nemesis'), intensity, nodes: names, durationUs: 200_000 }));
        w.run({ untilUs: 250_000 });
        let last = -1;
        for (const e of w.history.entries()) {
          expect(e.timeUs).toBeGreaterThanOrEqual(last);
          last = e.timeUs;
        }
      }),
      { numRuns: 40 },
    );
  });
});
