import { Kinds } from './history';
import type { RunOutcome } from './kernel';
import { scheduleFaults, type Fault } from './network/faults';
import type { World } from './world';

export interface TwoPhaseOptions {
  /** Length of the chaos phase: workload and faults. */
  chaosUs: number;
  /** Length of the heal phase: no new faults, everything restored, the system converges. */
  healUs: number;
  /** Faults to apply during chaos (validated). Faults at or after `chaosUs` are ignored. */
  faults?: readonly Fault[];
  /** Stop the heal phase early when this becomes true (for example: every consumer caught up). */
  converged?: () => boolean;
}

export interface TwoPhaseResult {
  outcome: RunOutcome;
  /** The time the heal phase began: liveness checks read the history from here. */
  healStartUs: number;
  endUs: number;
  events: number;
}

/**
 * Every run has two phases: chaos (workload and faults), then heal and converge. At the boundary
 * the network is healed, paused nodes resume and crashed nodes restart, and a `phase` entry marks
 * the moment, so safety checks read the whole history and liveness checks read from the mark.
 */
export function runTwoPhase(world: World, opts: TwoPhaseOptions): TwoPhaseResult {
  const startEvents = world.kernel.eventsRun;
  world.record(Kinds.phase, '', undefined, undefined, { phase: 'chaos' });
  scheduleFaults(world, (opts.faults ?? []).filter((f) => f.atUs < opts.chaosUs));
  const chaos = world.run({ untilUs: opts.chaosUs });
  const done = (outcome: RunOutcome): TwoPhaseResult => ({
    outcome,
    healStartUs: opts.chaosUs,
    endUs: world.nowUs,
    events: world.kernel.eventsRun - startEvents,
  });
  if (chaos.outcome === 'limit-events' || chaos.outcome === 'limit-time' || chaos.outcome === 'stopped') return done(chaos.outcome);
  world.record(Kinds.phase, '', undefined, undefined, { phase: 'heal' });
  world.network.healAll();
  for (const node of world.allNodes()) {
    if (node.state === 'paused') node.resume();
    else if (node.state === 'crashed') node.restart();
  }
  const heal = world.run({ untilUs: opts.chaosUs + opts.healUs, predicate: opts.converged });
  return done(heal.outcome);
}
