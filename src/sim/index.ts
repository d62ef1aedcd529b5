/**
 * The deterministic simulation core. Pure TypeScript: no DOM, no Node API, no Date, Math.random,
 * timers or performance. The same code runs in the browser's worker and in Node.
 */
export { assert, AssertionError } from './assert';
export { us, ms, sec, formatTime, parseDurationUs, type Micros } from './time';
export { Rng, sampleLatencyUs, latencyModelProblem, type LatencyModel } from './rng';
export { Hash64 } from './hash';
export { DataShape, History, Kinds, type HistoryEntry, type HistorySubscriber, type ShapedValue } from './history';
export { Kernel, DEFAULT_LIMITS, type Timer, type StopWhen, type RunOutcome, type RunResult, type KernelLimits } from './kernel';
export { Disk, DEFAULT_DISK, type DiskConfig, type DiskError } from './disk';
export { SimNode, type NodeState, type NodeBehavior, type NodeFactory, type NodeOptions, type Envelope, type NodeLifecycleListener, type NodeReceiver } from './node';
export { World, type WorldOptions } from './world';
export { SimPromise, type SimPromiseState } from './sim-promise';
export { runTwoPhase, type TwoPhaseOptions, type TwoPhaseResult } from './runner';
export * from './network';
export * from './clocks';
