import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/sim/kernel';

describe('kernel', () => {
  it('runs events in (time, seq) order: same-time events in the order they were scheduled', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(20, () => seen.push('b@20'));
    k.at(10, () => seen.push('a@10'));
    k.at(20, () => seen.push('c@20'));
    k.at(0, () => seen.push('z@0'));
    expect(k.run().outcome).toBe('quiescent');
    expect(seen).toEqual(['z@0', 'a@10', 'b@20', 'c@20']);
    expect(k.nowUs).toBe(20);
  });

  it('cancelled timers never run and do not count as pending', () => {
    const k = new Kernel();
    let ran = false;
    const t = k.after(5, () => (ran = true));
    k.after(10, () => {});
    expect(k.pending).toBe(2);
    k.cancel(t);
    k.cancel(t);
    expect(k.pending).toBe(1);
    k.run();
    expect(ran).toBe(false);
    expect(k.nowUs).toBe(10);
  });

  it('stops at a time, sets the clock to it, and leaves later events for the next run', () => {
    const k = new Kernel();
    const seen: number[] = [];
    for (const t of [5, 15, 25]) k.at(t, () => seen.push(t));
    expect(k.run({ untilUs: 15 })).toMatchObject({ outcome: 'until-time', events: 2, nowUs: 15 });
    expect(seen).toEqual([5, 15]);
    expect(k.run({ untilUs: 100 })).toMatchObject({ outcome: 'until-time', events: 1, nowUs: 100 });
  });

  it('stops after an event count and on a predicate', () => {
    const k = new Kernel();
    let n = 0;
    const tick = (): void => {
      n++;
      k.after(1, tick);
    };
    k.after(1, tick);
    expect(k.run({ events: 10 }).outcome).toBe('until-events');
    expect(n).toBe(10);
    expect(k.run({ predicate: () => n >= 25 })).toMatchObject({ outcome: 'predicate', events: 15 });
  });

  it('reports the event limit instead of hanging on an endless schedule', () => {
    const k = new Kernel({ eventsMax: 1000 });
    const tick = (): void => void k.after(1, tick);
    k.after(1, tick);
    const r = k.run();
    expect(r.outcome).toBe('limit-events');
    expect(k.eventsRun).toBe(1000);
    expect(k.limitReached).toMatch(/event limit reached: 1000 events/);
  });

  it('reports the simulated-time limit', () => {
    const k = new Kernel({ timeUsMax: 1_000 });
    const tick = (): void => void k.after(300, tick);
    k.after(300, tick);
    const r = k.run();
    expect(r.outcome).toBe('limit-time');
    expect(r.nowUs).toBe(900);
    expect(k.limitReached).toMatch(/simulated time limit/);
  });

  it('refuses to schedule in the past or at fractional times (our bugs, so they throw)', () => {
    const k = new Kernel();
    k.at(10, () => {});
    k.run();
    expect(() => k.at(5, () => {})).toThrow(/not scheduled in the past/);
    expect(() => k.at(10.5, () => {})).toThrow(/whole microseconds/);
  });

  it('stop() ends the run after the current event', () => {
    const k = new Kernel();
    k.at(1, () => k.stop());
    k.at(2, () => {});
    expect(k.run()).toMatchObject({ outcome: 'stopped', nowUs: 1 });
    expect(k.pending).toBe(1);
  });
});
