/**
 * Limits on learner code that files and pages check without the transpiler (a submission's
 * validation runs on the page's main thread, where sucrase is not loaded).
 */

/** Learner files longer than this are refused before transpiling (a limit on everything). */
export const SOURCE_CHARS_MAX = 200_000;
