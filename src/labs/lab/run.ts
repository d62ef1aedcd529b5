import { runTwoPhase } from '../../sim/runner';
import { formatFaultErrors, validateFaultSchedule, type Fault } from '../../sim/network/faults';
import type { HistoryEntry } from '../../sim/history';
import type { RunOutcome } from '../../sim/kernel';
import { World } from '../../sim/world';
import type { CheckInput, Evidence } from '../checkers/types';
import { extendApi, serviceApi, type ApiDefinition } from '../sandbox/api';
import { learnerNode } from '../sandbox/learner-node';
import type { LearnerProgram } from '../sandbox/program';
import type { LabSpec, LoadedLab } from './spec';

/** One check's outcome in one run. */
export interface CheckResult {
  id: string;
  title: string;
  points: number;
  passed: boolean;
  summary: string;
  evidence: Evidence[];
}

/** A lab run's result: plain data for the CLI's JSON, the page and the grader. */
export interface LabRunResult {
  lab: string;
  seed: number;
  historyHash: string;
  events: number;
  historyEntries: number;
  simTimeUs: number;
  healStartUs: number;
  wallMs: number;
  outcome: RunOutcome;
  limit?: string;
  faults: number;
  checks: CheckResult[];
  /** Points of the checks that passed in this run, out of `maxScore`. */
  score: number;
  maxScore: number;
}

export interface LabRunOptions {
  seed: number;
  /** Faults added to the lab's own (an assessment key's extra schedule, the fault panel's entries). */
  faults?: unknown;
  faultsSource?: string;
  onBatch?: (batch: HistoryEntry[]) => void;
  batchSize?: number;
}

/** A lab's bad fault schedule or scenario: input the person running it can fix. */
export class LabInputError extends Error {
  override name = 'LabInputError';
}

/**
 * Frees the QuickJS sandboxes of a finished run's learner nodes. A run's world is garbage once its
 * result is read, but each sandbox holds memory inside the shared QuickJS module until disposed,
 * so a worker or a grader running many labs would otherwise grow with every run.
 */
export function releaseRun(world: World): void {
  for (const node of world.allNodes()) {
    const sandbox = (node.peek() as { sandbox?: { dispose(): void } } | undefined)?.sandbox;
    sandbox?.dispose();
  }
}

/** Validates a fault schedule against the nodes the scenario built; undefined means none. */
function checkedFaults(input: unknown, world: World, source: string): Fault[] {
  if (input === undefined) return [];
  const v = validateFaultSchedule(input, world.nodeNames());
  if (!v.ok) throw new LabInputError(formatFaultErrors(v.errors, source));
  return v.faults;
}

const apis = new WeakMap<LabSpec, ApiDefinition>();

/** The API learner code sees in this lab: the service API plus the lab's members (computed once). */
export function labApi(spec: LabSpec): ApiDefinition {
  let api = apis.get(spec);
  if (!api) {
    api = spec.api || spec.apiTypes ? extendApi(serviceApi, spec.api ?? {}, spec.apiTypes) : serviceApi;
    apis.set(spec, api);
  }
  return api;
}

/**
 * Runs a lab once: builds its world with the learner's program on the learner nodes, applies the
 * lab's faults and any extra ones, runs chaos then heal, and runs every check over the history.
 * Deterministic: the same lab, program, seed and faults give the same history and verdicts.
 */
export function runLab(lab: LoadedLab, program: LearnerProgram, opts: LabRunOptions): { result: LabRunResult; world: World } {
  const started = globalThis.performance.now();
  const spec = lab.spec;
  const api = labApi(spec);
  const world = new World({ seed: opts.seed });
  if (opts.onBatch) world.history.subscribe(opts.onBatch, opts.batchSize);
  const instance = spec.build({
    world,
    seed: opts.seed,
    program,
    learnerNode: (name, nodeOpts) =>
      world.addNode(
        name,
        learnerNode({
          program,
          api,
          ops: nodeOpts?.ops,
          streamSends: nodeOpts?.streamSends,
        }),
      ),
  });
  const own = checkedFaults(spec.faults, world, `${lab.dir}/lab.ts faults`);
  const extra = checkedFaults(opts.faults, world, opts.faultsSource ?? 'fault schedule');
  const faults = [...own, ...extra].sort((a, b) => a.atUs - b.atUs);
  const chaosUs = spec.chaosMs * 1000;
  const r = runTwoPhase(world, { chaosUs, healUs: spec.healMs * 1000, faults, converged: instance.converged });
  world.history.flush();
  // Checks often read the same kinds (produced and applied messages): parse those entries once per
  // run, not once per check. Checks are pure and share entries, as they do on the page.
  const read = new Map<string, HistoryEntry[]>();
  const input: CheckInput = {
    ofKind: (...kinds) => {
      const key = kinds.join('\u0000');
      let entries = read.get(key);
      if (!entries) read.set(key, (entries = [...world.history.ofKind(...kinds)]));
      return entries;
    },
    healStartUs: r.healStartUs,
    endUs: world.nowUs,
  };
  const checks: CheckResult[] = spec.checks.map((c) => {
    const v = c.checker(input);
    return { id: c.id, title: c.title, points: c.points, passed: v.passed, summary: v.summary, evidence: v.evidence };
  });
  const result: LabRunResult = {
    lab: spec.id,
    seed: opts.seed,
    historyHash: world.history.historyHash(),
    events: world.kernel.eventsRun,
    historyEntries: world.history.length,
    simTimeUs: world.nowUs,
    healStartUs: r.healStartUs,
    wallMs: Math.round((globalThis.performance.now() - started) * 100) / 100,
    outcome: r.outcome,
    faults: faults.length,
    checks,
    score: checks.filter((c) => c.passed).reduce((a, c) => a + c.points, 0),
    maxScore: checks.reduce((a, c) => a + c.points, 0),
  };
  if (world.kernel.limitReached) result.limit = world.kernel.limitReached;
  return { result, world };
}
