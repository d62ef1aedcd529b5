import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Json } from '../../../src/labs/sandbox/api';
import { encodeEvents, SHAPED_BATCH_MIN, SHAPES_PER_BATCH_MAX } from '../../../src/labs/sandbox/event-batch';
import { loadQuickJS } from '../../../src/labs/sandbox/quickjs';
import type { Sandbox } from '../../../src/labs/sandbox/sandbox';
import { bareSandbox, lines } from './helpers';

beforeAll(async () => {
  await loadQuickJS();
});

/**
 * What a handler can tell about the event it got: its JSON (values and key order), and for an
 * object its prototype and every own property's name and flags.
 */
const SEE = lines(
  'export function see(e: any) {',
  "  if (e === null || typeof e !== 'object' || Array.isArray(e)) return [JSON.stringify(e), null, null];",
  '  const props = Reflect.ownKeys(e).map((k) => { const d = Object.getOwnPropertyDescriptor(e, k)!; return [String(k), d.writable, d.enumerable, d.configurable]; });',
  '  return [JSON.stringify(e), Object.getPrototypeOf(e) === Object.prototype, props];',
  '}',
  'export function probe() { return typeof (globalThis as any).pwned; }',
);

/** The same description computed by V8 for the event after a plain JSON round trip. */
function expected(e: unknown): unknown {
  const j = JSON.stringify(e);
  const v: unknown = j === undefined ? null : JSON.parse(j);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [JSON.stringify(v), null, null];
  return [JSON.stringify(v), true, Object.keys(v).map((k) => [k, true, true, true])];
}

function seeAll(sb: Sandbox, events: unknown[]): unknown[] {
  let out: unknown[] = [];
  sb.invokeEach('see', events as Json[], { onDone: (r) => (out = r.map((x) => (x.ok ? x.value : x.problem.text))) });
  return out;
}

/** Field names that could trip a shape's compiled literal or JSON itself. */
const trickyKeys = ['id', 'qty', '__proto__', '0', '1', '', 'constructor', 'toString', 'a"b', 'x\\y', 'line\u2028sep', '"}; globalThis.pwned = 1; ({"', 'ünï', 'k-1'];

/** An own property set by definition, so `__proto__` becomes a key rather than the prototype. */
function objectOf(entries: [string, unknown][], nullProto: boolean): Record<string, unknown> {
  const o = nullProto ? Object.create(null) : {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  return o;
}

const oddValue = fc.constantFrom<unknown>(undefined, () => 1, Symbol('s'), { toJSON: () => 'via toJSON' }, new Date(0), [undefined, () => 2]);
const value = fc.oneof({ weight: 6, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: oddValue });
/** Events drawn from a few shapes (so batches repeat them), mixed with anything else. */
const event = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(fc.subarray(trickyKeys, { minLength: 1, maxLength: 5 }), fc.array(value, { minLength: 5, maxLength: 5 }), fc.boolean()).map(([ks, vs, np]) => objectOf(ks.map((k, i) => [k, vs[i]]), np)) },
  { weight: 2, arbitrary: value },
  { weight: 1, arbitrary: fc.constant({}) },
);

describe('events cross as shapes and values (properties; fast-check prints the seed of any failure)', () => {
  it('a handler sees exactly what a plain JSON round trip gives: values, key order, prototype and property flags', () => {
    const { sandbox } = bareSandbox(SEE);
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        expect(seeAll(sandbox, events)).toEqual(events.map(expected));
        expect(sandbox.status).toBe('ready');
      }),
      { numRuns: 300 },
    );
    // Field names reach the compiled literal only as string literals.
    let pwned: unknown;
    sandbox.invoke('probe', null, (r) => (pwned = r.ok && r.value));
    expect(pwned).toBe('undefined');
  });

  it('more shapes than a batch defines, and more than the sandbox keeps compiled, still arrive intact', () => {
    const { sandbox } = bareSandbox(SEE);
    for (let round = 0; round < 6; round++) {
      const events = Array.from({ length: 40 }, (_, i) => ({ [`f${round}_${i % 30}`]: i, shared: round }));
      expect(seeAll(sandbox, events)).toEqual(events.map(expected));
    }
  });
});

describe('encodeEvents', () => {
  const orders = Array.from({ length: 100 }, (_, i) => ({ id: i, qty: 1 + (i % 5), tags: ['web'] }));

  it('sends each shape once and its values in field order; small batches stay plain JSON', () => {
    const text = encodeEvents(orders);
    expect(JSON.parse(text)).toEqual({ k: [['id', 'qty', 'tags']], v: orders.flatMap((o) => [0, o.id, o.qty, o.tags]) });
    // The point of it: less text for QuickJS to parse than the plain form.
    expect(text.length).toBeLessThan(JSON.stringify(orders).length * 0.6);
    const few = orders.slice(0, SHAPED_BATCH_MIN - 1);
    expect(encodeEvents(few)).toBe(JSON.stringify(few));
  });

  it('sends whole (-1) what a literal could not rebuild exactly', () => {
    const whole: unknown[] = [[1, 2], 'text', 7, null, {}, { a: undefined, b: 1 }, { f: () => 1 }, { d: new Date(0) }, new Date(0), objectOf([['__proto__', 1]], false), Object.create({ inherited: 1 })];
    const events = [{ id: 1 }, ...whole];
    const { k, v } = JSON.parse(encodeEvents(events as Json[])) as { k: string[][]; v: unknown[] };
    expect(k).toEqual([['id']]);
    expect(v).toEqual([0, 1, ...whole.flatMap((e) => [-1, JSON.parse(JSON.stringify([e]))[0]])]);
  });

  it(`defines at most ${SHAPES_PER_BATCH_MAX} shapes a batch; events of further shapes go whole`, () => {
    const events = Array.from({ length: SHAPES_PER_BATCH_MAX + 4 }, (_, i) => ({ [`k${i}`]: i }));
    const { k, v } = JSON.parse(encodeEvents(events)) as { k: string[][]; v: unknown[] };
    expect(k).toHaveLength(SHAPES_PER_BATCH_MAX);
    expect(v.slice(SHAPES_PER_BATCH_MAX * 2)).toEqual(events.slice(SHAPES_PER_BATCH_MAX).flatMap((e) => [-1, e]));
  });
});
