import { echo } from './echo';
import { gossip } from './gossip';
import type { Scenario } from './scenario';

export type { Scenario, ScenarioOptions, ScenarioInstance } from './scenario';

/** The built-in scenarios, by name, in the order `brokerlab run --help` lists them. */
export const scenarios: ReadonlyMap<string, Scenario> = new Map([
  [echo.name, echo],
  [gossip.name, gossip],
]);
