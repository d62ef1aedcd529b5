import type { SimNode } from '../../sim/node';
import type { World } from '../../sim/world';
import type { Checker } from '../checkers/types';
import type { ObjectiveId } from '../curriculum';
import type { ApiNamespace } from '../sandbox/api';
import type { LabOp } from '../sandbox/learner-node';
import type { LearnerProgram } from '../sandbox/program';

/** The broker families a lab can be about; `none` for labs on the core (clocks, causality). */
export type LabBroker = 'kafka' | 'rabbitmq' | 'nats' | 'pulsar' | 'redis' | 'sqs' | 'kinesis' | 'none';

/** A check with its points. Safety checks read the whole run; liveness checks the heal phase. */
export interface LabCheck {
  /** Stable kebab-case id (a gradebook column). */
  id: string;
  title: string;
  points: number;
  checker: Checker;
  /** One sentence: what passing this check shows the learner understands. */
  teaches: string;
}

/** A hint that unlocks after `afterFailures` failed runs. Hints guide; they never hand over the fix. */
export interface LabHint {
  afterFailures: number;
  text: string;
}

/** What a lab's scenario builder gets: a fresh world, the run's seed and the learner's program. */
export interface LabBuildContext {
  world: World;
  seed: number;
  /** The learner's code, checked and ready to run in any number of nodes. */
  program: LearnerProgram;
  /**
   * Adds a node that runs the learner's code, with this lab's extra `ctx` API. The returned node
   * crashes and restarts like any other: a restart re-runs the learner's module.
   */
  learnerNode(name: string, opts?: LearnerNodeSpec): SimNode;
}

export interface LearnerNodeSpec {
  /**
   * Host implementations of the lab's extra API (`api` in the spec), by dotted path
   * (`'billing.charge'`), built for each incarnation of the node. Called with checked arguments;
   * return a value, or a SimPromise for an async op.
   */
  ops?: (node: SimNode) => Readonly<Record<string, LabOp>>;
  /** `ctx.send` over a TCP-like stream (in order, held across partitions) instead of datagrams. */
  streamSends?: boolean;
}

/** What the builder hands back to the runner. */
export interface LabInstance {
  /** True when the system has settled, so the heal phase may end early. */
  converged?: () => boolean;
}

/**
 * A lab, as `labs-content/NN-topic/NN-lab/lab.ts` default-exports it. Everything but `build` and
 * the checkers is plain data the catalog and the gradebook show.
 */
export interface LabSpec {
  id: string;
  title: string;
  /** The topic's id, shared by the labs of a track (`delivery`, `routing`, `ordering`, …). */
  topic: string;
  broker: LabBroker;
  objectives: ObjectiveId[];
  /** One or two sentences for the catalog. */
  summary: string;
  /** Seeds anyone may run; instructors add hidden ones in an assessment key. */
  seeds: number[];
  chaosMs: number;
  healMs: number;
  /** Extra `ctx` members learner code gets in this lab (merged into the service API and its `.d.ts`). */
  api?: { readonly [name: string]: ApiNamespace };
  /** Extra type declarations for the `.d.ts` (the shapes of this lab's messages), as TypeScript. */
  apiTypes?: string;
  /** Faults the lab always applies (validated against its node names when the lab loads). */
  faults?: unknown[];
  checks: LabCheck[];
  hints: LabHint[];
  build(ctx: LabBuildContext): LabInstance;
}

/** Identity for lab files: `export default defineLab({...})` type-checks the spec where it is written. */
export function defineLab(spec: LabSpec): LabSpec {
  return spec;
}

/** A lab with the files beside its `lab.ts`, as the loader found it. */
export interface LoadedLab {
  spec: LabSpec;
  /** Folder relative to the project, e.g. `labs-content/01-delivery/01-at-least-once`. */
  dir: string;
  readme: string;
  starter: string;
  solution: string;
}
