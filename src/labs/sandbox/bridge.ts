import { apiFunctions, DURATION_MS_MAX, KEY_CHARS_MAX, type ApiDefinition, type ApiNamespace, type ApiOp, type ApiParam } from './api';
import { formatCount } from './budgets';

/**
 * An error learner code should see, raised by the engine side of an API call: a bad argument,
 * an unknown service, a timeout. It becomes a TypeError/RangeError/Error inside the sandbox, thrown
 * at the learner's call site (or the promise's rejection), never an engine failure.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly errorName: 'TypeError' | 'RangeError' | 'Error' = 'Error',
  ) {
    super(message);
    this.name = errorName;
  }
}

/** The bridge derived from an API definition: op numbers, and the plan the prelude builds `ctx` from. */
export interface BridgePlan {
  readonly def: ApiDefinition;
  /** Index = op number used across the boundary. */
  readonly ops: readonly ApiOp[];
  /** The `ctx` member tree as JSON for the prelude: [name, 'const'|'clock'|'op'|'ns', …]. */
  readonly planJson: string;
}

const plans = new WeakMap<ApiDefinition, BridgePlan>();

/** The bridge plan for a definition, computed once per definition. */
export function bridgePlan(def: ApiDefinition): BridgePlan {
  let plan = plans.get(def);
  if (!plan) {
    const ops = apiFunctions(def);
    const index = new Map(ops.map((o, i) => [o.fn, i]));
    const tree = (ns: ApiNamespace): unknown[] =>
      Object.entries(ns.members).map(([name, m]) => {
        if (m.kind === 'namespace') return [name, 'ns', tree(m)];
        if (m.kind === 'constant') return [name, 'const', m.value];
        if (m.bridge === 'clock') return [name, 'clock'];
        return [name, 'op', index.get(m)!, m.bridge === 'async' ? 1 : 0];
      });
    plan = { def, ops, planJson: JSON.stringify(tree(def.context)) };
    plans.set(def, plan);
  }
  return plan;
}

/**
 * Checks the arguments of a call arriving from learner code against the definition and returns
 * them. Throws ApiError with a message that names the call, the parameter and what was wrong.
 * Arguments crossed as JSON, so `undefined` inside the list arrives as null and trailing ones are absent.
 */
export function checkArgs(op: ApiOp, args: unknown): unknown[] {
  const sig = `ctx.${op.path}(${op.fn.params.map((p) => p.name).join(', ')})`;
  if (!Array.isArray(args)) throw new ApiError(`${sig}: the arguments did not arrive as a list`, 'TypeError');
  const out: unknown[] = [];
  op.fn.params.forEach((p, i) => {
    const present = i < args.length && !(p.optional && args[i] === null);
    if (!present) {
      if (p.optional) {
        out.push(undefined);
        return;
      }
      if (p.check !== 'json') throw new ApiError(`${sig}: ${p.name} is missing`, 'TypeError');
    }
    out.push(checkOne(sig, p, present ? args[i] : null));
  });
  return out;
}

function checkOne(sig: string, p: ApiParam, v: unknown): unknown {
  const bad = (what: string, kind: 'TypeError' | 'RangeError' = 'TypeError'): never => {
    throw new ApiError(`${sig}: ${p.name} must be ${what}, got ${show(v)}`, kind);
  };
  switch (p.check) {
    case 'json':
      return v;
    case 'string':
      return typeof v === 'string' ? v : bad('a string');
    case 'service':
      return typeof v === 'string' && v.length > 0 ? v : bad('the name of a node (a non-empty string)');
    case 'key':
      if (typeof v !== 'string') return bad('a string');
      if (v.length === 0 || v.length > KEY_CHARS_MAX) return bad(`1 to ${KEY_CHARS_MAX} characters long`, 'RangeError');
      return v;
    case 'durationMs':
      if (typeof v !== 'number' || !Number.isFinite(v)) return bad('a number of milliseconds');
      if (v < 0 || v > DURATION_MS_MAX) return bad(`from 0 to ${formatCount(DURATION_MS_MAX)} milliseconds`, 'RangeError');
      return v;
    case 'message':
      if (typeof v !== 'object' || v === null || typeof (v as { id?: unknown }).id !== 'string') return bad('a message your handler received (an object with a string id)');
      return v;
    case 'callOptions': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('an object like { timeoutMs: 500 }');
      const t = (v as { timeoutMs?: unknown }).timeoutMs;
      if (t !== undefined && t !== null && (typeof t !== 'number' || !Number.isFinite(t) || t <= 0 || t > DURATION_MS_MAX)) {
        throw new ApiError(`${sig}: options.timeoutMs must be a number of milliseconds above 0, got ${show(t)}`, 'RangeError');
      }
      return v;
    }
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
