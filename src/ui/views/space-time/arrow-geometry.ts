import type { MessageIndex } from '../../history/message-index';
import { xOf, yOf, type LaneLayout } from './lane-layout';

/** How far toward its receiver a lost message's arrow reaches before its ×. */
export const DROP_REACH = 0.5;

/**
 * Writes the arrow of message copy `a` into `out` as [x1, y1, x2, y2]: from the sender's lane at
 * the send to the receiver's lane at the delivery; a dropped message stops half-way at its drop
 * time; one still in flight reaches the receiver's lane at `nowUs`.
 */
export function arrowSegment(m: MessageIndex, l: LaneLayout, a: number, nowUs: number, out: Float64Array): void {
  const y1 = yOf(l, m.from[a]!);
  const y2 = yOf(l, m.to[a]!);
  out[0] = xOf(l, m.sendTimeUs[a]!);
  out[1] = y1;
  out[2] = xOf(l, m.endOrNow(a, nowUs));
  out[3] = m.state[a] === 2 ? y1 + (y2 - y1) * DROP_REACH : y2;
}

/** Distance in pixels from a point to a segment. */
export function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2));
  const cx = x1 + t * dx - px;
  const cy = y1 + t * dy - py;
  return Math.sqrt(cx * cx + cy * cy);
}
