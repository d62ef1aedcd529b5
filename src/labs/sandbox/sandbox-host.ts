import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { ApiDefinition } from './api';
import type { Budgets } from './budgets';
import type { LearnerProblem } from './errors';
import type { TranspiledModule } from './transpile';

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** One console line as the host records it: the learner's position, never the transpiled one. */
export interface ConsoleLine {
  level: ConsoleLevel;
  text: string;
  handler: string;
  line?: number;
  column?: number;
}

/** Which call an API operation belongs to, for the history and for `commit`. */
export interface CallContext {
  callId: number;
  handler: string;
}

/**
 * What a sandbox needs from its host (in the simulation: the learner node). Everything learner
 * code can reach outside itself goes through here.
 */
export interface SandboxHost {
  /** Simulated time in milliseconds, passed into the sandbox with every crossing. */
  nowMs(): number;
  /** One draw from the node's fork of the run's RNG. */
  random(): number;
  /**
   * An API operation with checked arguments. A `sync` op returns its value; an `async` op returns a
   * SimPromise that settles at a simulated time. Throw ApiError for mistakes the learner should see.
   */
  op(path: string, args: readonly unknown[], call: CallContext): unknown;
  /** A console line; return false once the node's cap is reached. */
  console(line: ConsoleLine): boolean;
  /** The node's console cap was reached inside the sandbox. */
  consoleCapped(): void;
  /** An error, a rejection or a budget overrun, already in the learner's terms. */
  problem(p: LearnerProblem): void;
}

export interface SandboxOptions {
  module: TranspiledModule;
  host: SandboxHost;
  nodeName?: string;
  api?: ApiDefinition;
  budgets?: Partial<Budgets>;
  /** Console lines this sandbox may still write (the node's cap minus what earlier incarnations wrote). */
  consoleLinesLeft?: number;
  quickjs?: QuickJSWASMModule;
}

/** A sandbox's life, named (STYLE 4). */
export type SandboxStatus = 'ready' | 'load-failed' | 'stopped' | 'disposed';
