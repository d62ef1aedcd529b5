import type { HistoryStore } from '../../history/history-store';
import { arrowSegment, distanceToSegment } from './arrow-geometry';
import { timeAt, type LaneLayout } from './lane-layout';

const REACH_PX = 6;
/** A hover never scans more arrows than this, so the pointer stays responsive in the densest window. */
const SCAN_MAX = 60_000;

/** The arrow nearest to a point within a few pixels, or -1. */
export function arrowAt(h: HistoryStore, l: LaneLayout, px: number, py: number): number {
  const m = h.messages;
  const [lo, hi] = m.windowRange(timeAt(l, px - REACH_PX), timeAt(l, px + REACH_PX), h.endUs);
  const seg = new Float64Array(4);
  let best = -1;
  let bestD = REACH_PX;
  const stop = Math.min(hi, lo + SCAN_MAX);
  for (let a = lo; a < stop; a++) {
    arrowSegment(m, l, a, h.endUs, seg);
    if (Math.max(seg[0]!, seg[2]!) < px - REACH_PX || Math.min(seg[0]!, seg[2]!) > px + REACH_PX) continue;
    const d = distanceToSegment(px, py, seg[0]!, seg[1]!, seg[2]!, seg[3]!);
    if (d <= bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}
