/**
 * Assertions are for our own bugs, never for the world's faults: a dropped packet or a learner's
 * exception is an ordinary history entry, while an impossible engine state throws here.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

/** Throws when `condition` is false. One condition per call, so the message names the broken rule. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(`assertion failed: ${message}`);
}
