import type { Rng } from '../rng';
import type { Fault, FaultKind } from './faults';

export interface NemesisOptions {
  /** The generator's randomness: pass a named fork (`rng.fork('nemesis')`). */
  rng: Rng;
  /** 0 = no faults, 1 = a fault episode roughly every second of chaos. */
  intensity: number;
  /** Nodes the nemesis may touch. */
  nodes: readonly string[];
  /** Length of the chaos phase; every episode ends inside it. */
  durationUs: number;
  /** Episode kinds to draw from. Defaults to crash, pause, partition, loss and clockSkew. */
  kinds?: readonly NemesisKind[];
}

/** The episodes a nemesis can stage; each is a fault and the fault that undoes it. */
export type NemesisKind = Extract<FaultKind, 'crash' | 'pause' | 'partition' | 'loss' | 'duplicate' | 'reorder' | 'latency' | 'clockSkew' | 'slowDisk'>;

const DEFAULT_KINDS: readonly NemesisKind[] = ['crash', 'pause', 'partition', 'loss', 'clockSkew'];

/**
 * Turns a seed and an intensity into a fault schedule. Each episode is a fault and its undoing
 * (crash then restart, partition then heal, …) inside the chaos phase, so the heal phase starts
 * from a whole cluster. Episodes on one node never overlap, and only one partition is open at a
 * time, so every generated schedule is valid.
 */
export function nemesis(opts: NemesisOptions): Fault[] {
  const { rng, nodes, durationUs } = opts;
  const kinds = opts.kinds ?? DEFAULT_KINDS;
  const intensity = Math.max(0, Math.min(1, opts.intensity));
  if (intensity === 0 || nodes.length === 0 || kinds.length === 0 || durationUs <= 0) return [];
  const episodes = Math.max(1, Math.round((intensity * durationUs) / 1_000_000));
  const busyUntil = new Map<string, number>();
  let partitionBusyUntil = 0;
  let linkBusyUntil = 0;
  const out: Fault[] = [];
  for (let e = 0; e < episodes; e++) {
    const kind = rng.pick(kinds);
    const startUs = Math.floor(rng.next() * durationUs * 0.8);
    const lengthUs = Math.max(1000, Math.floor(durationUs * (0.05 + rng.next() * 0.15)));
    const endUs = Math.min(durationUs - 1, startUs + lengthUs);
    if (kind === 'partition') {
      if (nodes.length < 2 || startUs < partitionBusyUntil) continue;
      const shuffled = rng.shuffle(nodes);
      const cut = rng.int(1, shuffled.length - 1);
      out.push({ atUs: startUs, kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)], oneWay: false });
      out.push({ atUs: endUs, kind: 'heal' });
      partitionBusyUntil = endUs + 1;
      continue;
    }
    if (kind === 'loss' || kind === 'duplicate' || kind === 'reorder' || kind === 'latency') {
      if (startUs < linkBusyUntil) continue;
      const p = Math.round((0.05 + rng.next() * 0.25) * 100) / 100;
      if (kind === 'latency') {
        const addUs = 1000 * rng.int(5, 200);
        out.push({ atUs: startUs, kind, addUs }, { atUs: endUs, kind, addUs: 0 });
      } else if (kind === 'reorder') {
        out.push({ atUs: startUs, kind, p, maxDelayUs: 10_000 }, { atUs: endUs, kind, p: 0, maxDelayUs: 10_000 });
      } else {
        out.push({ atUs: startUs, kind, p }, { atUs: endUs, kind, p: 0 });
      }
      linkBusyUntil = endUs + 1;
      continue;
    }
    const node = rng.pick(nodes);
    if (startUs < (busyUntil.get(node) ?? 0)) continue;
    busyUntil.set(node, endUs + 1);
    switch (kind) {
      case 'crash':
        out.push({ atUs: startUs, kind: 'crash', node }, { atUs: endUs, kind: 'restart', node });
        break;
      case 'pause':
        out.push({ atUs: startUs, kind: 'pause', node }, { atUs: endUs, kind: 'resume', node });
        break;
      case 'clockSkew': {
        const offsetUs = 1000 * rng.int(-2000, 2000);
        out.push({ atUs: startUs, kind: 'clockSkew', node, offsetUs }, { atUs: endUs, kind: 'clockSkew', node, offsetUs: -offsetUs });
        break;
      }
      case 'slowDisk':
        out.push({ atUs: startUs, kind: 'slowDisk', node, factor: rng.int(5, 50) }, { atUs: endUs, kind: 'slowDisk', node, factor: 1 });
        break;
    }
  }
  out.sort((a, b) => a.atUs - b.atUs);
  return out;
}
