import { describe, expect, it } from 'vitest';
import { formatFaultErrors, validateFaultSchedule } from '../../../src/sim/network/faults';
import { nemesis } from '../../../src/sim/network/nemesis';
import { Rng } from '../../../src/sim/rng';

const NODES = ['b1', 'b2', 'b3'];

function errorsOf(input: unknown): string {
  const r = validateFaultSchedule(input, NODES);
  expect(r.ok).toBe(false);
  return r.ok ? '' : formatFaultErrors(r.errors, 'faults.json');
}

describe('fault schedule validation', () => {
  it('accepts every kind, sorts by time and converts units', () => {
    const r = validateFaultSchedule(
      [
        { at: '2s', kind: 'heal' },
        { at: 100, kind: 'partition', groups: [['b1'], ['b2', 'b3']] },
        { at: '250ms', kind: 'crash', node: 'b1' },
        { at: 300, kind: 'restart', node: 'b1' },
        { at: 300, kind: 'pause', node: 'b2' },
        { at: 400, kind: 'resume', node: 'b2' },
        { at: 500, kind: 'clockSkew', node: 'b3', offsetMs: -1500 },
        { at: 500, kind: 'clockDrift', node: 'b3', ppm: 200 },
        { at: 600, kind: 'latency', addMs: 40 },
        { at: 600, kind: 'loss', from: 'b1', p: 0.2 },
        { at: 600, kind: 'duplicate', p: 0.1 },
        { at: 600, kind: 'reorder', p: 0.1, maxDelayMs: 5 },
        { at: 700, kind: 'diskFull', node: 'b2' },
        { at: '800us', kind: 'slowDisk', node: 'b2', factor: 10 },
      ],
      NODES,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.faults.map((f) => f.atUs)).toEqual([800, 100_000, 250_000, 300_000, 300_000, 400_000, 500_000, 500_000, 600_000, 600_000, 600_000, 600_000, 700_000, 2_000_000]);
    expect(r.faults.find((f) => f.kind === 'clockSkew')).toMatchObject({ offsetUs: -1_500_000 });
    expect(r.faults.find((f) => f.kind === 'diskFull')).toMatchObject({ full: true });
  });

  it('rejects a schedule that is not an array', () => {
    expect(errorsOf({ at: 1 })).toMatch(/faults\.json: a fault schedule is a JSON array/);
  });

  it('names the entry and field of an unknown kind', () => {
    expect(errorsOf([{ at: 1, kind: 'explode', node: 'b1' }])).toMatch(/entry 0, field "kind": unknown kind "explode"; the kinds are partition, heal, crash/);
  });

  it('rejects a negative time', () => {
    expect(errorsOf([{ at: -5, kind: 'crash', node: 'b1' }])).toMatch(/entry 0, field "at": negative time -5/);
  });

  it('rejects a missing or malformed time', () => {
    expect(errorsOf([{ kind: 'heal' }])).toMatch(/field "at": missing/);
    expect(errorsOf([{ at: 'soon', kind: 'heal' }])).toMatch(/field "at": "soon" is not a time/);
  });

  it('rejects an unknown node and lists the known ones', () => {
    expect(errorsOf([{ at: 1, kind: 'crash', node: 'b9' }])).toMatch(/entry 0, field "node": unknown node "b9" \(known: b1, b2, b3\)/);
  });

  it('rejects overlapping partition groups', () => {
    expect(errorsOf([{ at: 1, kind: 'partition', groups: [['b1', 'b2'], ['b2', 'b3']] }])).toMatch(/field "groups\[1\]": node "b2" is in groups 0 and 1: partition groups must not overlap/);
  });

  it('rejects a partition with fewer than two groups', () => {
    expect(errorsOf([{ at: 1, kind: 'partition', groups: [['b1']] }])).toMatch(/field "groups": a partition needs "groups": two or more/);
  });

  it('rejects fields a kind does not have, and out-of-range numbers', () => {
    expect(errorsOf([{ at: 1, kind: 'heal', node: 'b1' }])).toMatch(/field "node": "heal" has no field "node"/);
    expect(errorsOf([{ at: 1, kind: 'loss', p: 1.5 }])).toMatch(/field "p": "loss" needs "p" a probability between 0 and 1/);
    expect(errorsOf([{ at: 1, kind: 'slowDisk', node: 'b1', factor: 0.5 }])).toMatch(/field "factor"/);
  });

  it('reports every problem at once, each on its own line', () => {
    const text = errorsOf([{ at: -1, kind: 'crash', node: 'x' }, { at: 5, kind: 'nope' }]);
    expect(text.split('\n')).toHaveLength(3);
  });
});

describe('nemesis', () => {
  it('generates valid schedules that end inside the chaos phase, the same for the same seed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const make = () => nemesis({ rng: new Rng(seed).fork('nemesis'), intensity: 0.8, nodes: NODES, durationUs: 5_000_000, kinds: ['crash', 'pause', 'partition', 'loss', 'clockSkew', 'slowDisk', 'latency'] });
      const faults = make();
      expect(faults).toEqual(make());
      expect(faults.length).toBeGreaterThan(0);
      for (const f of faults) expect(f.atUs).toBeLessThan(5_000_000);
      // Every crash is followed by a restart of the same node, every pause by a resume, every partition by a heal.
      const open = new Map<string, string>();
      for (const f of faults) {
        if (f.kind === 'crash' || f.kind === 'pause') {
          expect(open.has(f.node)).toBe(false);
          open.set(f.node, f.kind);
        }
        if (f.kind === 'restart') expect(open.get(f.node)).toBe('crash');
        if (f.kind === 'resume') expect(open.get(f.node)).toBe('pause');
        if (f.kind === 'restart' || f.kind === 'resume') open.delete(f.node);
        if (f.kind === 'partition') {
          expect(open.has('net')).toBe(false);
          open.set('net', 'partition');
        }
        if (f.kind === 'heal') open.delete('net');
      }
      expect([...open.keys()]).toEqual([]);
    }
  });

  it('generates nothing at intensity 0', () => {
    expect(nemesis({ rng: new Rng(1), intensity: 0, nodes: NODES, durationUs: 1_000_000 })).toEqual([]);
  });
});
