/**
 * Vector clocks as plain data: a map from node name to that node's event count, with keys kept in
 * sorted order so equal clocks serialise identically. Missing entries count as zero.
 */
export type VectorClock = Readonly<Record<string, number>>;

/** How two events relate: a happened before b, after it, concurrently, or they are the same. */
export type CausalOrder = 'before' | 'after' | 'concurrent' | 'equal';

function sorted(entries: [string, number][]): VectorClock {
  entries.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: Record<string, number> = {};
  for (const [k, v] of entries) if (v !== 0) out[k] = v;
  return out;
}

/** The clock after a local event (or a send) at `node`. */
export function vcIncrement(vc: VectorClock, node: string): VectorClock {
  return sorted([...Object.entries(vc).filter(([k]) => k !== node), [node, (vc[node] ?? 0) + 1]]);
}

/** The element-wise maximum: what a receiver knows after merging a message's clock. */
export function vcMerge(a: VectorClock, b: VectorClock): VectorClock {
  const m = new Map<string, number>(Object.entries(a));
  for (const [k, v] of Object.entries(b)) m.set(k, Math.max(m.get(k) ?? 0, v));
  return sorted([...m]);
}

/** Compares two clocks: `before` means every entry of a is ≤ b's and some is smaller. */
export function vcCompare(a: VectorClock, b: VectorClock): CausalOrder {
  let less = false;
  let greater = false;
  // a's keys, then b's that a lacks: the union in the order a Set of both would hold it, without
  // building one (checkers compare clocks pairwise, hundreds of thousands of times a run).
  for (const k of Object.keys(a)) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
    if (less && greater) return 'concurrent';
  }
  for (const k of Object.keys(b)) {
    if (hasOwn.call(a, k)) continue;
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x < y) less = true;
    else if (x > y) greater = true;
    if (less && greater) return 'concurrent';
  }
  if (less) return 'before';
  if (greater) return 'after';
  return 'equal';
}

const hasOwn = Object.prototype.hasOwnProperty;

/** True when the event stamped `a` happened before the one stamped `b`. */
export function happenedBefore(a: VectorClock, b: VectorClock): boolean {
  return vcCompare(a, b) === 'before';
}

/** True when neither happened before the other and they are not the same event. */
export function concurrent(a: VectorClock, b: VectorClock): boolean {
  return vcCompare(a, b) === 'concurrent';
}

/** Formats a clock for people: `{a:2, b:1}`. */
export function formatVectorClock(vc: VectorClock): string {
  return `{${Object.entries(vc).map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}
