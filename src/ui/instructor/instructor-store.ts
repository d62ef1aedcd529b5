import * as Comlink from 'comlink';
import { useSyncExternalStore } from 'react';
import type { DescribeReply, GradedLabInfo, GradeWorkerApi } from '../../host/grade-browser-worker';
import { checkAssessmentLabs, parseAssessment, type Assessment } from '../../labs/assess/assessment';
import type { AcceptedSubmission } from '../../labs/assess/class-grading';
import { AssessFileError } from '../../labs/assess/file-error';
import type { AssessmentKey } from '../../labs/assess/key';
import type { RejectedFile } from '../../labs/assess/results';
import { APP_VERSION } from '../app-version';
import type { SortOrder } from './gradebook-order';
import { gradeClassWith, type ClassGradeOutcome, type GradeProgress, type LabForGrading } from './grade-class';
import { GradingCancelled, GradingPool, type Grader } from './grading-pool';
import { readKey, readPicked, readSubmissionFiles, type PickedFile } from './instructor-files';

/**
 * The instructor page's state, kept in this module so it outlives the page: "Open run" goes to a
 * lab page and "Back to the gradebook" finds everything as it was. Nothing here is written to
 * storage: the key (its hidden seeds and schedules), the submissions and the grades live in this
 * tab's memory and are gone after a reload, which the page says.
 */

/** A file slot: nothing yet, being checked, loaded, or refused with every problem found. */
export type Slot<T> =
  | { kind: 'empty' }
  | { kind: 'checking'; file: string }
  /** A key picked before its assessment: it is checked once the assessment is loaded. */
  | { kind: 'waiting'; file: string }
  | { kind: 'loaded'; file: string; value: T }
  | { kind: 'rejected'; file: string; error: AssessFileError };

export type GradingState =
  | { kind: 'idle' }
  | { kind: 'grading'; progress: GradeProgress; startedMs: number }
  /** With the inputs they were made from, so "Open run" finds the code and schedule even after the files change. */
  | { kind: 'graded'; outcome: ClassGradeOutcome; inputs: number; seconds: number; assessment: Assessment; key: AssessmentKey; accepted: readonly AcceptedSubmission[] }
  | { kind: 'cancelled'; progress: GradeProgress }
  | { kind: 'failed'; message: string };

export type { SortOrder };

export interface InstructorState {
  assessment: Slot<Assessment>;
  /** The assessment's labs as this build has them. */
  labs: ReadonlyMap<string, GradedLabInfo>;
  key: Slot<AssessmentKey>;
  /** Every submission file given, by name (a file dropped again under the same name replaces it). */
  files: readonly PickedFile[];
  accepted: readonly AcceptedSubmission[];
  rejected: readonly RejectedFile[];
  grading: GradingState;
  /** Bumped whenever an input changes, so grades made from older inputs can say so. */
  inputs: number;
  workers: number;
  sort: SortOrder;
  /** The learner whose details are open. */
  selected?: string;
}

/** Most graders the page will run at once: each holds the engine and QuickJS (tens of MB). */
export const WORKERS_MAX = 8;

export function defaultWorkers(): number {
  const cores = typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(4, cores - 1));
}

let state: InstructorState = {
  assessment: { kind: 'empty' },
  labs: new Map(),
  key: { kind: 'empty' },
  files: [],
  accepted: [],
  rejected: [],
  grading: { kind: 'idle' },
  inputs: 0,
  workers: defaultWorkers(),
  sort: 'total-desc',
};
let keyFile: PickedFile | undefined;
let abort: AbortController | undefined;
const listeners = new Set<() => void>();

function set(patch: Partial<InstructorState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useInstructorState(): InstructorState {
  return useSyncExternalStore(subscribe, () => state);
}

export function instructorState(): InstructorState {
  return state;
}

interface BrowserGrader extends Grader {
  describe(ids: string[]): Promise<DescribeReply>;
}

function spawnGrader(): BrowserGrader {
  const worker = new Worker(new URL('../../host/grade-browser-worker.ts', import.meta.url), { type: 'module', name: 'brokerlab-grader' });
  const api = Comlink.wrap<GradeWorkerApi>(worker);
  // A worker whose script fails to load or throws never answers a call: its error event ends
  // every call instead, so the pool records why rather than waiting for the time limit.
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(e.message || 'the grading worker could not start')), { once: true });
  });
  failed.catch(() => {});
  return {
    describe: (ids) => Promise.race([api.describeLabs(ids), failed]),
    grade: (task, onRun) => Promise.race([api.grade(task, onRun && Comlink.proxy(onRun)), failed]),
    terminate: () => worker.terminate(),
  };
}

/** The labs with these ids, described by a grading worker (their nodes come from building each world once). */
async function describe(ids: string[]): Promise<DescribeReply> {
  const g = spawnGrader();
  try {
    return await g.describe(ids);
  } finally {
    g.terminate();
  }
}

