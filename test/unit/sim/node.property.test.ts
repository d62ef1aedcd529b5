import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { World } from '../../../src/sim/world';

describe('node disk and crashes', () => {
  it('a crash loses unsynced writes and keeps synced ones (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.oneof(fc.record({ op: fc.constant('put' as const), key: fc.constantFrom('a', 'b', 'c'), value: fc.nat(99) }), fc.record({ op: fc.constant('sync' as const) })), { maxLength: 40 }),
        fc.nat(20_000),
        (seed, ops, crashAtUs) => {
          const w = new World({ seed });
          const node = w.addNode('n', () => ({}));
          // Model: what an fsync has confirmed, replayed in order.
          const confirmed = new Map<string, number>();
          let confirmedCount = 0;
          const issued: { key: string; value: number }[] = [];
          let t = 0;
          for (const o of ops) {
            t += 100;
            w.kernel.at(t, () => {
              if (node.state !== 'up') return;
              if (o.op === 'put') {
                node.diskPut(o.key, o.value);
                issued.push({ key: o.key, value: o.value });
              } else {
                const covered = issued.length;
                node.fsync(() => {
                  for (const x of issued.slice(confirmedCount, covered)) confirmed.set(x.key, x.value);
                  confirmedCount = Math.max(confirmedCount, covered);
                });
              }
            });
          }
          w.kernel.at(crashAtUs, () => node.crash());
          w.run();
          for (const k of ['a', 'b', 'c']) {
            // Everything an fsync confirmed before the crash is still there; nothing else survives.
            const durable = node.disk.get(k);
            if (confirmed.has(k)) expect(durable).toBe(confirmed.get(k));
            else expect(durable).toBeUndefined();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a crash drops in-flight timers; a restart builds fresh volatile state from the durable disk', () => {
    const w = new World({ seed: 1 });
    const fired: string[] = [];
    let builds = 0;
    const n = w.addNode('n', (node) => {
      builds++;
      const restored = node.disk.get('count') as number | undefined;
      node.setTimer(50_000, () => fired.push(`timer of build ${builds} (restored ${restored})`));
      return {};
    });
    n.diskPut('count', 7);
    n.fsync();
    w.runFor(20_000);
    n.crash();
    w.runFor(50_000);
    expect(fired).toEqual([]);
    n.restart();
    w.runFor(60_000);
    expect(fired).toEqual(['timer of build 2 (restored 7)']);
  });

  it('a pause holds messages and timers until resume, then runs timers first and messages in order', () => {
    const w = new World({ seed: 2 });
    const seen: string[] = [];
    const rx = w.addNode('rx', (node) => {
      node.setTimer(300, () => seen.push('timer'));
      return { onMessage: (p) => void seen.push(String(p)) };
    });
    const tx = w.addNode('tx', () => ({}));
    rx.pause();
    tx.send('rx', 'm1');
    tx.send('rx', 'm2');
    w.runFor(5000);
    expect(seen).toEqual([]);
    rx.resume();
    expect(seen).toEqual(['timer', 'm1', 'm2']);
  });
});
