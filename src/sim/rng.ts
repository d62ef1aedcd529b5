import seedrandom from 'seedrandom';
import { assert } from './assert';

/**
 * The run's only source of randomness. One root seed; every component draws from its own named
 * fork (`rng.fork('network')`, `rng.fork('node:b1')`), so adding a consumer does not shift the
 * network's draws. Forks are derived from the seed and the fork path alone, never from how many
 * numbers the parent has drawn.
 */
export class Rng {
  readonly seed: string;
  readonly path: string;
  private readonly prng: () => number;
  private readonly forks = new Map<string, Rng>();

  constructor(seed: string | number, path = '') {
    this.seed = String(seed);
    this.path = path;
    // Alea is small, fast and specified in plain double arithmetic, so Node and Chromium agree.
    this.prng = seedrandom.alea(`${this.seed}\u0000${path}`);
  }

  /** The named child generator; asking twice for the same name returns the same fork. */
  fork(name: string): Rng {
    let child = this.forks.get(name);
    if (!child) {
      child = new Rng(this.seed, this.path === '' ? name : `${this.path}/${name}`);
      this.forks.set(name, child);
    }
    return child;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    assert(Number.isInteger(min) && Number.isInteger(max), 'int bounds are integers');
    assert(max >= min, 'int range is not empty');
    return min + Math.floor(this.prng() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.prng() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, 'pick from a non-empty array');
    return items[Math.floor(this.prng() * items.length)]!;
  }

  /** One element chosen with probability proportional to its weight. */
  weighted<T>(choices: readonly { value: T; weight: number }[]): T {
    let total = 0;
    for (const c of choices) {
      assert(c.weight >= 0, 'weights are not negative');
      total += c.weight;
    }
    assert(total > 0, 'some weight is positive');
    let r = this.prng() * total;
    for (const c of choices) {
      r -= c.weight;
      if (r < 0) return c.value;
    }
    return choices[choices.length - 1]!.value;
  }

  /** A new array with the items in a random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** A standard normal deviate (Box–Muller; one draw pair per call keeps forks independent of parity). */
  normal(): number {
    const u = 1 - this.prng();
    const v = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.prng()) * mean;
  }
}

/** A latency distribution, named as people name them. All values are microseconds. */
export type LatencyModel =
  | { kind: 'constant'; us: number }
  | { kind: 'uniform'; minUs: number; maxUs: number }
  | { kind: 'normal'; meanUs: number; stddevUs: number }
  | { kind: 'lognormal'; medianUs: number; sigma: number }
  | { kind: 'exponential'; meanUs: number };

/** Draws one latency in whole microseconds, never negative. */
export function sampleLatencyUs(rng: Rng, model: LatencyModel): number {
  let v: number;
  switch (model.kind) {
    case 'constant':
      return Math.max(0, Math.round(model.us));
    case 'uniform':
      v = model.minUs + rng.next() * (model.maxUs - model.minUs);
      break;
    case 'normal':
      v = model.meanUs + rng.normal() * model.stddevUs;
      break;
    case 'lognormal':
      v = model.medianUs * Math.exp(rng.normal() * model.sigma);
      break;
    case 'exponential':
      v = rng.exponential(model.meanUs);
      break;
  }
  return Math.max(0, Math.round(v));
}

/** Describes a latency model problem, or returns undefined when the model is well formed. */
export function latencyModelProblem(model: unknown): string | undefined {
  if (typeof model !== 'object' || model === null) return 'must be an object like {"kind":"constant","us":500}';
  const m = model as Record<string, unknown>;
  const need = (fields: string[]): string | undefined => {
    for (const f of fields) {
      if (typeof m[f] !== 'number' || !Number.isFinite(m[f]) || (m[f] as number) < 0) {
        return `"${String(m.kind)}" latency needs a non-negative number "${f}"`;
      }
    }
    return undefined;
  };
  switch (m.kind) {
    case 'constant':
      return need(['us']);
    case 'uniform':
      return need(['minUs', 'maxUs']) ?? ((m.maxUs as number) < (m.minUs as number) ? 'maxUs is below minUs' : undefined);
    case 'normal':
      return need(['meanUs', 'stddevUs']);
    case 'lognormal':
      return need(['medianUs', 'sigma']);
    case 'exponential':
      return need(['meanUs']);
    default:
      return `unknown latency kind ${JSON.stringify(m.kind)} (use constant, uniform, normal, lognormal or exponential)`;
  }
}
