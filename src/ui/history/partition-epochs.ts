import type { HistoryEntry } from '../../sim';
import type { NodeIndex } from './node-index';
import { upperBound } from './sorted-search';

/**
 * The network's partitions over time. Each `fault` entry that partitions or heals starts a new
 * epoch; an epoch knows which directed links are cut and the groups people asked for, so the
 * topology can draw cut links and the diagram can shade the sides.
 */
export interface PartitionEpoch {
  timeUs: number;
  seq: number;
  /** Cut directed links as `from * 65536 + to` lane numbers. */
  cut: ReadonlySet<number>;
  /** The groups of every partition still open, for labels: one list of lanes per side. */
  groups: number[][][];
}

const HEALED: PartitionEpoch = { timeUs: 0, seq: -1, cut: new Set(), groups: [] };

export class PartitionEpochs {
  readonly epochs: PartitionEpoch[] = [];

  constructor(private readonly nodes: NodeIndex) {}

  add(e: HistoryEntry): void {
    // The heal phase heals every link at once (runTwoPhase calls healAll).
    const healPhase = e.kind === 'phase' && (e.data as { phase?: string } | undefined)?.phase === 'heal';
    if (e.kind !== 'fault' && !healPhase) return;
    const d = (e.data ?? {}) as { kind?: string; groups?: unknown; oneWay?: boolean };
    const last = this.epochs[this.epochs.length - 1] ?? HEALED;
    if (healPhase || d.kind === 'heal') {
      if (last.cut.size > 0) this.epochs.push({ timeUs: e.timeUs, seq: e.seq, cut: new Set(), groups: [] });
      return;
    }
    if (d.kind !== 'partition' || !Array.isArray(d.groups)) return;
    const groups = (d.groups as unknown[]).filter(Array.isArray).map((g) => (g as unknown[]).filter((n): n is string => typeof n === 'string').map((n) => this.nodes.id(n)));
    const cut = new Set(last.cut);
    const link = (a: number, b: number): void => void cut.add(a * 65536 + b);
    if (d.oneWay === true && groups.length === 2) {
      for (const a of groups[0]!) for (const b of groups[1]!) if (a !== b) link(a, b);
    } else {
      for (let i = 0; i < groups.length; i++) {
        for (let j = i + 1; j < groups.length; j++) {
          for (const a of groups[i]!) {
            for (const b of groups[j]!) {
              if (a === b) continue;
              link(a, b);
              link(b, a);
            }
          }
        }
      }
    }
    this.epochs.push({ timeUs: e.timeUs, seq: e.seq, cut, groups: [...last.groups, groups] });
  }

  /** The epoch in force at a moment. */
  at(timeUs: number, seq = Number.MAX_SAFE_INTEGER): PartitionEpoch {
    const list = this.epochs;
    const i = upperBound(list.length, (k) => (list[k]!.timeUs < timeUs || (list[k]!.timeUs === timeUs && list[k]!.seq <= seq) ? 0 : 1), 0);
    return i === 0 ? HEALED : list[i - 1]!;
  }

  isCut(epoch: PartitionEpoch, from: number, to: number): boolean {
    return epoch.cut.has(from * 65536 + to);
  }
}
