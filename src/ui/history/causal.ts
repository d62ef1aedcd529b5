import type { MessageIndex } from './message-index';

/**
 * The causal past and future of one event, as per-lane frontiers over history sequence numbers.
 * Happened-before is the transitive closure of lane order (events on one node) and send → deliver
 * edges, so the past of an event on lane X is, on every lane Y, a prefix of Y's events: everything
 * up to `past[Y]`. Likewise the future is a suffix from `future[Y]`. Two linear passes compute them.
 */
export interface CausalCone {
  /** Per lane: the last seq in the causal past (-1 when nothing on that lane is). */
  past: Int32Array;
  /** Per lane: the first seq in the causal future (Infinity-like MAX when nothing is). */
  future: Int32Array;
}

export const NO_FUTURE = 0x7fffffff;

/**
 * The cone of the event at `seq` on `lane`. `pastFromSeq` / `futureFromSeq` let a message's cone
 * start at its send (for the past) and its delivery (for the future).
 */
export function causalCone(m: MessageIndex, lanes: number, pastLane: number, pastFromSeq: number, futureLane: number, futureFromSeq: number): CausalCone {
  const past = new Int32Array(lanes).fill(-1);
  past[pastLane] = pastFromSeq;
  // Backwards along deliveries: a delivery in the past of its receiver puts its send in the past of its sender.
  for (let k = m.deliveryCount - 1; k >= 0; k--) {
    const a = m.deliveries[k]!;
    const to = m.to[a]!;
    if (m.endSeq[a]! <= past[to]!) {
      const from = m.from[a]!;
      if (m.sendSeq[a]! > past[from]!) past[from] = m.sendSeq[a]!;
    }
  }
  const future = new Int32Array(lanes).fill(NO_FUTURE);
  future[futureLane] = futureFromSeq;
  // Forwards along sends: a send in the future of its sender puts its delivery in the future of its receiver.
  for (let a = 0; a < m.count; a++) {
    const from = m.from[a]!;
    if (m.sendSeq[a]! < future[from]! || m.state[a] !== 1) continue;
    const to = m.to[a]!;
    if (m.endSeq[a]! < future[to]!) future[to] = m.endSeq[a]!;
  }
  return { past, future };
}

/** True when arrow `a` lies in the cone's past: its delivery (or, for a lost message, its send) is there. */
export function inPast(m: MessageIndex, cone: CausalCone, a: number): boolean {
  return m.state[a] === 1 ? m.endSeq[a]! <= cone.past[m.to[a]!]! : m.sendSeq[a]! <= cone.past[m.from[a]!]!;
}

/** True when arrow `a` starts in the cone's future. */
export function inFuture(m: MessageIndex, cone: CausalCone, a: number): boolean {
  return m.sendSeq[a]! >= cone.future[m.from[a]!]!;
}
