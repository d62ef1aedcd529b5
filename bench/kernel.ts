import { Kernel } from '../src/sim/kernel';
import type { BenchResult } from './types';

const EVENTS = 2_000_000;
/** Events kept in the queue at once: a steady state like a busy simulation's. */
const QUEUE_DEPTH = 1_000;

interface RawEvent {
  t: number;
  seq: number;
}

/** The baseline: a plain binary heap of timestamped no-op events, no kernel around it. */
class RawHeap {
  private a: RawEvent[] = [];
  get size(): number {
    return this.a.length;
  }
  push(e: RawEvent): void {
    const a = this.a;
    let i = a.length;
    a.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = a[p]!;
      if (q.t < e.t || (q.t === e.t && q.seq < e.seq)) break;
      a[i] = q;
      i = p;
    }
    a[i] = e;
  }
  pop(): RawEvent {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    const n = a.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        let c = l;
        if (l + 1 < n) {
          const x = a[l + 1]!;
          const y = a[l]!;
          if (x.t < y.t || (x.t === y.t && x.seq < y.seq)) c = l + 1;
        }
        const ch = a[c]!;
        if (last.t < ch.t || (last.t === ch.t && last.seq < ch.seq)) break;
        a[i] = ch;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** A deterministic pseudo-random delay sequence shared by both sides, so they do the same work. */
function delays(n: number): Uint32Array {
  const d = new Uint32Array(n);
  let x = 123456789;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    d[i] = (x >>> 0) % 1000;
  }
  return d;
}

function baseline(d: Uint32Array): number {
  const h = new RawHeap();
  let seq = 0;
  let now = 0;
  let i = 0;
  for (; i < QUEUE_DEPTH; i++) h.push({ t: now + d[i]!, seq: seq++ });
  const t0 = performance.now();
  let popped = 0;
  while (h.size > 0) {
    const e = h.pop();
    now = e.t;
    popped++;
    if (i < d.length) h.push({ t: now + d[i++]!, seq: seq++ });
  }
  return popped / ((performance.now() - t0) / 1000);
}

function kernel(d: Uint32Array): number {
  const k = new Kernel();
  let i = 0;
  let ran = 0;
  const fn = (): void => {
    ran++;
    if (i < d.length) k.after(d[i++]!, fn);
  };
  for (; i < QUEUE_DEPTH; i++) k.after(d[i]!, fn);
  const t0 = performance.now();
  k.run();
  return ran / ((performance.now() - t0) / 1000);
}

/** Kernel scheduling throughput against a raw binary heap doing the same pushes and pops. */
export function benchKernel(): BenchResult[] {
  const d = delays(EVENTS);
  // Warm both paths so the JIT has compiled them before we time them.
  baseline(d.subarray(0, 200_000));
  kernel(d.subarray(0, 200_000));
  const b = Math.max(baseline(d), baseline(d));
  const k = Math.max(kernel(d), kernel(d));
  return [{ name: 'kernel', value: Math.round(k), unit: 'events/s', baseline: Math.round(b), ratio: round(k / b), note: `${EVENTS} no-op events, queue depth ${QUEUE_DEPTH}` }];
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
