/**
 * Grading in Node: reads an assessment, its key and a class's submission files, re-runs every
 * submission's code under the key in a pool of worker threads (one per core by default), and
 * writes the gradebook (grades.csv), one Gradescope results.json per learner and the class report.
 * Also builds keys (`brokerlab key new`) and submissions (`brokerlab submit`).
 *
 * What is deterministic: every score. Tasks are graded independently, results are collected by
 * task and ordered by learner name and lab, so how the workers were scheduled never shows. The
 * only machine-dependent outcome is the last-resort wall-clock and heap limits; a lab they stop is
 * flagged (and the command exits 1) so an instructor can regrade it with larger limits.
 */
import { getRandomValues } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  AssessFileError,
  buildSubmission,
  classResults,
  compareText,
  defaultTimeLimitMs,
  FORMAT_VERSION,
  gradescopeResults,
  gradesCsv,
  gradesJson,
  graderBugText,
  KEY_FORMAT,
  keyToText,
  labNodes,
  learnerResult as sharedLearnerResult,
  longestFirst,
  onePerLearner,
  parseAssessment,
  parseKey,
  checkKeyAgainst,
  parseSubmission,
  planClass,
  rejectedGradescopeResults,
  reportHtml,
  sortForGrading,
  submissionToText,
  taskRuns,
  timeLimitText,
  type Assessment,
  type AssessmentKey,
  type ClassResults,
  type LabMeta,
  type LearnerResult,
  type RejectedFile,
  type Submission,
  type TaskOutcome,
} from '../labs/assess';
import { validateLab, type LoadedLab } from '../labs/lab';
import { loadQuickJS, prepareLearnerProgram } from '../labs/sandbox';
import { faultToJson } from '../sim/network/faults';
import { nemesis } from '../sim/network/nemesis';
import { Rng } from '../sim/rng';
import { InputError } from './input-error';
import { labDirs, LABS_ROOT } from './labs-node';
import type { GradeTask, VerifyRun, WorkerInit, WorkerReply, WorkerTask } from './grade-worker';

const PROJECT_ROOT = resolve(LABS_ROOT, '..');
const WORKER_URL = new URL('./grade-worker.ts', import.meta.url).href;

/** The Brokerlab version (package.json), written into submissions and compared when grading. */
export function appVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}
let cachedVersion: string | undefined;

// ---------------------------------------------------------------------------------------------
// Files a person names

