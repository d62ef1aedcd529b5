/**
 * Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", 2014): a timestamp (l, c)
 * whose l stays close to physical time while still respecting causality, so it can order events
 * across nodes whose wall clocks disagree.
 */
export interface Hlc {
  /** The largest physical time seen, in microseconds. */
  readonly l: number;
  /** A counter that orders events sharing the same l. */
  readonly c: number;
}

export const HLC_ZERO: Hlc = { l: 0, c: 0 };

/** A local or send event at physical time `ptUs`. */
export function hlcTick(prev: Hlc, ptUs: number): Hlc {
  const l = Math.max(prev.l, ptUs);
  return { l, c: l === prev.l ? prev.c + 1 : 0 };
}

/** A receive of a message stamped `msg` at physical time `ptUs`. */
export function hlcReceive(prev: Hlc, msg: Hlc, ptUs: number): Hlc {
  const l = Math.max(prev.l, msg.l, ptUs);
  let c: number;
  if (l === prev.l && l === msg.l) c = Math.max(prev.c, msg.c) + 1;
  else if (l === prev.l) c = prev.c + 1;
  else if (l === msg.l) c = msg.c + 1;
  else c = 0;
  return { l, c };
}

/** Total order on HLC timestamps: by l, then c. */
export function hlcCompare(a: Hlc, b: Hlc): number {
  return a.l !== b.l ? a.l - b.l : a.c - b.c;
}
