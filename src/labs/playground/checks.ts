import type { HistoryEntry } from '../../sim/history';
import { formatTime } from '../../sim/time';
import { fail, pass } from '../checkers/delivery';
import type { Checker, Evidence } from '../checkers/types';
import { WL } from '../checkers/workload';

/**
 * The playground's checks: information about the run, not a grade. They read the workload
 * vocabulary the playground's clients record (`wl.produce`, `wl.ack` with the topic, `wl.deliver`
 * and `wl.effect` with the `scope` that handled the message: a consumer group or a queue), so the
 * learner sees at once whether their code and topology lost or repeated anything.
 *
 * A message "took effect" in a scope when a handler there finished it without throwing.
 */

const EVIDENCE_MAX = 3;

interface Data {
  id: string;
  topic?: string;
  scope?: string;
}

const dataOf = (e: HistoryEntry): Data => e.data as Data;
const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export interface HandledOptions {
  /** Only messages produced to this topic (Kafka); all messages when absent. */
  topic?: string;
  /** Only effects in this scope (a consumer group); any scope when absent. */
  scope?: string;
  /** How the scope reads in a sentence: `group billing`, `a consumer`. */
  who: string;
}

/**
 * Every acknowledged message took effect (in the scope, when given). Acknowledged means the
 * broker promised to keep it: the producer's send resolved (Kafka) or the publish was confirmed
 * (RabbitMQ). The counterexample is the earliest-acknowledged messages that never took effect.
 */
export function everyAckedHandled(opts: HandledOptions): Checker {
  return (input) => {
    const acked = new Map<string, HistoryEntry>();
    let produced = 0;
    for (const e of input.ofKind(WL.produce)) if (opts.topic === undefined || dataOf(e).topic === opts.topic) produced++;
    for (const e of input.ofKind(WL.ack)) {
      const d = dataOf(e);
      if ((opts.topic === undefined || d.topic === opts.topic) && !acked.has(d.id)) acked.set(d.id, e);
    }
    const handled = new Set<string>();
    for (const e of input.ofKind(WL.effect)) {
      const d = dataOf(e);
      if (opts.scope === undefined || d.scope === opts.scope) handled.add(d.id);
    }
    const where = opts.topic === undefined ? '' : ` to ${opts.topic}`;
    if (acked.size === 0) return fail(`${plural(produced, 'message')} sent${where}, none acknowledged, so nothing shows that ${opts.who} gets them`, []);
    const lost = [...acked.values()].filter((e) => !handled.has(dataOf(e).id));
    const counts = `${plural(produced, 'message')} sent${where}, ${acked.size.toLocaleString('en')} acknowledged`;
    if (lost.length === 0) return pass(`${counts}; ${opts.who} handled every acknowledged one`);
    const evidence: Evidence[] = lost.slice(0, EVIDENCE_MAX).map((e) => ({
      message: `message ${dataOf(e).id} was acknowledged at ${formatTime(e.timeUs)} to ${e.node}, but ${opts.who} never finished handling it`,
      ids: [dataOf(e).id],
      node: e.node,
      timeUs: e.timeUs,
      seq: e.seq,
    }));
    return fail(`${counts}; ${opts.who} never finished ${lost.length.toLocaleString('en')} of them`, evidence);
  };
}

/**
 * No message took effect twice in the scope (a group, a queue's consumers). A redelivery after a
 * crash, a rebalance before a commit, or a requeue after the handler finished shows up here.
 */
export function handledOnce(opts: { scope?: string; who: string }): Checker {
  return (input) => {
    const first = new Map<string, HistoryEntry>();
    const dups: [HistoryEntry, HistoryEntry][] = [];
    for (const e of input.ofKind(WL.effect)) {
      const d = dataOf(e);
      if (opts.scope !== undefined && d.scope !== opts.scope) continue;
      // Without a scope, the same message handled by two queues (a fanout) is not a repeat.
      const k = opts.scope === undefined ? `${d.scope ?? ''}\u0000${d.id}` : d.id;
      const prev = first.get(k);
      if (prev) dups.push([prev, e]);
      else first.set(k, e);
    }
    if (dups.length === 0) return pass(`${opts.who} handled ${plural(first.size, 'message')}, each once`);
    const evidence: Evidence[] = dups.slice(0, EVIDENCE_MAX).map(([a, b]) => ({
      message: `message ${dataOf(a).id} was handled at ${formatTime(a.timeUs)} on ${a.node} and again at ${formatTime(b.timeUs)} on ${b.node}`,
      ids: [dataOf(a).id],
      node: b.node,
      timeUs: b.timeUs,
      seq: b.seq,
    }));
    return fail(`${opts.who} handled ${plural(dups.length, 'message')} more than once (of ${plural(first.size, 'message')})`, evidence);
  };
}
