export { PhysicalClock } from './physical';
export { LamportClock } from './lamport';
export { vcIncrement, vcMerge, vcCompare, happenedBefore, concurrent, formatVectorClock, type VectorClock, type CausalOrder } from './vector';
export { hlcTick, hlcReceive, hlcCompare, HLC_ZERO, type Hlc } from './hlc';
