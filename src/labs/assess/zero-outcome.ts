import type { LabOutcome, ZeroReason } from './grade-lab';

/** What a zero outcome needs of a lab: its id and checks (a loaded lab has them; so does the page's lab listing). */
export interface ZeroLab {
  spec: { id: string; checks: readonly { id: string; title: string; points: number }[] };
}

/** A lab outcome for code that never ran: not submitted, did not compile, or stopped by the grader. */
export function zeroOutcome(lab: ZeroLab, seeds: readonly number[], schedules: number, zero: ZeroReason): LabOutcome {
  const checks = lab.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points, earned: 0, passedRuns: 0, runs: 0 }));
  return { lab: lab.spec.id, score: 0, maxScore: checks.reduce((a, c) => a + c.points, 0), checks, runs: [], runsPlanned: (1 + schedules) * seeds.length, zero, issues: [] };
}
