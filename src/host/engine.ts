import { formatFaultErrors, runTwoPhase, validateFaultSchedule, World, type Fault, type HistoryEntry, type RunOutcome } from '../sim';
import { scenarios } from '../sim/scenarios';
import { InputError } from './input-error';

/** A request to run a built-in scenario: plain data, so it crosses the worker boundary. */
export interface ScenarioRunRequest {
  scenario: string;
  seed: number;
  /** A fault schedule as people write it (validated here). */
  faults?: unknown;
  /** Where the faults came from, for error messages (`faults.json`). */
  faultsSource?: string;
  /** Nemesis intensity 0–1; scenarios have their own default. */
  intensity?: number;
  nodes?: number;
}

/** The outcome of a run: what `brokerlab run --json` prints and the page shows. */
export interface ScenarioRunResult {
  scenario: string;
  seed: number;
  historyHash: string;
  /** Kernel events executed. */
  events: number;
  historyEntries: number;
  simTimeUs: number;
  healStartUs: number;
  wallMs: number;
  outcome: RunOutcome;
  /** Set when the run stopped on a limit, saying which. */
  limit?: string;
  faults: number;
  summary: Record<string, number | string | boolean>;
}

export interface RunHooks {
  /** Receives history entries in batches while the run goes on. */
  onBatch?: (batch: HistoryEntry[]) => void;
  batchSize?: number;
}

/** The built-in scenarios for listings: name and one-line description. */
export function listScenarios(): { name: string; description: string }[] {
  return [...scenarios.values()].map((s) => ({ name: s.name, description: s.description }));
}

/** What the page needs to know about a scenario before running it: its lanes and whether it can grow. */
export interface ScenarioInfo {
  name: string;
  description: string;
  /** Node names for these options, in the scenario's own order (the space-time diagram's lanes). */
  nodeNames: string[];
  /** True when `nodes` changes the scenario's size, so the page offers the field. */
  sizable: boolean;
  chaosUs: number;
  healUs: number;
}

/**
 * Describes a built-in scenario for the given size, so the fault panel can offer its node names
 * and the views can order lanes before the first history entry arrives.
 */
export function scenarioInfo(name: string, nodes?: number): ScenarioInfo {
  const scenario = scenarios.get(name);
  if (!scenario) throw new InputError(`unknown scenario "${name}"; the scenarios are: ${[...scenarios.keys()].join(', ')}`);
  const defaults = scenario.nodeNames({});
  // A scenario is sizable when asking for a different size changes its nodes.
  const probe = scenario.nodeNames({ nodes: defaults.length + 1 });
  return {
    name: scenario.name,
    description: scenario.description,
    nodeNames: scenario.nodeNames({ nodes }),
    sizable: probe.length !== defaults.length,
    chaosUs: scenario.chaosUs,
    healUs: scenario.healUs,
  };
}

/**
 * Runs a built-in scenario with a seed and an optional fault schedule, in whichever host calls
 * it (the browser worker or Node). Throws InputError for bad requests before anything runs.
 */
export function runScenario(req: ScenarioRunRequest, hooks: RunHooks = {}): { result: ScenarioRunResult; world: World } {
  const scenario = scenarios.get(req.scenario);
  if (!scenario) {
    throw new InputError(`unknown scenario "${req.scenario}"; the scenarios are: ${[...scenarios.keys()].join(', ')}`);
  }
  if (!Number.isSafeInteger(req.seed) || req.seed < 0) {
    throw new InputError(`seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${String(req.seed)}`);
  }
  if (req.intensity !== undefined && !(req.intensity >= 0 && req.intensity <= 1)) {
    throw new InputError(`intensity must be between 0 and 1, got ${String(req.intensity)}`);
  }
  const opts = { intensity: req.intensity, nodes: req.nodes };
  let userFaults: Fault[] = [];
  if (req.faults !== undefined) {
    const v = validateFaultSchedule(req.faults, scenario.nodeNames(opts));
    if (!v.ok) throw new InputError(formatFaultErrors(v.errors, req.faultsSource ?? 'fault schedule'));
    userFaults = v.faults;
  }
  const started = globalThis.performance.now();
  const world = new World({ seed: req.seed });
  if (hooks.onBatch) world.history.subscribe(hooks.onBatch, hooks.batchSize);
  const instance = scenario.build(world, opts);
  const faults = [...(instance.faults ?? []), ...userFaults].sort((a, b) => a.atUs - b.atUs);
  const r = runTwoPhase(world, { chaosUs: scenario.chaosUs, healUs: scenario.healUs, faults, converged: instance.converged });
  world.history.flush();
  const result: ScenarioRunResult = {
    scenario: scenario.name,
    seed: req.seed,
    historyHash: world.history.historyHash(),
    events: world.kernel.eventsRun,
    historyEntries: world.history.length,
    simTimeUs: world.nowUs,
    healStartUs: r.healStartUs,
    wallMs: Math.round((globalThis.performance.now() - started) * 100) / 100,
    outcome: r.outcome,
    faults: faults.length,
    summary: instance.summary(),
  };
  if (world.kernel.limitReached) result.limit = world.kernel.limitReached;
  return { result, world };
}
