import { describe, expect, it } from 'vitest';
import { HOSTILE_CASES, runHostileSuite } from '../../../src/labs/sandbox/hostile-suite';

/**
 * The issue's list of hostile snippets, each contained with its own clear error and the next run
 * unaffected. The same suite runs in the Chromium worker; its results must match these.
 */
const ISSUE_LIST = [
  'infinite-loop', // while(true){}
  'unbounded-recursion',
  'allocation-toward-1GB',
  'fetch',
  'prototype-escapes', // constructor/prototype escapes toward the host's global
  'function-return-this', // Function('return this')()
  'overwrite-math-random',
  'read-date',
  'throw-non-error',
  'return-cyclic',
  'console-flood',
  'unhandled-rejection',
  'syntax-error',
];

describe('hostile learner code is contained', () => {
  it('covers every snippet the issue lists', () => {
    const names = HOSTILE_CASES.map((c) => c.name);
    for (const n of ISSUE_LIST) expect(names).toContain(n);
  });

  it('every case gets its own clear error, and the next run is unaffected', async () => {
    const results = await runHostileSuite();
    const failed = results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.observed}`);
    expect(failed).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([...HOSTILE_CASES.map((c) => c.name), 'next-run-unaffected']);
    // Errors point at the attack's own line.
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName['infinite-loop']!.line).toBe(4);
    expect(byName['syntax-error']!.observed).toBe('handler.ts:5:11 SyntaxError: Unexpected token');
  });

  it('gives the same results, history hashes included, every time', async () => {
    const only = ['infinite-loop', 'allocation-toward-1GB', 'console-flood', 'unhandled-rejection'];
    const a = await runHostileSuite({ only });
    const b = await runHostileSuite({ only });
    expect(b).toEqual(a);
  });
});
