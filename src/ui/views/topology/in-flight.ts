import type { HistoryStore } from '../../history/history-store';
import type { Moment } from '../../timeline/moment';

/** A message on the wire at a moment: its lanes and how far along (0–1) it is. */
export interface InFlight {
  from: number;
  to: number;
  progress: number;
  lost: boolean;
}

/** Dots drawn at most: beyond this the links are saturated and more dots say nothing new. */
export const IN_FLIGHT_SHOWN_MAX = 600;

/**
 * Messages sent at or before the moment whose delivery or drop comes after it. Only arrows sent
 * within the longest flight time before the moment can qualify, so this reads a thin slice.
 */
export function messagesInFlight(h: HistoryStore, moment: Moment): { shown: InFlight[]; total: number } {
  const m = h.messages;
  const t = moment.timeUs;
  const [lo, hi] = m.windowRange(t, t, h.endUs);
  const shown: InFlight[] = [];
  let total = 0;
  for (let a = lo; a < hi; a++) {
    if (m.sendSeq[a]! > moment.seq) break;
    const endSeq = m.endSeq[a]!;
    if (endSeq >= 0 && endSeq <= moment.seq) continue;
    const sent = m.sendTimeUs[a]!;
    const end = m.endOrNow(a, Math.max(h.endUs, t));
    total++;
    if (shown.length >= IN_FLIGHT_SHOWN_MAX) continue;
    const progress = end > sent ? Math.min(1, Math.max(0, (t - sent) / (end - sent))) : 0;
    // A lost message travels only half-way in the diagram; here it fades at the same point.
    shown.push({ from: m.from[a]!, to: m.to[a]!, progress: m.state[a] === 2 ? progress * 0.5 : progress, lost: m.state[a] === 2 });
  }
  return { shown, total };
}
