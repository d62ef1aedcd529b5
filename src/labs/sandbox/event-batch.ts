import type { Json } from './api';

/**
 * How a batch of events crosses into QuickJS. Most of a batched crossing's cost is QuickJS's own
 * `JSON.parse` of the events, and for a batch of objects that all look alike (the records of one
 * poll, the orders of one burst) most of that is reading the same field names again for every
 * event. So a batch of at least SHAPED_BATCH_MIN events goes as its shapes and its values:
 *
 *     { "k": [["id", "qty", "tags"], …],        the field names of each shape, once
 *       "v": [0, 1, 2, ["web"], 0, 2, 3, [], -1, "a plain string", …] }
 *
 * `v` holds, per event, its shape's index followed by that shape's values in field order, or -1
 * followed by the event itself (anything that is not a plain object with a cacheable shape). The
 * prelude builds each shaped event with a function compiled once per shape, an object literal
 * with the fields in order: about 20 % cheaper per event than `JSON.parse` of the objects, and the
 * text is less than half as long (`test/unit/sandbox/event-batch.test.ts` checks the events the
 * handler sees are exactly those of the plain JSON form).
 *
 * The result is indistinguishable from `JSON.parse(JSON.stringify(events))`: the same own
 * properties in the same order, all writable, enumerable and configurable, on a plain object.
 * Events whose JSON would not be that simple go whole (-1): objects with another prototype or a
 * `toJSON`, a `__proto__` key (a literal would set the prototype), a value JSON leaves out
 * (undefined, a function or a symbol) or one with a `toJSON` (which is told its key, and a
 * value in `v` has an index for a key), no fields, or more than SHAPE_FIELDS_MAX.
 */

/** Smaller batches go as plain JSON: compiling a shape would cost more than it saves. */
export const SHAPED_BATCH_MIN = 4;
/** Shapes one batch may define; events of further shapes go whole. */
export const SHAPES_PER_BATCH_MAX = 16;
/** Objects with more fields go whole (one literal per shape is compiled; keep them small). */
export const SHAPE_FIELDS_MAX = 32;

const objectProto = Object.prototype;

/** The JSON text of `events` for the prelude's `decodeEvents`. */
export function encodeEvents(events: readonly Json[]): string {
  const n = events.length;
  if (n < SHAPED_BATCH_MIN) return JSON.stringify(events);
  const shapes: string[][] = [];
  const v: unknown[] = [];
  let lastIndex = -1;
  for (let i = 0; i < n; i++) {
    const e = events[i];
    const keys = shapeKeys(e);
    if (keys !== undefined) {
      const mark = v.length;
      v.push(0);
      if (pushValues(v, e as Record<string, unknown>, keys)) {
        // Consecutive events mostly share a shape: try the last one first.
        let s = lastIndex >= 0 && sameKeys(shapes[lastIndex]!, keys) ? lastIndex : shapeIndex(shapes, keys);
        if (s < 0 && shapes.length < SHAPES_PER_BATCH_MAX) s = shapes.push(keys) - 1;
        if (s >= 0) {
          v[mark] = s;
          lastIndex = s;
          continue;
        }
      }
      v.length = mark;
    }
    v.push(-1, e);
  }
  return JSON.stringify({ k: shapes, v });
}

/** Appends the object's values in field order; false if one would not survive as an array element. */
function pushValues(v: unknown[], o: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let f = 0; f < keys.length; f++) {
    const x = o[keys[f]!];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') return false;
    if (typeof x === 'object' && x !== null && typeof (x as { toJSON?: unknown }).toJSON === 'function') return false;
    v.push(x);
  }
  return true;
}

/** The field names of a plain object with a shape worth caching, or undefined. */
function shapeKeys(e: unknown): string[] | undefined {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return undefined;
  const proto: unknown = Object.getPrototypeOf(e);
  if (proto !== objectProto && proto !== null) return undefined;
  if (typeof (e as { toJSON?: unknown }).toJSON === 'function') return undefined;
  const keys = Object.keys(e);
  if (keys.length === 0 || keys.length > SHAPE_FIELDS_MAX) return undefined;
  for (let f = 0; f < keys.length; f++) if (keys[f] === '__proto__') return undefined;
  return keys;
}

function shapeIndex(shapes: readonly string[][], keys: readonly string[]): number {
  for (let s = 0; s < shapes.length; s++) if (sameKeys(shapes[s]!, keys)) return s;
  return -1;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
