/**
 * AMQP 0-9-1 field tables: the typed values carried by message headers, queue and exchange
 * arguments and binding arguments.
 *
 * Types keep RabbitMQ's own (Erlang, `rabbit_framing`) names — `longstr`, `signedint`, `long`,
 * `bool`, `void`, `array`, `table`, … — because RabbitMQ's behaviour depends on them: a headers
 * binding on `{"n": "1"}` does not match a message header `{"n": 1}`, and an array of `byte 1` is
 * not equal to an array of `long 1`. A table is an ordered list of entries, exactly like the wire
 * format and `rabbit_misc:table_lookup/2` (first entry with the name wins).
 *
 * Values are plain JSON-serialisable data so they can travel into the history and the UI.
 */

/** The integer field types RabbitMQ accepts wherever it wants a number (`?INTEGER_ARG_TYPES`). */
export type IntegerFieldType =
  | 'byte'
  | 'unsignedbyte'
  | 'short'
  | 'unsignedshort'
  | 'signedint'
  | 'unsignedint'
  | 'long';

/** Every integer field type, for membership tests (argument validation, equality classes). */
export const INTEGER_FIELD_TYPES: readonly IntegerFieldType[] = [
  'byte',
  'unsignedbyte',
  'short',
  'unsignedshort',
  'signedint',
  'unsignedint',
  'long',
];

/**
 * One typed value. `binary` is the AMQP byte array (`x`), carried as a string whose UTF-16 units are
 * bytes (the simulator has no Buffer). `timestamp` is whole seconds since the epoch, as on the wire.
 */
export type FieldValue =
  | { readonly type: 'longstr'; readonly value: string }
  | { readonly type: 'binary'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: IntegerFieldType; readonly value: number }
  | { readonly type: 'float' | 'double'; readonly value: number }
  | { readonly type: 'decimal'; readonly value: { readonly scale: number; readonly digits: number } }
  | { readonly type: 'timestamp'; readonly value: number }
  | { readonly type: 'void' }
  | { readonly type: 'array'; readonly value: readonly FieldValue[] }
  | { readonly type: 'table'; readonly value: FieldTable };

/** One named entry of a field table. */
export interface FieldEntry {
  readonly name: string;
  readonly value: FieldValue;
}

/** An ordered field table; duplicate names are legal on the wire and kept. */
export type FieldTable = readonly FieldEntry[];

/** A `longstr`, the type RabbitMQ uses for every string it writes (x-death reasons, names…). */
export function longstr(value: string): FieldValue {
  return { type: 'longstr', value };
}

/** A `long` (64-bit signed), the type RabbitMQ uses for counts such as x-death `count`. */
export function long(value: number): FieldValue {
  return { type: 'long', value };
}

/** The `void` value: in a headers binding it means "header present, any value". */
export const VOID: FieldValue = { type: 'void' };

/** Builds a table from `[name, value]` pairs, keeping their order (and duplicates). */
export function table(entries: ReadonlyArray<readonly [string, FieldValue]>): FieldTable {
  return entries.map(([name, value]) => ({ name, value }));
}

/** First entry with this name, as `rabbit_misc:table_lookup/2` does; undefined when absent. */
export function tableLookup(t: FieldTable | undefined, name: string): FieldValue | undefined {
  if (t === undefined) return undefined;
  for (const entry of t) {
    if (entry.name === name) return entry.value;
  }
  return undefined;
}

/** Replaces the first entry with this name, or appends one (`lists:keystore/4`). */
export function tableSet(t: FieldTable | undefined, name: string, value: FieldValue): FieldTable {
  const base = t ?? [];
  const at = base.findIndex((entry) => entry.name === name);
  if (at < 0) return [...base, { name, value }];
  return base.map((entry, i) => (i === at ? { name, value } : entry));
}

/** Removes the first entry with this name (`lists:keytake/3`, as RabbitMQ strips `BCC`). */
export function tableDeleteFirst(t: FieldTable, name: string): FieldTable {
  const at = t.findIndex((entry) => entry.name === name);
  if (at < 0) return t;
  return [...t.slice(0, at), ...t.slice(at + 1)];
}

/**
 * Orders names as Erlang orders binaries (byte-wise UTF-8), which equals Unicode code point order.
 * JavaScript's `<` compares UTF-16 units and differs for astral characters, so compare code points.
 */