/** Reads a file named on the command line; a missing or unreadable file is bad input (exit 2). */
function readText(path: string, what: string): string {
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${path}: is a folder; ${what} is a file`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

export function readAssessmentFile(path: string): Assessment {
  const r = parseAssessment(readText(path, 'the assessment file'), path);
  if (!r.ok) throw new InputError(r.error.message);
  return r.value;
}

/**
 * Loads the labs with these ids (and validates just those): one unfinished lab elsewhere in
 * labs-content must not stop a course from grading the labs it assigned.
 */
export async function loadLabsFor(ids: readonly string[]): Promise<Map<string, LoadedLab>> {
  const want = new Set(ids);
  const found = new Map<string, LoadedLab>();
  const problems: string[] = [];
  const known: string[] = [];
  for (const abs of labDirs()) {
    const dir = relative(PROJECT_ROOT, abs);
    let spec: unknown;
    try {
      spec = ((await import(pathToFileURL(join(abs, 'lab.ts')).href)) as { default?: unknown }).default;
    } catch (e) {
      problems.push(`${dir}/lab.ts: does not load: ${(e as Error).message}`);
      continue;
    }
    const id = (spec as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') continue;
    known.push(id);
    if (!want.has(id) || found.has(id)) continue;
    const read = (f: string): string | undefined => (existsSync(join(abs, f)) ? readFileSync(join(abs, f), 'utf8') : undefined);
    const files = { readme: read('README.md'), starter: read('starter.ts'), solution: read('solution.ts') };
    const v = validateLab(dir, spec, files);
    if (v.problems.length) {
      problems.push(...v.problems.map((p) => `${p.file}${p.field ? `: ${p.field}` : ''}: ${p.message}`));
      continue;
    }
    found.set(id, { spec: spec as LoadedLab['spec'], dir, readme: files.readme!, starter: files.starter!, solution: files.solution! });
  }
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    const unknown = missing.filter((id) => !known.includes(id));
    const lines = unknown.map((id) => `unknown lab "${id}"; the labs are: ${known.join(', ') || '(none)'}`);
    if (unknown.length < missing.length || (unknown.length && problems.length)) lines.push(`${missing.length > unknown.length ? 'the lab does not load' : 'labs that do not load'}:`, ...problems);
    throw new InputError(lines.join('\n'));
  }
  return found;
}

/** The assessment, its labs, and each lab's node names (from building its world once). */
async function assessmentWithLabs(path: string): Promise<{ assessment: Assessment; labs: Map<string, LoadedLab>; nodes: Map<string, { all: string[]; learner: string[] }> }> {
  const assessment = readAssessmentFile(path);
  let labs: Map<string, LoadedLab>;
  try {
    labs = await loadLabsFor(assessment.labs.map((l) => l.lab));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
  await loadQuickJS();
  const nodes = new Map<string, { all: string[]; learner: string[] }>();
  for (const [id, lab] of labs) {
    const p = prepareLearnerProgram(lab.starter, { filename: 'starter.ts' });
    if (!p.ok) throw new InputError(`${lab.dir}/starter.ts does not compile, so the lab's nodes cannot be listed: ${p.problem.text}`);
    nodes.set(id, labNodes(lab, p.program));
  }
  return { assessment, labs, nodes };
}

function readKeyFile(path: string, assessment: Assessment, nodes: Map<string, { all: string[] }>): AssessmentKey {
  const r = parseKey(readText(path, 'the key'), path);
  if (!r.ok) throw new InputError(r.error.message);
  const bad = checkKeyAgainst(r.value, path, assessment, new Map([...nodes].map(([k, v]) => [k, v.all])));
  if (bad) throw new InputError(bad.message);
  return r.value;
}

/**
 * The submission files among the paths: files as given, folders searched (recursively, in name
 * order, skipping hidden entries and `skip`) for `.json` files. A path that does not exist, or a
 * folder without a single .json file, is bad input.
 */
export function collectSubmissionFiles(inputs: readonly string[], skip?: string): string[] {
  if (inputs.length === 0) throw new InputError('name at least one submission file or folder');
  const out: string[] = [];
  const seen = new Set<string>();
  const skipAbs = skip === undefined ? undefined : resolve(skip);
  const add = (p: string): void => {
    const abs = resolve(p);
    if (!seen.has(abs)) {
      seen.add(abs);
      out.push(p);
    }
  };
  const walk = (dir: string): number => {
    let n = 0;
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareText(a.name, b.name));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (skipAbs !== undefined && (resolve(p) === skipAbs || resolve(p).startsWith(skipAbs + sep))) continue;
      if (e.isDirectory()) n += walk(p);
      else if (e.isFile() && e.name.toLowerCase().endsWith('.json')) {
        add(p);
        n++;
      }
    }
    return n;
  };
  for (const p of inputs) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new InputError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      if (walk(p) === 0) throw new InputError(`${p}: no .json submission files in this folder`);
    } else add(p);
  }
  return out;
}

/** Reads every submission; a bad file is rejected with its reason, never fatal to the batch. */
export async function readSubmissions(files: readonly string[]): Promise<{ accepted: { file: string; submission: Submission }[]; rejected: RejectedFile[] }> {
  const accepted: { file: string; submission: Submission }[] = [];
  const rejected: RejectedFile[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      rejected.push({ file, kind: 'unreadable', message: `${file}: cannot be read: ${(e as Error).message}` });
      continue;
    }
    const r = await parseSubmission(text, file);
    if (r.ok) accepted.push({ file, submission: r.value });
    else rejected.push({ file, kind: r.error.kind, message: r.error.message });
  }
  // One submission per learner: the first file (in the order given) is graded, later ones rejected.
  const { kept, rejected: duplicates } = onePerLearner(accepted);
  return { accepted: kept, rejected: [...rejected, ...duplicates] };
}

