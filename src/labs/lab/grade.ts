import type { Evidence } from '../checkers/types';
import type { LearnerProgram } from '../sandbox/program';
import { releaseRun, runLab, type LabRunResult } from './run';
import type { LoadedLab } from './spec';

/** A check's grade over every run: its points are earned only when it passed in all of them. */
export interface CheckGrade {
  id: string;
  title: string;
  points: number;
  earned: number;
  passedRuns: number;
  runs: number;
  /** The first run it failed in, with the evidence and the command that reproduces it. */
  firstFailure?: { seed: number; schedule: number; summary: string; evidence: Evidence[] };
}

export interface LabGrade {
  lab: string;
  score: number;
  maxScore: number;
  checks: CheckGrade[];
  /** One line per run: seed, schedule index (-1 for the lab's own faults only), hash, score. */
  runs: { seed: number; schedule: number; historyHash: string; score: number; outcome: string }[];
}

/**
 * Grades a program on a lab: every seed, under the lab's own faults and then under each extra
 * fault schedule (an assessment key's). Deterministic: the same inputs give the same grade.
 */
export function grade(lab: LoadedLab, program: LearnerProgram, seeds: readonly number[], extraFaultSchedules: readonly unknown[] = []): LabGrade {
  const schedules: { index: number; faults: unknown }[] = [{ index: -1, faults: undefined }, ...extraFaultSchedules.map((f, i) => ({ index: i, faults: f }))];
  const checks: CheckGrade[] = lab.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points, earned: 0, passedRuns: 0, runs: 0 }));
  const runs: LabGrade['runs'] = [];
  for (const s of schedules) {
    for (const seed of seeds) {
      const { result, world } = runLab(lab, program, { seed, faults: s.faults, faultsSource: s.index < 0 ? undefined : `fault schedule ${s.index}` });
      releaseRun(world);
      runs.push({ seed, schedule: s.index, historyHash: result.historyHash, score: result.score, outcome: result.outcome });
      tally(checks, result, s.index);
    }
  }
  for (const c of checks) c.earned = c.passedRuns === c.runs ? c.points : 0;
  return { lab: lab.spec.id, score: checks.reduce((a, c) => a + c.earned, 0), maxScore: checks.reduce((a, c) => a + c.points, 0), checks, runs };
}

function tally(checks: CheckGrade[], result: LabRunResult, schedule: number): void {
  result.checks.forEach((r, i) => {
    const c = checks[i]!;
    c.runs++;
    if (r.passed) c.passedRuns++;
    else c.firstFailure ??= { seed: result.seed, schedule, summary: r.summary, evidence: r.evidence };
  });
}
