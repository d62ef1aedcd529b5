import { applyFault, type Fault } from '../../network/faults';
import type { World } from '../../world';

/** A fault without its time: the step's time is used. */
export type FaultNow = Fault extends infer F ? (F extends { atUs: number } ? Omit<F, 'atUs'> : never) : never;

/** One step of a demo's fault schedule: at `atMs`, the faults `pick` chooses from the world as it is then. */
export interface RoleFaultStep {
  atMs: number;
  pick: () => FaultNow[];
}

/**
 * A fault schedule over roles rather than names ("the partition's leader crashes"): which broker
 * leads depends on replica placement, which Kafka randomises (here: the controller's seeded RNG).
 * Each step looks at the world at its time and applies ordinary faults, recorded in the history
 * like any other (`fault` entries), so the views and the console show them as usual.
 */
export function scheduleRoleFaults(world: World, steps: readonly RoleFaultStep[]): void {
  for (const step of steps) {
    world.kernel.at(step.atMs * 1000, () => {
      for (const f of step.pick()) applyFault(world, { atUs: world.nowUs, ...f } as Fault);
    });
  }
}
