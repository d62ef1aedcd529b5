import type { Evidence } from '../checkers/types';
import type { Assessment, AssessmentLab } from './assessment';
import type { FileProblemKind } from './file-error';
import type { LabOutcome, LearnerIssue, ZeroReason } from './grade-lab';
import { addPoints, formatPoints, scalePoints } from './points';

/** A check's grade in assessment points. */
export interface CheckResult {
  id: string;
  title: string;
  points: number;
  earned: number;
  passedRuns: number;
  runs: number;
  /** The first run it failed in. `hidden`: a hidden seed or a key's schedule, which learners are not shown. */
  firstFailure?: { seed: number; schedule: number; hidden: boolean; summary: string; evidence: Evidence[] };
}

/** A lab's grade in assessment points, with everything the report and results.json show. */
export interface LabResult {
  lab: string;
  title: string;
  points: number;
  earned: number;
  checks: CheckResult[];
  runs: number;
  runsPlanned: number;
  /** Every run with its seed, schedule and historyHash, so an instructor can audit or rerun any of them. */
  runLog: LabOutcome['runs'];
  stopped?: LabOutcome['stopped'];
  zero?: ZeroReason;
  issues: LearnerIssue[];
}

export interface LearnerResult {
  learner: string;
  /** The submission file, as it was named on the command line. */
  file: string;
  /** A folder name for this learner's outputs: their name made safe, unique in the class. */
  slug: string;
  appVersion: string;
  total: number;
  max: number;
  labs: LabResult[];
  /** Things the instructor should know that do not change the score. */
  notes: string[];
}

export interface RejectedFile {
  file: string;
  kind: FileProblemKind;
  message: string;
}

/** A whole class graded: learners sorted by name, rejected files sorted by path. */
export interface ClassResults {
  assessment: { id: string; title: string; labs: { lab: string; title: string; points: number; checks: { id: string; title: string; points: number }[] }[] };
  learners: LearnerResult[];
  rejected: RejectedFile[];
}

/** What the gradebook needs of a lab besides the outcome. */
export interface LabMeta {
  title: string;
  checks: { id: string; title: string; points: number }[];
}

/** A lab outcome in assessment points: the lab's check points scaled to what the assessment gives the lab. */
export function labResult(outcome: LabOutcome, a: AssessmentLab, meta: LabMeta): LabResult {
  const scaled = scalePoints(
    outcome.checks.map((c) => c.points),
    a.points,
  );
  const publicSeeds = new Set(a.seeds);
  const checks: CheckResult[] = outcome.checks.map((c, i) => {
    const r: CheckResult = { id: c.id, title: c.title, points: scaled[i]!, earned: c.earned > 0 ? scaled[i]! : 0, passedRuns: c.passedRuns, runs: c.runs };
    if (c.firstFailure) r.firstFailure = { ...c.firstFailure, hidden: c.firstFailure.schedule >= 0 || !publicSeeds.has(c.firstFailure.seed) };
    return r;
  });
  const out: LabResult = {
    lab: outcome.lab,
    title: meta.title,
    points: a.points,
    earned: addPoints(...checks.map((c) => c.earned)),
    checks,
    runs: outcome.runs.length,
    runsPlanned: outcome.runsPlanned,
    runLog: outcome.runs,
    issues: outcome.issues,
  };
  if (outcome.stopped) out.stopped = outcome.stopped;
  if (outcome.zero) out.zero = outcome.zero;
  return out;
}

/** Folder names for learners: letters, digits, `-`, `_` and `.`, lower case, unique (`-2`, `-3` on a clash), in name order. */
export function learnerSlugs(names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>(['faults']);
  for (const name of [...names].sort(compareNames)) {
    if (out.has(name)) continue;
    let base = name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60);
    if (base === '') base = 'learner';
    let slug = base;
    for (let k = 2; used.has(slug); k++) slug = `${base}-${k}`;
    used.add(slug);
    out.set(name, slug);
  }
  return out;
}

/** Orders text by UTF-16 code units, the same on every machine (localeCompare depends on the locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Orders names as a reader expects without depending on the machine's locale: accents and case
 * set aside first ("Émile" between "Dana" and "Farah"), then code units, so no two names tie.
 */
export function compareNames(a: string, b: string): number {
  return compareText(foldName(a), foldName(b)) || compareText(a, b);
}

function foldName(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** One sentence on why a lab scored 0 regardless of its checks; hidden seeds stay unnamed when `forLearner`. */
export function zeroReasonText(z: ZeroReason, forLearner: boolean, publicSeeds: readonly number[]): string {
  switch (z.kind) {
    case 'not-submitted':
      return 'not submitted: the submission has no code for this lab';
    case 'does-not-compile':
      return `the code does not compile, so it was not run: ${z.text}`;
    case 'grader-limit':
      return z.text;
    case 'learner-limit':
      return `scored 0 because the code ${describeLimit(z.issue)} (${runName(z.issue.seed, z.issue.schedule, forLearner, publicSeeds)}): ${z.issue.text}`;
  }
}

function describeLimit(i: LearnerIssue): string {
  if (i.kind === 'load') return 'did not load';
  if (i.kind === 'fatal') return 'had to be stopped';
  return 'ran past a budget';
}

/** "seed 3", "seed 3 under fault schedule 0", or for a learner "a hidden seed". */
export function runName(seed: number, schedule: number, forLearner: boolean, publicSeeds: readonly number[]): string {
  const hidden = schedule >= 0 || !publicSeeds.includes(seed);
  if (forLearner && hidden) return schedule >= 0 ? 'a hidden seed under an extra fault schedule' : 'a hidden seed';
  return `seed ${seed}${schedule >= 0 ? ` under fault schedule ${schedule}` : ''}`;
}

/** `85.5/100` */
export function scoreText(earned: number, max: number): string {
  return `${formatPoints(earned)}/${formatPoints(max)}`;
}

export function assessmentSummary(a: Assessment, metas: ReadonlyMap<string, LabMeta>): ClassResults['assessment'] {
  return {
    id: a.id,
    title: a.title,
    labs: a.labs.map((l) => {
      const m = metas.get(l.lab)!;
      const scaled = scalePoints(
        m.checks.map((c) => c.points),
        l.points,
      );
      return { lab: l.lab, title: m.title, points: l.points, checks: m.checks.map((c, i) => ({ id: c.id, title: c.title, points: scaled[i]! })) };
    }),
  };
}
