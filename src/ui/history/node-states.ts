import type { HistoryEntry } from '../../sim';
import type { NodeIndex } from './node-index';
import { upperBound } from './sorted-search';

/** A node's life as the history tells it (the engine's `NodeState`, seen from outside). */
export type NodeLife = 'up' | 'crashed' | 'paused';

const LIFE_OF_KIND: Readonly<Record<string, NodeLife>> = {
  crash: 'crashed',
  restart: 'up',
  pause: 'paused',
  resume: 'up',
};

/** One change of a node's life: from `timeUs` (entry `seq`) on, the node is `life`. */
export interface LifeChange {
  timeUs: number;
  seq: number;
  life: NodeLife;
}

/**
 * Every node's crashes, restarts, pauses and resumes as a list of changes per lane, so "was n3 up
 * at t?" is a binary search and the diagram can draw each interval once.
 */
export class NodeStates {
  /** Changes per lane, in time order; a lane with none was up all along. */
  readonly changes: LifeChange[][] = [];

  constructor(private readonly nodes: NodeIndex) {}

  add(e: HistoryEntry): void {
    const life = LIFE_OF_KIND[e.kind];
    if (life === undefined || e.node === '') return;
    const lane = this.nodes.id(e.node);
    while (this.changes.length <= lane) this.changes.push([]);
    this.changes[lane]!.push({ timeUs: e.timeUs, seq: e.seq, life });
  }

  /** The node's life at a moment (after entry `seq`, or at `timeUs` when seq is omitted). */
  lifeAt(lane: number, timeUs: number, seq = Number.MAX_SAFE_INTEGER): NodeLife {
    const list = this.changes[lane];
    if (!list || list.length === 0) return 'up';
    const i = upperBound(list.length, (k) => (list[k]!.timeUs < timeUs || (list[k]!.timeUs === timeUs && list[k]!.seq <= seq) ? 0 : 1), 0);
    return i === 0 ? 'up' : list[i - 1]!.life;
  }
}