// ---------------------------------------------------------------------------------------------
// The worker pool

export interface PoolOptions {
  workers: number;
  /** Heap (V8 old generation) each worker may use, in MB; past it the worker is stopped. */
  memoryLimitMb: number;
  /** Wall-clock limit for one task, in ms. */
  timeLimitMs: (task: WorkerTask) => number;
}

/** A task's result: the worker's answer, or why the grader had to stop it. */
export type TaskResult = { ok: true; reply: Extract<WorkerReply, { type: 'graded' | 'verified' }> } | { ok: false; text: string; bug: boolean };

const BOOT = `const { workerData, parentPort } = require('node:worker_threads');
import(workerData.tsx).then(({ register }) => { register(); return import(workerData.entry); })
  .catch((e) => parentPort.postMessage({ type: 'boot-failed', message: String((e && e.stack) || e) }));`;

/**
 * Worker threads that grade tasks. Each worker runs one task at a time; a worker that overruns
 * the time limit is terminated, and one that runs out of heap dies on its own; either way the
 * task is recorded with the reason and a fresh worker takes the next task, so the batch goes on.
 */
export class GradingPool {
  private readonly idle: Worker[] = [];
  private readonly tsxUrl = import.meta.resolve('tsx/esm/api');

  constructor(
    private readonly init: WorkerInit,
    private readonly opts: PoolOptions,
  ) {}

  async run(tasks: readonly WorkerTask[], onResult?: (task: WorkerTask, r: TaskResult) => void): Promise<Map<number, TaskResult>> {
    const results = new Map<number, TaskResult>();
    let next = 0;
    const slot = async (): Promise<void> => {
      let worker = this.idle.pop();
      while (next < tasks.length) {
        const task = tasks[next++]!;
        worker ??= await this.spawn();
        const { result, lost } = await this.runTask(worker, task);
        if (lost) {
          void worker.terminate();
          worker = undefined;
        }
        results.set(task.id, result);
        onResult?.(task, result);
      }
      if (worker) this.idle.push(worker);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.workers, tasks.length)) }, slot));
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  private spawn(): Promise<Worker> {
    const w = new Worker(BOOT, {
      eval: true,
      workerData: { ...this.init, tsx: this.tsxUrl, entry: WORKER_URL },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryLimitMb },
      stdout: true,
    });
    // Nothing a worker prints may reach stdout, which --json keeps for its one object.
    w.stdout.on('data', (d: Buffer) => process.stderr.write(d));
    return new Promise((resolveReady, reject) => {
      const done = (): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (m: WorkerReply): void => {
        if (m.type === 'ready') {
          done();
          resolveReady(w);
        } else if (m.type === 'boot-failed') {
          done();
          void w.terminate();
          reject(new Error(`a grading worker could not start: ${m.message}`));
        }
      };
      const onError = (e: Error): void => {
        done();
        reject(new Error(`a grading worker could not start: ${e.message}`));
      };
      const onExit = (code: number): void => {
        done();
        reject(new Error(`a grading worker exited while starting (exit code ${code})`));
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
    });
  }

  private runTask(w: Worker, task: WorkerTask): Promise<{ result: TaskResult; lost: boolean }> {
    const limitMs = this.opts.timeLimitMs(task);
    return new Promise((resolveTask) => {
      let settled = false;
      const finish = (result: TaskResult, lost: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolveTask({ result, lost });
      };
      const onMessage = (m: WorkerReply): void => {
        // A fatal failure (QuickJS trapped) leaves the worker without a usable module: replace it.
        if (m.type === 'failed' && m.id === task.id) finish({ ok: false, text: graderBugText(m.message), bug: true }, m.fatal === true);
        else if ((m.type === 'graded' || m.type === 'verified') && m.id === task.id) finish({ ok: true, reply: m }, false);
      };
      const onError = (e: Error & { code?: string }): void => {
        const text =
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `scored 0: grading it exceeded the grader's memory limit (${this.opts.memoryLimitMb} MB of heap), so the grader stopped it`
            : `scored 0: the grading worker failed (${e.message})`;
        finish({ ok: false, text, bug: e.code !== 'ERR_WORKER_OUT_OF_MEMORY' }, true);
      };
      const onExit = (code: number): void => finish({ ok: false, text: `scored 0: the grading worker stopped unexpectedly (exit code ${code})`, bug: true }, true);
      const timer = setTimeout(() => {
        finish({ ok: false, text: timeLimitText(limitMs), bug: false }, true);
      }, limitMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(task);
    });
  }
}

