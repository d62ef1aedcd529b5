import { World } from '../../sim/world';
import { labApi, releaseRun } from '../lab/run';
import type { LoadedLab } from '../lab/spec';
import { learnerNode } from '../sandbox/learner-node';
import type { LearnerProgram } from '../sandbox/program';

/**
 * The nodes a lab's scenario builds, found by building its world once (nothing runs): every node,
 * for checking a fault schedule, and the ones that run learner code, which are what a generated
 * schedule's faults should hit. Any program that compiles will do; the starter is the usual one.
 */
export function labNodes(lab: LoadedLab, program: LearnerProgram, seed = 1): { all: string[]; learner: string[] } {
  const world = new World({ seed });
  const learner: string[] = [];
  const api = labApi(lab.spec);
  lab.spec.build({
    world,
    seed,
    program,
    learnerNode: (name, opts) => {
      learner.push(name);
      return world.addNode(name, learnerNode({ program, api, ops: opts?.ops, streamSends: opts?.streamSends }));
    },
  });
  const all = world.nodeNames();
  releaseRun(world);
  return { all, learner };
}
