import { formatTime } from '../../sim/time';
import type { HistoryEntry } from '../../sim/history';
import type { Checker, Evidence, Verdict } from './types';
import { WL, type EffectData, type ProduceData } from './workload';

const EVIDENCE_MAX = 5;

export interface NoLossOptions {
  /** Which messages must not be lost: those the system acknowledged (default) or every one produced. */
  of?: 'acked' | 'produced';
}

/**
 * No loss: every message the system acknowledged (or, with `of: 'produced'`, every message a
 * producer sent) has its effect by the end of the run. Reads the whole history (a safety check).
 * The counterexample is the earliest-acknowledged lost messages.
 */
export function noLoss(opts: NoLossOptions = {}): Checker {
  const of = opts.of ?? 'acked';
  return (input) => {
    const promised = new Map<string, HistoryEntry>();
    for (const e of input.ofKind(of === 'acked' ? WL.ack : WL.produce)) {
      const id = (e.data as ProduceData).id;
      if (!promised.has(id)) promised.set(id, e);
    }
    const effected = new Set<string>();
    for (const e of input.ofKind(WL.effect)) effected.add((e.data as EffectData).id);
    // A run in which nothing was promised proves nothing: the workload did not run.
    if (promised.size === 0) return fail(`no message was ${of}, so nothing shows that messages survive`, []);
    const lost = [...promised.values()].filter((e) => !effected.has((e.data as ProduceData).id));
    if (lost.length === 0) return pass(`all ${promised.size} ${of} messages took effect`);
    const evidence: Evidence[] = lost.slice(0, EVIDENCE_MAX).map((e) => ({
      message: `message ${(e.data as ProduceData).id} was ${of} at ${formatTime(e.timeUs)} by ${e.node} but never took effect`,
      ids: [(e.data as ProduceData).id],
      node: e.node,
      timeUs: e.timeUs,
      seq: e.seq,
    }));
    return fail(`${lost.length} of ${promised.size} ${of} messages were lost`, evidence);
  };
}

/**
 * No duplicate effect: no message's effect happens twice. Redelivery is allowed; doing the work
 * twice is not. The counterexample is the first message whose effect repeated, with both moments.
 */
export function noDuplicateEffect(): Checker {
  return (input) => {
    const first = new Map<string, HistoryEntry>();
    const dups: [HistoryEntry, HistoryEntry][] = [];
    let total = 0;
    for (const e of input.ofKind(WL.effect)) {
      total++;
      const id = (e.data as EffectData).id;
      const prev = first.get(id);
      if (prev) dups.push([prev, e]);
      else first.set(id, e);
    }
    if (dups.length === 0) return pass(`${first.size} messages, each took effect at most once`);
    const evidence: Evidence[] = dups.slice(0, EVIDENCE_MAX).map(([a, b]) => ({
      message: `message ${(a.data as EffectData).id} took effect at ${formatTime(a.timeUs)} on ${a.node} and again at ${formatTime(b.timeUs)} on ${b.node}`,
      ids: [(a.data as EffectData).id],
      node: b.node,
      timeUs: b.timeUs,
      seq: b.seq,
    }));
    return fail(`${dups.length} duplicate effect${dups.length === 1 ? '' : 's'} among ${total} effects`, evidence);
  };
}

/** Exactly-once effect: no loss and no duplicate effect, both over the same messages. */
export function exactlyOnceEffect(opts: NoLossOptions = {}): Checker {
  const lossCheck = noLoss(opts);
  const dupCheck = noDuplicateEffect();
  return (input) => {
    const a = lossCheck(input);
    const b = dupCheck(input);
    if (a.passed && b.passed) return pass(`every ${opts.of ?? 'acked'} message took effect exactly once`);
    return fail([a, b].filter((v) => !v.passed).map((v) => v.summary).join('; '), [...a.evidence, ...b.evidence].slice(0, EVIDENCE_MAX));
  };
}

export function pass(summary: string): Verdict {
  return { passed: true, summary, evidence: [] };
}

export function fail(summary: string, evidence: Evidence[]): Verdict {
  return { passed: false, summary, evidence };
}
