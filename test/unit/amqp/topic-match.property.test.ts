/**
 * The topic matcher is a table over (pattern word, routing word) filled from the last word back.
 * Checked against the definition it replaced: the memoised recursion that tries, at every pattern
 * word, the literal word, `*` (exactly one word) and `#` (zero or more), as RabbitMQ's trie does.
 * Words come from a tiny alphabet with empty words, so `*`, `#`, `a..b` and `.` all occur often.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTopicKey, topicMatches } from '../../../src/sim/broker/amqp/index.ts';

function referenceMatches(bindingKey: string, routingKey: string): boolean {
  const pattern = splitTopicKey(bindingKey);
  const words = splitTopicKey(routingKey);
  const memo = new Map<string, boolean>();
  const match = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === words.length;
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const word = pattern[i]!;
    let result = false;
    if (word === '#') for (let k = j; k <= words.length && !result; k++) result = match(i + 1, k);
    else result = j < words.length && (word === '*' || words[j] === word) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}

const word = fc.constantFrom('', 'a', 'b', 'ab');
const patternWord = fc.oneof(word, fc.constantFrom('*', '#'));
const key = (w: fc.Arbitrary<string>) => fc.array(w, { maxLength: 6 }).map((ws) => ws.join('.'));

describe('topicMatches (properties; fast-check prints the seed of any failure)', () => {
  it('agrees with the recursive definition for any binding key and routing key', () => {
    fc.assert(
      fc.property(key(patternWord), fc.oneof(key(word), key(patternWord)), (bindingKey, routingKey) => {
        expect(topicMatches(bindingKey, routingKey)).toBe(referenceMatches(bindingKey, routingKey));
      }),
      { numRuns: 3000 },
    );
  });
});
