/**
 * Topic exchange matching, with the semantics of RabbitMQ 3.13's topic trie
 * (`rabbit_db_topic_exchange:trie_match/5`).
 *
 * - Keys are split on every `.`; the empty key has *zero* words, while `a..b` has three words, the
 *   middle one empty, and `.a` / `a.` have an empty first / last word
 *   (`split_topic_key/1`: `<<>>` → `[]`).
 * - `*` matches exactly one word, and an empty word is a word: `a.*.b` matches `a..b`, and the
 *   routing key `.` (two empty words) is matched by `*.*` but not by `*`.
 * - `#` matches zero or more words, so `#`, `#.#` and `#.#.#` match the empty routing key, and
 *   `a.#` matches `a`. `*` never matches the empty routing key (it needs one word).
 * - Binding key `""` (zero words) matches only routing key `""`.
 *
 * The trie walks binding words against routing words trying the literal word, `*` and `#` at
 * every node; a routing word that is literally `*` or `#` can only reach bindings those wildcards
 * would reach anyway, so a plain word-by-word matcher is equivalent. Matching is a table over
 * (binding index, routing index), so a key full of `#` stays polynomial.
 */

/** `split_topic_key/1`: zero words for the empty key, otherwise split on every dot. */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/**
 * Does `bindingKey` (with `*` and `#`) match `routingKey`? Dynamic programming over pattern
 * suffixes, from the last word back: `next[j]` says whether the words after pattern word `i`
 * match routing words `j…`. Two reused rows and no closures, because a topic exchange runs this
 * for every binding on every routing key it has not seen before.
 */
export function topicMatches(bindingKey: string, routingKey: string): boolean {
  const pattern = splitTopicKey(bindingKey);
  const words = splitTopicKey(routingKey);
  const n = words.length;
  // The empty pattern matches only the empty key.
  let next = new Uint8Array(n + 1);
  let row = new Uint8Array(n + 1);
  next[n] = 1;
  for (let i = pattern.length - 1; i >= 0; i--) {
    const word = pattern[i] as string;
    if (word === '#') {
      // trie_match_skip_any: zero words (next[j]) or one more word (row[j + 1]).
      row[n] = next[n]!;
      for (let j = n - 1; j >= 0; j--) row[j] = next[j]! | row[j + 1]!;
    } else {
      row[n] = 0;
      for (let j = 0; j < n; j++) row[j] = next[j + 1]! & (word === '*' || words[j] === word ? 1 : 0);
    }
    const done = next;
    next = row;
    row = done;
  }
  return next[0] === 1;
}
