/// <reference types="vite/client" />
import type { HistoryEntry } from '../sim/history';
import { LabInputError, labApi, releaseRun, runLab, validateLab, formatLabProblems, type LabRunResult, type LabSpec, type LoadedLab } from '../labs/lab';
import { labNodes } from '../labs/assess/lab-nodes';
import { generateDts, loadQuickJS, prepareLearnerProgram, QuickJSTrap, type LearnerProblem } from '../labs/sandbox';

/**
 * The labs as the browser worker sees them: bundled by Vite from labs-content (the same files the
 * Node loader reads), validated with the same rules, run with the same engine. Only plain data
 * leaves this module.
 */
const specs = import.meta.glob<LabSpec>('/labs-content/*/*/lab.ts', { eager: true, import: 'default' });
const readmes = import.meta.glob<string>('/labs-content/*/*/README.md', { eager: true, query: '?raw', import: 'default' });
const starters = import.meta.glob<string>('/labs-content/*/*/starter.ts', { eager: true, query: '?raw', import: 'default' });
const solutions = import.meta.glob<string>('/labs-content/*/*/solution.ts', { eager: true, query: '?raw', import: 'default' });

/** What the catalog and the lab page show about a lab: plain data, no functions. */
export interface LabSummary {
  id: string;
  title: string;
  topic: string;
  broker: string;
  summary: string;
  objectives: string[];
  dir: string;
  seeds: number[];
  readme: string;
  starter: string;
  checks: { id: string; title: string; points: number; teaches: string }[];
  hints: { afterFailures: number; text: string }[];
  /** The `.d.ts` the editor loads for this lab's API. */
  dts: string;
}

let loaded: { labs: LoadedLab[]; problems: string } | undefined;

function load(): { labs: LoadedLab[]; problems: string } {
  if (loaded) return loaded;
  const labs: LoadedLab[] = [];
  const problems: string[] = [];
  for (const path of Object.keys(specs).sort()) {
    const base = path.slice(0, -'/lab.ts'.length);
    const dir = base.slice(1);
    const files = { readme: readmes[`${base}/README.md`], starter: starters[`${base}/starter.ts`], solution: solutions[`${base}/solution.ts`] };
    const v = validateLab(dir, specs[path], files);
    if (v.problems.length > 0) problems.push(formatLabProblems(v.problems));
    else labs.push({ spec: specs[path]!, dir, readme: files.readme!, starter: files.starter!, solution: files.solution! });
  }
  loaded = { labs, problems: problems.join('\n') };
  return loaded;
}

/** The bundled labs that validated, loaded (for a worker that grades them). */
export function bundledLabs(): LoadedLab[] {
  return load().labs;
}

/** Every valid lab, in folder order, and the problems of any that are not. */
export function listLabs(): { labs: LabSummary[]; problems: string } {
  const { labs, problems } = load();
  return {
    problems,
    labs: labs.map((l) => ({
      id: l.spec.id,
      title: l.spec.title,
      topic: l.spec.topic,
      broker: l.spec.broker,
      summary: l.spec.summary,
      objectives: [...l.spec.objectives],
      dir: l.dir,
      seeds: [...l.spec.seeds],
      readme: l.readme,
      starter: l.starter,
      checks: l.spec.checks.map((c) => ({ id: c.id, title: c.title, points: c.points, teaches: c.teaches })),
      hints: l.spec.hints.map((h) => ({ ...h })),
      dts: generateDts(labApi(l.spec)),
    })),
  };
}

export interface LabRunRequest {
  labId: string;
  code: string;
  seed: number;
  /** Extra faults (the fault panel's schedule), in the `--faults` JSON format. */
  faults?: unknown;
  /** The file name the code is compiled under (default `handler.ts`); reviewing a graded run uses the grader's. */
  filename?: string;
}

/** A lab run's outcome for the page: a result, a problem in the learner's code, or bad input. */
export type LabRunReply = { ok: true; result: LabRunResult } | { ok: false; error: string; problem?: LearnerProblem };

/** Runs a lab in this worker, streaming the history; the learner's code is checked first. */
export async function runLabInWorker(req: LabRunRequest, onBatch?: (batch: HistoryEntry[]) => void): Promise<LabRunReply> {
  const lab = load().labs.find((l) => l.spec.id === req.labId);
  if (!lab) return { ok: false, error: `unknown lab "${req.labId}"` };
  await loadQuickJS();
  const prepared = prepareLearnerProgram(req.code, { filename: req.filename ?? 'handler.ts' });
  if (!prepared.ok) return { ok: false, error: prepared.problem.text, problem: prepared.problem };
  try {
    const { result, world } = runLab(lab, prepared.program, { seed: req.seed, faults: req.faults, faultsSource: 'the fault panel', onBatch, batchSize: 4096 });
    releaseRun(world);
    return { ok: true, result };
  } catch (e) {
    if (e instanceof LabInputError || e instanceof QuickJSTrap) return { ok: false, error: e.message };
    throw e;
  }
}

/**
 * The nodes a lab's world has, found by building it with the lab's starter (nothing runs), so the
 * fault panel can offer them before the first run. Empty when the lab is unknown.
 */
export async function labNodeNames(labId: string): Promise<string[]> {
  const lab = load().labs.find((l) => l.spec.id === labId);
  if (!lab) return [];
  await loadQuickJS();
  const prepared = prepareLearnerProgram(lab.starter, { filename: 'handler.ts' });
  if (!prepared.ok) return [];
  return labNodes(lab, prepared.program).all;
}
