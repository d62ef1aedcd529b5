import type { VectorClock } from '../../sim/clocks/vector';

/**
 * The vocabulary checkers read. A lab's scenario and the APIs it hands to learner code record
 * these entries as the workload runs, so checkers stay independent of any one broker:
 *
 * - `wl.produce` — a producer handed message `id` to the system (data: id, key?, vc?).
 * - `wl.ack`     — the system acknowledged `id` to its producer: it promised not to lose it.
 * - `wl.deliver` — a consumer's handler was given `id` (a delivery, possibly a redelivery).
 * - `wl.effect`  — the side effect of processing `id` happened (a ledger write, an email sent):
 *                  what "processed once" is about (data: id, key?, vc?).
 * - `wl.dlq`     — `id` was moved to a dead-letter queue (data: id, reason).
 * - `wl.lag`     — a consumer's lag, sampled (data: consumer, lag).
 */
export const WL = {
  produce: 'wl.produce',
  ack: 'wl.ack',
  deliver: 'wl.deliver',
  effect: 'wl.effect',
  dlq: 'wl.dlq',
  lag: 'wl.lag',
} as const;

export interface ProduceData {
  id: string;
  key?: string;
  vc?: VectorClock;
}

export interface EffectData {
  id: string;
  key?: string;
  vc?: VectorClock;
}

export interface DlqData {
  id: string;
  reason?: string;
}

export interface LagData {
  consumer: string;
  lag: number;
}