/** Worker count: one per core unless told, never more than there are tasks. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

export { defaultTimeLimitMs };

// ---------------------------------------------------------------------------------------------
// Grading a class

export interface GradeOptions {
  assessmentFile: string;
  keyFile: string;
  /** Submission files and folders. */
  inputs: string[];
  /** Where the outputs go; undefined writes nothing (the bench). */
  outDir?: string;
  workers?: number;
  /** Wall-clock seconds per submission per lab; default defaultTimeLimitMs. */
  timeLimitS?: number;
  memoryLimitMb?: number;
  /** Stop a lab's runs once every check has failed (default true). */
  earlyStop?: boolean;
  onProgress?: (p: GradeProgress) => void;
}

export type GradeProgress =
  | { kind: 'start'; learners: number; tasks: number; rejected: number; workers: number }
  | { kind: 'task'; done: number; total: number }
  | { kind: 'learner'; learner: string; total: number; max: number; done: number; of: number };

export interface GradeOutcome {
  results: ClassResults;
  /** Labs the grader's own limits stopped (or that hit a grader bug): worth a second look. */
  graderLimited: { learner: string; lab: string; text: string }[];
  /** Files written, relative to the output folder. */
  written: string[];
  tasks: number;
  wallMs: number;
}

export const DEFAULT_MEMORY_LIMIT_MB = 1024;