/** Loads the assessment file, checks its labs against this build's, and re-checks a key already given. */
export async function loadAssessment(file: File): Promise<void> {
  set({ assessment: { kind: 'checking', file: file.name }, inputs: state.inputs + 1 });
  const picked = await readPicked(file);
  const fail = (error: AssessFileError): void => set({ assessment: { kind: 'rejected', file: file.name, error }, labs: new Map() });
  if ('unreadable' in picked) return fail(new AssessFileError(file.name, picked.unreadable.kind, [{ path: '', message: picked.unreadable.message }]));
  const parsed = parseAssessment(picked.text, file.name);
  if (!parsed.ok) return fail(parsed.error);
  let described: DescribeReply;
  try {
    described = await describe(parsed.value.labs.map((l) => l.lab));
  } catch (e) {
    return fail(new AssessFileError(file.name, 'unreadable', [{ path: '', message: `its labs could not be loaded: the grading worker did not start (${(e as Error).message})` }]));
  }
  const bad = checkAssessmentLabs(parsed.value, file.name, described.known);
  if (bad) return fail(bad);
  if (described.problems.length) return fail(new AssessFileError(file.name, 'invalid', described.problems.map((message) => ({ path: '', message }))));
  set({ assessment: { kind: 'loaded', file: file.name, value: parsed.value }, labs: new Map(described.labs.map((l) => [l.id, l])) });
  checkKey();
}

/** Takes the key file: checked now if the assessment is loaded, or as soon as it is. Held in memory only. */
export async function loadKey(file: File): Promise<void> {
  keyFile = await readPicked(file);
  set({ inputs: state.inputs + 1 });
  checkKey();
}

function checkKey(): void {
  if (!keyFile) return set({ key: { kind: 'empty' } });
  const a = state.assessment;
  if (a.kind !== 'loaded') return set({ key: { kind: 'waiting', file: keyFile.name } });
  const nodes = new Map([...state.labs].map(([id, l]) => [id, l.nodes]));
  const r = readKey(keyFile, a.value, nodes);
  set({ key: r.ok ? { kind: 'loaded', file: keyFile.name, value: r.value } : { kind: 'rejected', file: keyFile.name, error: r.error } });
}

/** Drops the key from memory. */
export function forgetKey(): void {
  keyFile = undefined;
  set({ key: { kind: 'empty' }, inputs: state.inputs + 1 });
}

/** Adds submission files (a file with the name of one already given replaces it) and re-reads them all. */
export async function addSubmissions(files: readonly File[]): Promise<void> {
  const picked = await Promise.all(files.map(readPicked));
  const byName = new Map(state.files.map((f) => [f.name, f]));
  for (const f of picked) byName.set(f.name, f);
  await setFiles([...byName.values()]);
}

export async function removeSubmission(name: string): Promise<void> {
  await setFiles(state.files.filter((f) => f.name !== name));
}

export async function clearSubmissions(): Promise<void> {
  await setFiles([]);
}

async function setFiles(files: PickedFile[]): Promise<void> {
  const inputs = state.inputs + 1;
  set({ files, inputs });
  const { accepted, rejected } = await readSubmissionFiles(files);
  // A later change has already replaced these files: its own read will land.
  if (state.inputs !== inputs) return;
  set({ accepted, rejected });
}

export function setWorkers(n: number): void {
  set({ workers: Math.max(1, Math.min(WORKERS_MAX, Math.round(n))) });
}

export function setSort(sort: SortOrder): void {
  set({ sort });
}

export function selectLearner(learner: string | undefined): void {
  set({ selected: learner });
}

/** Why grading cannot start yet, in a sentence; undefined when it can. */
export function notReady(s: InstructorState): string | undefined {
  if (s.grading.kind === 'grading') return 'Grading is under way.';
  if (s.assessment.kind !== 'loaded') return 'Load the assessment file first.';
  if (s.key.kind !== 'loaded') return 'Load the key for this assessment.';
  if (s.accepted.length === 0) return 'Add at least one submission that can be graded.';
  return undefined;
}

/** Grades every accepted submission in Web Workers, reporting progress; cancel() stops it. */
export async function grade(): Promise<void> {
  const s = state;
  if (notReady(s) || s.assessment.kind !== 'loaded' || s.key.kind !== 'loaded') return;
  const controller = new AbortController();
  abort = controller;
  const started = performance.now();
  const startedMs = Date.now();
  const labs = s.labs as ReadonlyMap<string, LabForGrading>;
  const input = { assessment: s.assessment.value, key: s.key.value, accepted: s.accepted, rejected: s.rejected, labs, appVersion: APP_VERSION };
  let last: GradeProgress = { learnersDone: 0, learners: s.accepted.length, tasksDone: 0, tasks: 0, current: [] };
  set({ grading: { kind: 'grading', progress: last, startedMs } });
  try {
    const outcome = await gradeClassWith(
      new GradingPool({ workers: s.workers, spawn: spawnGrader }),
      input,
      (p) => {
        last = p;
        if (abort === controller) set({ grading: { kind: 'grading', progress: p, startedMs } });
      },
      controller.signal,
    );
    set({ grading: { kind: 'graded', outcome, inputs: s.inputs, seconds: Math.round((performance.now() - started) / 100) / 10, assessment: input.assessment, key: input.key, accepted: input.accepted } });
  } catch (e) {
    if (e instanceof GradingCancelled) set({ grading: { kind: 'cancelled', progress: last } });
    else set({ grading: { kind: 'failed', message: (e as Error).message } });
  } finally {
    if (abort === controller) abort = undefined;
  }
}

/** Stops grading at once: every worker is terminated and nothing graded so far is kept. */
export function cancel(): void {
  abort?.abort();
}
