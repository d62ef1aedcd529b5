import { vcCompare } from '../../sim/clocks/vector';
import type { HistoryEntry } from '../../sim/history';
import { formatTime } from '../../sim/time';
import { fail, pass } from './delivery';
import type { Checker } from './types';
import { WL, type EffectData, type ProduceData } from './workload';

/** The position of every produced id in production order (first production wins). */
function productionOrder(input: Parameters<Checker>[0]): Map<string, { index: number; entry: HistoryEntry }> {
  const order = new Map<string, { index: number; entry: HistoryEntry }>();
  for (const e of input.ofKind(WL.produce)) {
    const id = (e.data as ProduceData).id;
    if (!order.has(id)) order.set(id, { index: order.size, entry: e });
  }
  return order;
}

/**
 * Per-key order: for each key, the first effects of its messages happen in the order the messages
 * were produced. Duplicates are ignored here (a separate check); the counterexample is the first
 * effect that overtook an earlier message of the same key.
 */
export function perKeyOrder(): Checker {
  return orderCheck('per key', (d) => d.key ?? '');
}

/** Global order: first effects of all messages happen in production order, whatever their keys. */
export function globalOrder(): Checker {
  return orderCheck('globally', () => '');
}

function orderCheck(scope: string, keyOf: (d: EffectData) => string): Checker {
  return (input) => {
    const order = productionOrder(input);
    const lastByKey = new Map<string, { index: number; e: HistoryEntry }>();
    const seen = new Set<string>();
    let checked = 0;
    for (const e of input.ofKind(WL.effect)) {
      const d = e.data as EffectData;
      if (seen.has(d.id)) continue;
      seen.add(d.id);
      const pos = order.get(d.id);
      if (!pos) continue;
      checked++;
      const key = keyOf(d);
      const last = lastByKey.get(key);
      if (last && pos.index < last.index) {
        const prevId = (last.e.data as EffectData).id;
        return fail(`order broken ${scope}${key ? ` for key ${key}` : ''}`, [
          {
            message: `message ${d.id} was produced before ${prevId}${key ? ` (key ${key})` : ''} but took effect after it, at ${formatTime(e.timeUs)} on ${e.node}`,
            ids: [prevId, d.id],
            node: e.node,
            timeUs: e.timeUs,
            seq: e.seq,
          },
        ]);
      }
      lastByKey.set(key, { index: pos.index, e });
    }
    return pass(`${checked} messages took effect in production order ${scope}`);
  };
}

/**
 * Causal order: on every node, if message a happened before message b (by the vector clocks they
 * were produced with), a's effect comes before b's. Concurrent messages may apply in any order.
 */
export function causalOrder(): Checker {
  return (input) => {
    const clocks = new Map<string, NonNullable<ProduceData['vc']>>();
    for (const e of input.ofKind(WL.produce)) {
      const d = e.data as ProduceData;
      if (d.vc && !clocks.has(d.id)) clocks.set(d.id, d.vc);
    }
    const appliedByNode = new Map<string, { id: string; e: HistoryEntry }[]>();
    let checked = 0;
    for (const e of input.ofKind(WL.effect)) {
      const d = e.data as EffectData;
      const vc = clocks.get(d.id) ?? d.vc;
      if (!vc) continue;
      let applied = appliedByNode.get(e.node);
      if (!applied) appliedByNode.set(e.node, (applied = []));
      for (const prev of applied) {
        const pvc = clocks.get(prev.id) ?? (prev.e.data as EffectData).vc!;
        if (vcCompare(vc, pvc) === 'before') {
          return fail(`causal order broken on ${e.node}`, [
            {
              message: `${e.node} applied ${prev.id} before ${d.id}, but ${d.id} happened before ${prev.id}`,
              ids: [d.id, prev.id],
              node: e.node,
              timeUs: e.timeUs,
              seq: e.seq,
            },
          ]);
        }
      }
      applied.push({ id: d.id, e });
      checked++;
    }
    return pass(`${checked} effects respected causality on every node`);
  };
}
