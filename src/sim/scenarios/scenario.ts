import type { Fault } from '../network/faults';
import type { World } from '../world';
import type { DemoInfo, DemoReport } from './demos/demo';

/** Options every built-in scenario understands; each has its own defaults. */
export interface ScenarioOptions {
  /** Nemesis intensity, 0 (no generated faults) to 1. */
  intensity?: number;
  /** Number of nodes, where the scenario has a variable size. */
  nodes?: number;
  /** Demos only: `'fix'` runs the same story with the configuration that avoids the anomaly. */
  variant?: 'fix';
}

/** What a scenario leaves behind after building its world: how to tell it converged, and what to report. */
export interface ScenarioInstance {
  /** True once the system has settled (the heal phase may stop early). */
  converged?: () => boolean;
  /** Numbers people want after a run, read from the world's state and history. */
  summary: () => Record<string, number | string | boolean>;
  /** Faults the scenario generated for itself (its nemesis), applied with any the user gave. */
  faults?: Fault[];
  /** Demos only: the outcome and the moments of interest, computed from the history after the run. */
  report?: () => DemoReport;
}

/**
 * A built-in scenario: a topology and a workload that `brokerlab run <name>` can execute. The
 * node names are known before building so a fault schedule can be validated against them.
 */
export interface Scenario {
  name: string;
  description: string;
  chaosUs: number;
  healUs: number;
  nodeNames(opts: ScenarioOptions): string[];
  /** Present on demos (`src/sim/scenarios/demos/`): what the gallery and the demo page show. */
  demo?: DemoInfo;
  /** Builds the nodes and the workload in a fresh world. */
  build(world: World, opts: ScenarioOptions): ScenarioInstance;
}
