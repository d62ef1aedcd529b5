/**
 * Returns `s` after reading one of its characters, which makes V8 flatten it once, here. V8 keeps
 * a string built by concatenation (a routing key such as `orders.${region}`, and what
 * `JSON.stringify` returns) as a tree of parts until something reads its characters: kept, such a
 * string holds its parts too, and compared or looked up, it takes a slow path each time.
 * Measured: a JSON entry's text kept flat takes 49 bytes an entry in the history instead of 64,
 * and a routing key flattened at the publish saves amqp-e2e 500 instructions a message.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}
