/**
 * Headers exchange matching, as RabbitMQ 3.13 does it (`rabbit_exchange_type_headers:route/3`
 * with `mc_amqpl:routing_headers/2`).
 *
 * - `x-match` is `all` (default, also when absent), `any`, `all-with-x` or `any-with-x`; any other
 *   value is refused when binding (406, `validate_binding/2`).
 * - `all`/`any` skip every binding argument whose name starts with `x-`; the `-with-x` forms skip
 *   only `x-match` itself, so they can route on `x-first-death-reason` and friends.
 * - A binding argument of type `void` matches on presence of the header, whatever its value.
 * - Otherwise the header's value must be Erlang-`=:=` to the argument's value. The message side
 *   loses its type tag (`routing_value/2`), so `byte 1` equals `long 1`, but a string never
 *   equals a number, an integer never equals a float, and arrays and tables compare element by
 *   element *with* their types. One 3.13 quirk kept on purpose: a message `timestamp` is scaled to
 *   milliseconds before comparing and the binding's is not, so timestamp-to-timestamp never matches.
 * - `all` with nothing left to compare matches everything; `any` with nothing matches nothing.
 * - A message header that appears twice counts with its last value (the fold into a map).
 *
 * RabbitMQ 3.12 compared with `==` instead (so `1` equalled `1.0`) and did not scale timestamps;
 * we model 3.13.
 */

import { amqpError, fail, ok, type AmqpResult } from './amqp-error.ts';
import { isIntegerField, tableLookup, type FieldTable, type FieldValue } from './field-value.ts';

/** The four `x-match` modes RabbitMQ accepts. */
export type XMatch = 'all' | 'any' | 'all-with-x' | 'any-with-x';

/**
 * The binding's mode. Anything but a valid `longstr` means `all`, as `route/3` falls through to
 * `match_all` (invalid values cannot be bound in the first place).
 */
export function xMatchOf(bindingArgs: FieldTable): XMatch {
  const v = tableLookup(bindingArgs, 'x-match');
  if (v?.type === 'longstr' && (v.value === 'any' || v.value === 'any-with-x' || v.value === 'all-with-x')) {
    return v.value;
  }
  return 'all';
}

/** `validate_binding/2`: the 406 texts a learner sees when `x-match` is wrong. */
export function validateHeadersBinding(bindingArgs: FieldTable): AmqpResult<XMatch> {
  const v = tableLookup(bindingArgs, 'x-match');
  if (v === undefined) return ok('all');
  if (v.type !== 'longstr') {
    return fail(
      amqpError(
        'PRECONDITION_FAILED',
        `Invalid x-match field type ${v.type} (value ${erlangFormat(v)}); expected longstr`,
      ),
    );
  }
  if (v.value === 'all' || v.value === 'any' || v.value === 'all-with-x' || v.value === 'any-with-x') {
    return ok(v.value);
  }
  return fail(
    amqpError(
      'PRECONDITION_FAILED',
      `Invalid x-match field value <<"${v.value}">>; expected all, any, all-with-x, or any-with-x`,
    ),
  );
}

/** Does a message with these headers match a headers-exchange binding with these arguments? */
export function headersMatch(bindingArgs: FieldTable, messageHeaders: FieldTable | undefined): boolean {
  const headers = new Map<string, FieldValue>();
  for (const entry of messageHeaders ?? []) headers.set(entry.name, entry.value);
  const mode = xMatchOf(bindingArgs);
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const wantAll = mode === 'all' || mode === 'all-with-x';

  for (const arg of bindingArgs) {
    const skip = withX ? arg.name === 'x-match' : arg.name.startsWith('x-');
    if (skip) continue;
    const matched =
      arg.value.type === 'void' ? headers.has(arg.name) : routingEquals(arg.value, headers.get(arg.name));
    if (wantAll && !matched) return false;
    if (!wantAll && matched) return true;
  }
  return wantAll;
}

/**
 * `maps:get(K, Headers, undefined) =:= V` from 3.13: the binding argument keeps its raw value,
 * the header goes through `routing_value/2` (type tag dropped, timestamps × 1000).
 */
export function routingEquals(bindingArg: FieldValue, header: FieldValue | undefined): boolean {
  if (header === undefined) return false;
  return termKey(bindingArg, 1) === termKey(header, 1000);
}

/**
 * A canonical string for the Erlang term a field value becomes, so `=:=` is string equality.
 * Top-level values lose their type (integers of every width are one class); nested array items
 * and table entries keep it, because RabbitMQ keeps `{Type, Value}` tuples inside lists.
 */
function termKey(v: FieldValue, timestampScale: number): string {
  if (isIntegerField(v)) return `i:${v.value}`;
  switch (v.type) {
    case 'timestamp':
      return `i:${v.value * timestampScale}`;
    case 'float':
      return `f:${Math.fround(v.value)}`;
    case 'double':
      return `f:${v.value}`;
    case 'longstr':
    case 'binary':
      return `b:${JSON.stringify(v.value)}`;
    case 'bool':
      return `a:${v.value ? 'true' : 'false'}`;
    case 'void':
      return 'a:undefined';
    case 'decimal':
      return `t:{i:${v.value.scale},i:${v.value.digits}}`;
    case 'array':
      return `l:[${v.value.map((item) => `t:{a:${item.type},${termKey(item, 1)}}`).join(',')}]`;
    case 'table':
      return `l:[${v.value.map((e) => `t:{b:${JSON.stringify(e.name)},a:${e.value.type},${termKey(e.value, 1)}}`).join(',')}]`;
  }
  return unreachable(v);
}

function unreachable(v: never): never {
  throw new Error(`unknown field value ${JSON.stringify(v)}`);
}

/** Erlang's `~tp` rendering of a few value kinds, only for error texts. */
function erlangFormat(v: FieldValue): string {
  switch (v.type) {
    case 'longstr':
    case 'binary':
      return `<<"${v.value}">>`;
    case 'void':
      return 'undefined';
    case 'array':
    case 'table':
      return '[...]';
    case 'decimal':
      return `{${v.value.scale},${v.value.digits}}`;
    default:
      return String(v.value);
  }
}
