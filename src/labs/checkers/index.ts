/**
 * Checkers: pure functions from a run's history to a verdict with a minimal counterexample.
 * Safety checks (loss, duplicates, order) read the whole run; liveness checks (lag) read the heal
 * phase. They read only the workload vocabulary in `workload.ts`, never a broker's internals.
 */
export { noLoss, noDuplicateEffect, exactlyOnceEffect, pass, fail, type NoLossOptions } from './delivery';
export { perKeyOrder, globalOrder, causalOrder } from './order';
export { lagBoundedAfterHeal, dlqHasReasons, type LagOptions } from './liveness';
export { latencySlo, throughputFloor, quantile, type LatencyOptions, type ThroughputOptions } from './performance';
export { checkInputFromEntries, type Checker, type CheckInput, type Evidence, type Verdict } from './types';
export { WL, type ProduceData, type EffectData, type DlqData, type LagData } from './workload';