export async function gradeClass(opts: GradeOptions): Promise<GradeOutcome> {
  const started = performance.now();
  const { assessment, labs, nodes } = await assessmentWithLabs(opts.assessmentFile);
  const key = readKeyFile(opts.keyFile, assessment, nodes);
  const files = collectSubmissionFiles(opts.inputs, opts.outDir);
  const { accepted, rejected } = await readSubmissions(files);
  sortForGrading(accepted, rejected);

  // One task per distinct (lab, code): the same code gives the same grade, so it runs once.
  const planned = planClass(assessment, key, accepted, opts.earlyStop ?? true);
  const tasks: WorkerTask[] = planned.tasks.map((t) => ({ type: 'grade', ...t }));
  const plan = planned.taskOf;
  const learnersOfTask = planned.learnersOf;
  const workers = Math.max(1, opts.workers ?? defaultWorkers());
  opts.onProgress?.({ kind: 'start', learners: accepted.length, tasks: tasks.length, rejected: rejected.length, workers });

  const metas = new Map<string, LabMeta>([...labs].map(([id, l]) => [id, { title: l.spec.title, checks: l.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points })) }]));
  const learnerResult = (li: number, results: ReadonlyMap<number, TaskResult>): { result: LearnerResult; limited: { lab: string; text: string }[] } => {
    const outcomes = new Map<number, TaskOutcome>();
    for (const id of plan[li]!) {
      const r = id === undefined ? undefined : results.get(id);
      if (id === undefined || !r) continue;
      outcomes.set(id, r.ok ? (r.reply.type === 'graded' ? { ok: true, outcome: r.reply.outcome } : { ok: false, text: 'the grader got no grade for this lab' }) : { ok: false, text: r.text });
    }
    return sharedLearnerResult({ assessment, key, entry: accepted[li]!, taskIds: plan[li]!, results: outcomes, metas, appVersion: appVersion() });
  };

  const pending = accepted.map((_, li) => plan[li]!.filter((id) => id !== undefined).length);
  let tasksDone = 0;
  let learnersDone = 0;
  let results = new Map<number, TaskResult>();
  const reportLearner = (li: number): void => {
    learnersDone++;
    const r = learnerResult(li, results).result;
    opts.onProgress?.({ kind: 'learner', learner: r.learner, total: r.total, max: r.max, done: learnersDone, of: accepted.length });
  };
  for (let li = 0; li < accepted.length; li++) if (pending[li] === 0) reportLearner(li);
  if (tasks.length > 0) {
    const runsOf = (t: WorkerTask): number => (t.type === 'grade' ? taskRuns(t) : t.runs.length);
    const pool = new GradingPool(
      { labs: [...labs.values()].map((l) => ({ id: l.spec.id, dir: l.dir, absDir: join(PROJECT_ROOT, l.dir) })) },
      {
        workers,
        memoryLimitMb: opts.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
        timeLimitMs: (t) => (opts.timeLimitS !== undefined ? opts.timeLimitS * 1000 : defaultTimeLimitMs(runsOf(t))),
      },
    );
    const order = longestFirst(tasks as GradeTask[], (lab) => labs.get(lab)!.spec.chaosMs + labs.get(lab)!.spec.healMs);
    try {
      results = await pool.run(order, (task, r) => {
        results.set(task.id, r);
        tasksDone++;
        for (const li of learnersOfTask.get(task.id) ?? []) if (--pending[li]! === 0) reportLearner(li);
        opts.onProgress?.({ kind: 'task', done: tasksDone, total: tasks.length });
      });
    } finally {
      await pool.close();
    }
  }

  const graderLimited: GradeOutcome['graderLimited'] = [];
  const learners = accepted.map((_, li) => {
    const { result, limited } = learnerResult(li, results);
    for (const l of limited) graderLimited.push({ learner: result.learner, lab: l.lab, text: l.text });
    return result;
  });
  const graded: ClassResults = classResults(assessment, metas, learners, rejected);
  const written = opts.outDir === undefined ? [] : writeOutputs(opts.outDir, graded, assessment, key, accepted);
  return { results: graded, graderLimited, written, tasks: tasks.length, wallMs: performance.now() - started };
}

function writeOutputs(outDir: string, results: ClassResults, assessment: Assessment, key: AssessmentKey, accepted: { file: string; submission: Submission }[]): string[] {
  const written: string[] = [];
  const put = (rel: string, text: string): void => {
    const abs = join(outDir, rel);
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, text);
    written.push(rel);
  };
  const publicSeeds = new Map(assessment.labs.map((l) => [l.lab, l.seeds]));
  put('grades.csv', gradesCsv(results));
  put('grades.json', gradesJson(results));
  const byLearner = new Map(accepted.map((a) => [a.submission.learner, a.submission]));
  for (const r of results.learners) {
    put(`${r.slug}/results.json`, `${JSON.stringify(gradescopeResults(r, publicSeeds), null, 2)}\n`);
    for (const l of byLearner.get(r.learner)!.labs) if (assessment.labs.some((a) => a.lab === l.lab)) put(`${r.slug}/${l.lab}.ts`, l.code);
  }
  for (const kl of key.labs) kl.faultSchedules.forEach((s, i) => put(`faults/${kl.lab}-${i}.json`, `${JSON.stringify(s, null, 2)}\n`));
  put(
    'report.html',
    reportHtml(
      results,
      {
        href: (slug, file) => `${encodeURIComponent(slug)}/${encodeURIComponent(file)}`,
        codePath: (slug, lab) => join(outDir, slug, `${lab}.ts`),
        faultsPath: (lab, i) => join(outDir, 'faults', `${lab}-${i}.json`),
      },
      publicSeeds,
    ),
  );
  return written;
}

