import type { Rng } from '../rng';

/**
 * A per-packet decision. `pass` lets the next rule decide; the first non-pass verdict wins.
 * `delay` breaks the link's FIFO order by holding this one packet back (reordering).
 */
export type Verdict = 'pass' | 'drop' | 'duplicate' | { delayUs: number };

/** A rule over the packets of matching links. Omitted `from` / `to` match every node. */
export interface LinkRule {
  readonly id: number;
  readonly kind: 'loss' | 'duplicate' | 'reorder';
  readonly from?: string;
  readonly to?: string;
  decide(rng: Rng): Verdict;
}

export function lossRule(id: number, p: number, from?: string, to?: string): LinkRule {
  return { id, kind: 'loss', from, to, decide: (rng) => (rng.chance(p) ? 'drop' : 'pass') };
}

export function duplicateRule(id: number, p: number, from?: string, to?: string): LinkRule {
  return { id, kind: 'duplicate', from, to, decide: (rng) => (rng.chance(p) ? 'duplicate' : 'pass') };
}

/** Holds a fraction p of packets back by up to `maxDelayUs`, so later packets overtake them. */
export function reorderRule(id: number, p: number, maxDelayUs: number, from?: string, to?: string): LinkRule {
  return {
    id,
    kind: 'reorder',
    from,
    to,
    decide: (rng) => (rng.chance(p) ? { delayUs: 1 + Math.floor(rng.next() * maxDelayUs) } : 'pass'),
  };
}

export function ruleMatches(rule: LinkRule, from: string, to: string): boolean {
  return (rule.from === undefined || rule.from === from) && (rule.to === undefined || rule.to === to);
}
