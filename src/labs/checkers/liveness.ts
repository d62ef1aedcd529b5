import { formatTime } from '../../sim/time';
import { fail, pass } from './delivery';
import type { Checker } from './types';
import { WL, type DlqData, type LagData } from './workload';

export interface LagOptions {
  /** The most messages any consumer may be behind at the end of the run. */
  lagMessagesMax: number;
  /** How long after the heal phase starts the lag must be within bounds (default: by the end). */
  withinUs?: number;
}

/**
 * Consumer lag bounded after heal (a liveness check): reads only the heal phase. Every consumer's
 * latest lag sample between the heal and the deadline is within the bound; a consumer with no
 * sample there fails, because silence is not progress.
 */
export function lagBoundedAfterHeal(opts: LagOptions): Checker {
  return (input) => {
    const deadline = opts.withinUs === undefined ? input.endUs : input.healStartUs + opts.withinUs;
    const consumers = new Set<string>();
    const last = new Map<string, { lag: number; timeUs: number; seq: number; node: string }>();
    for (const e of input.ofKind(WL.lag)) {
      const d = e.data as LagData;
      consumers.add(d.consumer);
      if (e.timeUs >= input.healStartUs && e.timeUs <= deadline) last.set(d.consumer, { lag: d.lag, timeUs: e.timeUs, seq: e.seq, node: e.node });
    }
    for (const c of consumers) {
      if (!last.has(c)) {
        return fail(`consumer ${c} reported no lag between the heal and the deadline`, [
          { message: `consumer ${c} reported no lag between ${formatTime(input.healStartUs)} and ${formatTime(deadline)}`, timeUs: input.healStartUs },
        ]);
      }
    }
    for (const [consumer, s] of last) {
      if (s.lag > opts.lagMessagesMax) {
        return fail(`consumer ${consumer} was still ${s.lag} messages behind`, [
          { message: `consumer ${consumer} was ${s.lag} messages behind at ${formatTime(s.timeUs)} (bound ${opts.lagMessagesMax})`, node: s.node, timeUs: s.timeUs, seq: s.seq },
        ]);
      }
    }
    if (last.size === 0) return fail('no consumer reported its lag', []);
    return pass(`${last.size} consumers within ${opts.lagMessagesMax} messages after the heal`);
  };
}

/** Every dead-lettered message carries a reason, so an operator can tell poison from overload. */
export function dlqHasReasons(): Checker {
  return (input) => {
    let n = 0;
    for (const e of input.ofKind(WL.dlq)) {
      n++;
      const d = e.data as DlqData;
      if (typeof d.reason !== 'string' || d.reason.trim() === '') {
        return fail(`message ${d.id} was dead-lettered without a reason`, [{ message: `message ${d.id} reached the DLQ at ${formatTime(e.timeUs)} with no reason`, ids: [d.id], node: e.node, timeUs: e.timeUs, seq: e.seq }]);
      }
    }
    return pass(n === 0 ? 'no message was dead-lettered' : `all ${n} dead-lettered messages carry a reason`);
  };
}
