import { describe, expect, it } from 'vitest';
import { SimPromise } from '../../../src/sim/sim-promise';
import { World } from '../../../src/sim/world';

describe('SimPromise', () => {
  it('runs callbacks inside the kernel event that settles it, at that simulated time', () => {
    const w = new World({ seed: 1 });
    const p = new SimPromise<string>();
    const seen: [string, number][] = [];
    p.then((v) => seen.push([v, w.nowUs]));
    w.kernel.at(1234, () => p.resolve('done'));
    w.kernel.at(1235, () => seen.push(['next event', w.nowUs]));
    w.run();
    expect(seen).toEqual([
      ['done', 1234],
      ['next event', 1235],
    ]);
  });

  it('chains values, flattens SimPromises and turns throws into rejections', () => {
    const p = new SimPromise<number>();
    const inner = new SimPromise<number>();
    const out = p
      .then((v) => v + 1)
      .then((v) => {
        inner.resolve(v * 10);
        return inner;
      })
      .then((v) => {
        throw new Error(`boom ${v}`);
      })
      .catch((e) => (e as Error).message);
    p.resolve(1);
    expect(out.state).toBe('fulfilled');
    expect(out.value).toBe('boom 20');
  });

  it('settles once, like a native promise', () => {
    const p = new SimPromise<number>();
    p.resolve(1);
    p.resolve(2);
    p.reject(new Error('late'));
    expect(p.value).toBe(1);
  });

  it('can be awaited by host code after the world has run', async () => {
    const w = new World({ seed: 1 });
    const p = new SimPromise<number>();
    w.kernel.at(50, () => p.resolve(42));
    w.runUntilSettled(p);
    expect(w.nowUs).toBe(50);
    expect(await p).toBe(42);
  });

  it('all() waits for every input and fails fast on a rejection', () => {
    const a = new SimPromise<number>();
    const b = new SimPromise<number>();
    const both = SimPromise.all([a, b]);
    a.resolve(1);
    expect(both.settled).toBe(false);
    b.resolve(2);
    expect(both.value).toEqual([1, 2]);
    const c = new SimPromise<number>();
    const failed = SimPromise.all([c, new SimPromise<number>()]);
    c.reject('no');
    expect(failed.reason).toBe('no');
  });
});
