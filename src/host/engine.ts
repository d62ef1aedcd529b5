import { formatFaultErrors, runTwoPhase, validateFaultSchedule, World, type Fault, type HistoryEntry, type RunOutcome } from '../sim';
import { demos, findScenario, scenarios, type DemoInfo, type DemoReport } from '../sim/scenarios';
import { InputError } from './input-error';

export type { DemoInfo, DemoReport, DemoMoment, DemoFigure, DemoDoc } from '../sim/scenarios';

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
  /** Demos only: `'fix'` runs the demo with the configuration that avoids its anomaly. */
  variant?: 'fix';
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
  /** Demos only: the outcome and moments of interest, computed from the history. */
  demo?: DemoReport;
  /** Demos only: the variant that ran. */
  variant?: 'fix';
}

export interface RunHooks {
  /** Receives history entries in batches while the run goes on. */
  onBatch?: (batch: HistoryEntry[]) => void;
  batchSize?: number;
}

/** A scenario as listings show it; demos carry what the gallery shows about them. */
export interface ScenarioListing {
  name: string;
  description: string;
  demo?: DemoInfo;
}

/**
 * The built-in scenarios for listings: name and one-line description. `'demos'` lists the demos
 * instead (`#/demos`, `brokerlab run <demo>`), in gallery order, with their `demo` information.
 * (One function for both, so the worker's existing `listScenarios` serves the gallery too.)
 */
export function listScenarios(which: 'scenarios' | 'demos' = 'scenarios'): ScenarioListing[] {
  if (which === 'demos') return [...demos.values()].map((s) => ({ name: s.name, description: s.description, demo: s.demo }));
  return [...scenarios.values()].map((s) => ({ name: s.name, description: s.description }));
}

function unknownScenario(name: string): InputError {
  return new InputError(`unknown scenario "${name}"; the scenarios are: ${[...scenarios.keys()].join(', ')}; the demos are: ${[...demos.keys()].join(', ')}`);
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
  /** Present for demos. */
  demo?: DemoInfo;
}

/**
 * Describes a built-in scenario for the given size, so the fault panel can offer its node names
 * and the views can order lanes before the first history entry arrives.
 */
export function scenarioInfo(name: string, nodes?: number): ScenarioInfo {
  const scenario = findScenario(name);
  if (!scenario) throw unknownScenario(name);
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
    ...(scenario.demo ? { demo: scenario.demo } : {}),
  };
}

/**
 * Runs a built-in scenario with a seed and an optional fault schedule, in whichever host calls
 * it (the browser worker or Node). Throws InputError for bad requests before anything runs.
 */
export function runScenario(req: ScenarioRunRequest, hooks: RunHooks = {}): { result: ScenarioRunResult; world: World } {
  const scenario = findScenario(req.scenario);
  if (!scenario) throw unknownScenario(req.scenario);
  if (req.variant !== undefined && (req.variant !== 'fix' || !scenario.demo)) {
    throw new InputError(`variant ${JSON.stringify(req.variant)} is not known for "${scenario.name}"; only demos have a variant, "fix"`);
  }
  if (!Number.isSafeInteger(req.seed) || req.seed < 0) {
    throw new InputError(`seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got ${String(req.seed)}`);
  }
  if (req.intensity !== undefined && !(req.intensity >= 0 && req.intensity <= 1)) {
    throw new InputError(`intensity must be between 0 and 1, got ${String(req.intensity)}`);
  }
  const opts = { intensity: req.intensity, nodes: req.nodes, variant: req.variant };
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
  if (instance.report) result.demo = instance.report();
  if (req.variant) result.variant = req.variant;
  if (world.kernel.limitReached) result.limit = world.kernel.limitReached;
  return { result, world };
}
