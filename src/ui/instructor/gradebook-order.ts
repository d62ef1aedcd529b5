import type { LearnerResult } from '../../labs/assess/results';

/** Learners by name (the CSV's order), or by total, highest or lowest first. */
export type SortOrder = 'name' | 'total-desc' | 'total-asc';

/**
 * The gradebook's rows in the chosen order. Learners arrive in name order (the CSV's); sorting by
 * total keeps that order among equal totals, so the table never reshuffles ties between renders.
 */
export function sortLearners(learners: readonly LearnerResult[], order: SortOrder): LearnerResult[] {
  const rows = [...learners];
  if (order === 'total-desc') rows.sort((a, b) => b.total - a.total);
  else if (order === 'total-asc') rows.sort((a, b) => a.total - b.total);
  return rows;
}