export function compareBinaries(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done === true) return cb.done === true ? 0 : -1;
    if (cb.done === true) return 1;
    const pa = ca.value.codePointAt(0) ?? 0;
    const pb = cb.value.codePointAt(0) ?? 0;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
}

/**
 * amqplib's rule for turning a JavaScript value into a field value (lib/codec.js
 * `encodeFieldValue`), so tables built from learner code carry the same types a real amqplib
 * client would send: integers become `byte`/`short`/`signedint`/`long` by range, non-integers
 * `double`, strings `longstr`, `null` `void`, arrays `array`, objects `table`, and
 * `{ '!': type, value }` forces a type (e.g. `timestamp`).
 */
export function fieldValueFromJs(value: unknown): FieldValue {
  if (value === null) return VOID;
  if (typeof value === 'string') return longstr(value);
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number') return numberFieldValue(value);
  if (Array.isArray(value)) return { type: 'array', value: value.map(fieldValueFromJs) };
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(obj, '!')) return forcedFieldValue(String(obj['!']), obj['value']);
    return { type: 'table', value: tableFromJs(obj) };
  }
  throw new TypeError(`cannot encode a ${typeof value} as an AMQP field value`);
}

/** amqplib's `encodeTable`: own keys in insertion order, entries whose value is `undefined` skipped. */
export function tableFromJs(obj: Readonly<Record<string, unknown>>): FieldTable {
  const entries: FieldEntry[] = [];
  for (const name of Object.keys(obj)) {
    const v = obj[name];
    if (v !== undefined) entries.push({ name, value: fieldValueFromJs(v) });
  }
  return entries;
}

function numberFieldValue(n: number): FieldValue {
  // amqplib's isFloatingPoint: at or above 2^50 a double cannot show a fraction, so it is a long.
  const floating = n >= 0x8000000000000000 || (Math.abs(n) < 0x4000000000000 && Math.floor(n) !== n);
  if (floating) return { type: 'double', value: n };
  if (n >= -128 && n < 128) return { type: 'byte', value: n };
  if (n >= -0x8000 && n < 0x8000) return { type: 'short', value: n };
  if (n >= -0x80000000 && n < 0x80000000) return { type: 'signedint', value: n };
  return { type: 'long', value: n };
}

function forcedFieldValue(type: string, v: unknown): FieldValue {
  switch (type) {
    case 'timestamp':
    case 'float':
    case 'double':
    case 'long':
    case 'byte':
    case 'short':
      return { type, value: Number(v) };
    case 'int':
    case 'int32':
      return { type: 'signedint', value: Number(v) };
    case 'int64':
      return { type: 'long', value: Number(v) };
    case 'int16':
      return { type: 'short', value: Number(v) };
    case 'int8':
      return { type: 'byte', value: Number(v) };
    case 'float64':
      return { type: 'double', value: Number(v) };
    case 'decimal': {
      const d = v as { places?: unknown; digits?: unknown };
      return { type: 'decimal', value: { scale: Number(d.places), digits: Number(d.digits) } };
    }
    default:
      throw new TypeError(`unknown AMQP field type '${type}'`);
  }
}

/**
 * The reverse, as amqplib decodes a table for a consumer: numbers and strings plain, `void` as
 * `null`, timestamps and decimals as `{ '!': type, value }`.
 */
export function fieldValueToJs(v: FieldValue): unknown {
  switch (v.type) {
    case 'void':
      return null;
    case 'array':
      return v.value.map(fieldValueToJs);
    case 'table':
      return tableToJs(v.value);
    case 'timestamp':
      return { '!': 'timestamp', value: v.value };
    case 'decimal':
      return { '!': 'decimal', value: { places: v.value.scale, digits: v.value.digits } };
    default:
      return v.value;
  }
}

/** A table as a plain object; like amqplib, a later duplicate name overwrites an earlier one. */
export function tableToJs(t: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of t) out[entry.name] = fieldValueToJs(entry.value);
  return out;
}

/** True when the field value is one of the integer types. */
export function isIntegerField(v: FieldValue): v is Extract<FieldValue, { type: IntegerFieldType }> {
  return (INTEGER_FIELD_TYPES as readonly string[]).includes(v.type);
}
