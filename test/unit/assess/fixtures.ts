import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assessmentToText, buildSubmission, keyToText, submissionToText, type Assessment, type AssessmentKey } from '../../../src/labs/assess';

/** Lab 8 keeps these tests quick: three learner nodes, 3.5 s of simulated time per run. */
export const LAB = 'vector-clocks';
const LAB_DIR = resolve(__dirname, '../../../labs-content/05-causality/08-vector-clocks');
export const STARTER = readFileSync(join(LAB_DIR, 'starter.ts'), 'utf8');
export const SOLUTION = readFileSync(join(LAB_DIR, 'solution.ts'), 'utf8');
export const LOOPING = 'export async function handleRequest() {\n  while (true) {}\n}\n';
/** Within every budget (about 750,000 steps a call), but seconds of work per run: only the wall clock stops it. */
export const SLOW = 'export async function handleRequest() {\n  let x = 0;\n  for (let i = 0; i < 250000; i++) x += i;\n  return { values: [], context: x };\n}\n';

/** A small assessment: lab 8 on one public seed, one hidden seed and one extra fault schedule. */
export const ASSESSMENT: Assessment = {
  format: 'brokerlab-assessment',
  version: 1,
  id: 'test-track',
  title: 'Test track',
  labs: [{ lab: LAB, points: 10, seeds: [3] }],
};

export const HIDDEN_SEED = 271_828_182;

export const KEY: AssessmentKey = {
  format: 'brokerlab-assessment-key',
  version: 1,
  assessment: 'test-track',
  labs: [{ lab: LAB, hiddenSeeds: [HIDDEN_SEED], faultSchedules: [[{ at: 800, kind: 'clockSkew', node: 'eu', offsetMs: 400 }]] }],
};

export function tmp(prefix = 'brokerlab-assess-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes the assessment and key into a fresh folder; returns their paths and a submissions folder. */
export function setup(opts: { key?: AssessmentKey } = {}): { dir: string; assessment: string; key: string; subs: string } {
  const dir = tmp();
  const assessment = join(dir, 'assessment.json');
  const key = join(dir, 'key.json');
  writeFileSync(assessment, assessmentToText(ASSESSMENT));
  writeFileSync(key, keyToText(opts.key ?? KEY));
  const subs = join(dir, 'subs');
  mkdirSync(subs);
  return { dir, assessment, key, subs };
}

/** Writes a learner's submission file (as the page or `brokerlab submit` would) and returns its path. */
export async function submit(folder: string, learner: string, code: string, file = `${learner.toLowerCase().replace(/\W+/g, '-')}.json`): Promise<string> {
  const s = await buildSubmission({ learner, appVersion: appVersionForTests(), labs: [{ lab: LAB, code }] });
  const path = join(folder, file);
  writeFileSync(path, submissionToText(s));
  return path;
}

export function appVersionForTests(): string {
  return (JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;
}