/** results.json for Gradescope's single submission: the learner's results, or why the file was rejected. */
export function gradescopeFor(outcome: GradeOutcome, assessment: Assessment): string {
  const publicSeeds = new Map(assessment.labs.map((l) => [l.lab, l.seeds]));
  const r = outcome.results;
  const body = r.learners.length === 1 ? gradescopeResults(r.learners[0]!, publicSeeds) : rejectedGradescopeResults(r.rejected[0] ?? { file: '', kind: 'unreadable', message: 'no submission file was found' });
  return `${JSON.stringify(body, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Keys

export interface KeyOptions {
  assessmentFile: string;
  hiddenSeeds: number;
  schedules: number;
  /** Nemesis intensity for generated schedules, 0..1. */
  intensity: number;
  /** Check the reference solution earns full marks under every hidden seed and schedule (default true). */
  verify: boolean;
  workers?: number;
  onProgress?: (line: string) => void;
}

/** Rounds of replacing seeds and schedules the solution fails before giving up on them. */
const VERIFY_ROUNDS_MAX = 8;

function randomU32(): number {
  return getRandomValues(new Uint32Array(1))[0]!;
}

/**
 * Makes a key with fresh hidden seeds (crypto.getRandomValues) and fault schedules from the
 * nemesis, aimed at the nodes that run learner code. With `verify`, the lab's reference solution
 * is run under every hidden seed and every schedule; a seed or schedule it fails is replaced by a
 * fresh one (a key must not cost a correct solution points), and after VERIFY_ROUNDS_MAX rounds
 * whatever still fails is dropped with a warning.
 */
export async function makeKey(opts: KeyOptions): Promise<{ key: AssessmentKey; warnings: string[] }> {
  const { assessment, labs, nodes } = await assessmentWithLabs(opts.assessmentFile);
  const warnings: string[] = [];
  const entries = assessment.labs.map((al) => {
    const lab = labs.get(al.lab)!;
    const used = new Set(al.seeds);
    const freshSeed = (): number => {
      for (;;) {
        const s = randomU32();
        if (!used.has(s)) {
          used.add(s);
          return s;
        }
      }
    };
    const freshSchedule = (): unknown[] => {
      for (let attempt = 0; attempt < 100; attempt++) {
        const faults = nemesis({ rng: new Rng(randomU32()).fork('nemesis'), intensity: opts.intensity, nodes: nodes.get(al.lab)!.learner, durationUs: lab.spec.chaosMs * 1000 });
        if (faults.length > 0) return faults.map(faultToJson);
      }
      return [];
    };
    return {
      al,
      lab,
      seeds: Array.from({ length: opts.hiddenSeeds }, freshSeed),
      schedules: Array.from({ length: opts.schedules }, freshSchedule).filter((s) => s.length > 0),
      freshSeed,
      freshSchedule,
      /** Generated schedules the solution failed, and the first failure, for the summary. */
      replaced: 0,
      firstReason: undefined as string | undefined,
    };
  });
  if (opts.verify) {
    const pool = new GradingPool(
      { labs: [...labs.values()].map((l) => ({ id: l.spec.id, dir: l.dir, absDir: join(PROJECT_ROOT, l.dir) })) },
      { workers: opts.workers ?? defaultWorkers(), memoryLimitMb: DEFAULT_MEMORY_LIMIT_MB, timeLimitMs: (t) => defaultTimeLimitMs(t.type === 'verify' ? t.runs.length : 1) },
    );
    try {
      // What still needs checking: every hidden seed alone, and every schedule over all seeds.
      let seedChecks = entries.flatMap((e, ei) => e.seeds.map((seed) => ({ ei, seed })));
      let scheduleChecks = entries.flatMap((e, ei) => e.schedules.map((schedule) => ({ ei, schedule })));
      for (let round = 1; (seedChecks.length || scheduleChecks.length) && round <= VERIFY_ROUNDS_MAX; round++) {
        const tasks: WorkerTask[] = [];
        const what: ({ kind: 'seeds'; ei: number; seeds: number[] } | { kind: 'schedule'; ei: number; schedule: unknown[] })[] = [];
        entries.forEach((e, ei) => {
          const seeds = seedChecks.filter((c) => c.ei === ei).map((c) => c.seed);
          if (seeds.length) {
            what.push({ kind: 'seeds', ei, seeds });
            tasks.push({ type: 'verify', id: tasks.length, lab: e.al.lab, code: e.lab.solution, runs: seeds.map((seed) => ({ seed })) });
          }
        });
        for (const c of scheduleChecks) {
          const e = entries[c.ei]!;
          what.push({ kind: 'schedule', ei: c.ei, schedule: c.schedule });
          tasks.push({ type: 'verify', id: tasks.length, lab: e.al.lab, code: e.lab.solution, runs: [...e.al.seeds, ...e.seeds].map((seed) => ({ seed, faults: c.schedule })) });
        }
        opts.onProgress?.(`checking the reference solutions: ${tasks.reduce((a, t) => a + (t.type === 'verify' ? t.runs.length : 0), 0)} runs (round ${round})`);
        const results = await pool.run(tasks);
        const nextSeeds: typeof seedChecks = [];
        const nextSchedules: typeof scheduleChecks = [];
        what.forEach((w, i) => {
          const r = results.get(i)!;
          const e = entries[w.ei]!;
          if (!r.ok || r.reply.type !== 'verified') {
            warnings.push(`${e.al.lab}: could not check the reference solution (${r.ok ? 'no answer' : r.text}); the key is unchecked for this lab`);
            return;
          }
          const runs: VerifyRun[] = r.reply.runs;
          if (w.kind === 'seeds') {
            for (const run of runs.filter((x) => !x.passed)) {
              const fresh = round < VERIFY_ROUNDS_MAX ? e.freshSeed() : undefined;
              e.seeds = e.seeds.flatMap((s) => (s === run.seed ? (fresh === undefined ? [] : [fresh]) : [s]));
              warnings.push(`${e.al.lab}: the reference solution fails seed ${run.seed} (${run.failed[0] ?? run.issues[0] ?? 'a check failed'}); ${fresh === undefined ? 'dropped it' : 'replaced it'}. The lab may be flaky on some seeds: tell its author`);
              if (fresh !== undefined) {
                nextSeeds.push({ ei: w.ei, seed: fresh });
                // Schedules already checked ran on the old seed; check them again on the new one.
                for (const s of e.schedules) if (!scheduleChecks.some((c) => c.schedule === s) && !nextSchedules.some((c) => c.schedule === s)) nextSchedules.push({ ei: w.ei, schedule: s });
              }
            }
          } else {
            const bad = runs.find((x) => !x.passed);
            if (!bad) return;
            const fresh = round < VERIFY_ROUNDS_MAX ? e.freshSchedule() : [];
            e.schedules = e.schedules.flatMap((s) => (s === w.schedule ? (fresh.length ? [fresh] : []) : [s]));
            e.replaced++;
            e.firstReason ??= `seed ${bad.seed}: ${bad.failed[0] ?? bad.issues[0] ?? 'a check failed'}`;
            if (fresh.length) nextSchedules.push({ ei: w.ei, schedule: fresh });
            else warnings.push(`${e.al.lab}: dropped a fault schedule: the reference solution kept failing under the generated ones (seed ${bad.seed}: ${bad.failed[0] ?? bad.issues[0] ?? 'a check failed'})`);
          }
        });
        seedChecks = nextSeeds;
        scheduleChecks = nextSchedules;
      }
    } finally {
      await pool.close();
    }
    for (const e of entries) {
      if (e.replaced > 0) opts.onProgress?.(`${e.al.lab}: replaced ${e.replaced} generated fault schedule${e.replaced === 1 ? '' : 's'} under which the reference solution lost points (first: ${e.firstReason})`);
    }
  }
  const key: AssessmentKey = {
    format: KEY_FORMAT,
    version: FORMAT_VERSION,
    assessment: assessment.id,
    note: 'Private: hidden seeds and fault schedules for grading. Keep it out of the app, the course repository and anything learners can read.',
    labs: entries.map((e) => ({ lab: e.al.lab, hiddenSeeds: e.seeds, faultSchedules: e.schedules })),
  };
  return { key, warnings };
}

export { keyToText };

// ---------------------------------------------------------------------------------------------
// Submissions from the command line

/** Builds a submission from `lab-id=file` pairs; the file text is exactly what the page would export. */
export async function submitFromFiles(opts: { learner: string; pairs: string[]; assessmentFile?: string }): Promise<{ text: string; submission: Submission; warnings: string[] }> {
  if (opts.pairs.length === 0) throw new InputError('name at least one lab and its code, like vector-clocks=solution.ts');
  const labs: { lab: string; code: string; file: string }[] = [];
  for (const pair of opts.pairs) {
    const m = /^([a-z0-9]+(?:-[a-z0-9]+)*)=(.+)$/.exec(pair);
    if (!m) throw new InputError(`"${pair}" is not <lab-id>=<code-file>, like vector-clocks=solution.ts`);
    if (labs.some((l) => l.lab === m[1])) throw new InputError(`lab "${m[1]}" is named twice; a submission holds one version of each lab`);
    labs.push({ lab: m[1]!, code: readText(m[2]!, `the code file for ${m[1]}`), file: m[2]! });
  }
  let assessment: Assessment | undefined;
  if (opts.assessmentFile !== undefined) {
    assessment = readAssessmentFile(opts.assessmentFile);
    const extra = labs.filter((l) => !assessment!.labs.some((a) => a.lab === l.lab));
    if (extra.length) throw new InputError(`${extra.map((l) => l.lab).join(', ')} ${extra.length > 1 ? 'are' : 'is'} not part of assessment "${assessment.id}" (its labs: ${assessment.labs.map((a) => a.lab).join(', ')})`);
  }
  await loadLabsFor(labs.map((l) => l.lab));
  await loadQuickJS();
  const warnings: string[] = [];
  for (const l of labs) {
    const p = prepareLearnerProgram(l.code, { filename: l.file });
    if (!p.ok) warnings.push(`${l.file} does not compile, so ${l.lab} will score 0: ${p.problem.text}`);
  }
  if (assessment) for (const a of assessment.labs) if (!labs.some((l) => l.lab === a.lab)) warnings.push(`no code for ${a.lab}: it will score 0`);
  let submission: Submission;
  try {
    submission = await buildSubmission({
      learner: opts.learner,
      appVersion: appVersion(),
      assessment: assessment?.id,
      exportedAt: new Date().toISOString(),
      labs: labs.map(({ lab, code }) => ({ lab, code })),
    });
  } catch (e) {
    if (!(e instanceof AssessFileError)) throw e;
    // Name what the person typed: the --learner flag, or the code file of a lab.
    const where = (path: string): string => {
      const m = /^labs\[(\d+)\]/.exec(path);
      return m ? labs[Number(m[1])]!.file : path === 'learner' ? '--learner' : path;
    };
    throw new InputError(e.problems.map((p) => `${where(p.path)}: ${p.message}`).join('\n'));
  }
  return { text: submissionToText(submission), submission, warnings };
}

/** True when a path is a file that exists (so `key new` does not overwrite a key in use). */
export function fileExists(path: string): boolean {
  return existsSync(path);
}
