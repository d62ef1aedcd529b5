import { demoList } from './demos';
import { echo } from './echo';
import { gossip } from './gossip';
import type { Scenario } from './scenario';

export type { Scenario, ScenarioOptions, ScenarioInstance } from './scenario';
export type { DemoInfo, DemoReport, DemoMoment, DemoFigure, DemoDoc } from './demos';

/** The built-in scenarios, by name, in the order `brokerlab run --help` lists them. */
export const scenarios: ReadonlyMap<string, Scenario> = new Map([
  [echo.name, echo],
  [gossip.name, gossip],
]);

/**
 * The demos (`src/sim/scenarios/demos/`): built-in scenarios too, run the same way, but listed
 * apart — each shows one broker anomaly on a fixed seed for a lecture (`#/demos`).
 */
export const demos: ReadonlyMap<string, Scenario> = new Map(demoList.map((d) => [d.name, d]));

/** A scenario or a demo by name. */
export function findScenario(name: string): Scenario | undefined {
  return scenarios.get(name) ?? demos.get(name);
}
