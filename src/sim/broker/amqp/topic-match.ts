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
 * would reach anyway, so a plain word-by-word matcher is equivalent. We memoise on
 * (binding index, routing index) so a key full of `#` stays polynomial.
 */

/** `split_topic_key/1`: zero words for the empty key, otherwise split on every dot. */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

/** Does `bindingKey` (with `*` and `#`) match `routingKey`? */
export function topicMatches(bindingKey: string, routingKey: string): boolean {
  const pattern = splitTopicKey(bindingKey);
  const words = splitTopicKey(routingKey);
  // memo[i][j]: does pattern[i..] match words[j..]? 0 = unknown, 1 = yes, 2 = no.
  const memo: Uint8Array[] = pattern.map(() => new Uint8Array(words.length + 1));

  const match = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === words.length;
    const row = memo[i] as Uint8Array;
    const known = row[j];
    if (known !== 0) return known === 1;
    const word = pattern[i] as string;
    let result: boolean;
    if (word === '#') {
      // trie_match_skip_any: try consuming 0, 1, … of the remaining words.
      result = false;
      for (let k = j; k <= words.length && !result; k++) result = match(i + 1, k);
    } else if (word === '*') {
      result = j < words.length && match(i + 1, j + 1);
    } else {
      result = j < words.length && words[j] === word && match(i + 1, j + 1);
    }
    row[j] = result ? 1 : 2;
    return result;
  };

  return match(0, 0);
}
