import type { ArrowState } from '../../history/message-index';
import type { HistoryStore } from '../../history/history-store';
import { formatUs } from '../../format-time';

/** What a person wants to know about one message copy, read from its send and end entries. */
export interface MessageDetails {
  arrow: number;
  msgId: number;
  from: string;
  to: string;
  state: ArrowState;
  sentUs: number;
  sendSeq: number;
  endUs?: number;
  /** Why it was dropped (`partition`, `loss`, `node-down`, …). */
  reason?: string;
  /** The message's label without its vector clock, e.g. `event` or `ping seq=3 attempt=2`. */
  label: string;
  /** The vector clock the sender stamped on it, when its label carries one (`vc`). */
  vc?: string;
}

export function messageDetails(h: HistoryStore, a: number): MessageDetails {
  const m = h.messages;
  const send = h.entry(m.sendSeq[a]!);
  const endSeq = m.endSeq[a]!;
  const end = endSeq >= 0 ? h.entry(endSeq) : undefined;
  const label = (send?.data ?? {}) as Record<string, unknown>;
  const { type, vc, ...rest } = typeof label === 'object' && label !== null ? label : ({} as Record<string, unknown>);
  const words = [typeof type === 'string' ? type : 'message', ...Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`)];
  const reason = (end?.data as { reason?: unknown } | undefined)?.reason;
  return {
    arrow: a,
    msgId: m.msgId[a]!,
    from: h.nodes.names[m.from[a]!] ?? '?',
    to: h.nodes.names[m.to[a]!] ?? '?',
    state: m.stateOf(a),
    sentUs: m.sendTimeUs[a]!,
    sendSeq: m.sendSeq[a]!,
    endUs: end?.timeUs,
    reason: typeof reason === 'string' ? reason : undefined,
    label: words.join(' '),
    vc: isVectorClock(vc) ? formatVectorClock(vc) : undefined,
  };
}

/** One sentence for the details line and screen readers. */
export function describeMessage(d: MessageDetails): string {
  const head = `Message ${d.msgId}, ${d.from} → ${d.to}, ${d.label}, sent at ${formatUs(d.sentUs)}`;
  const tail =
    d.state === 'delivered'
      ? `, delivered at ${formatUs(d.endUs!)} (after ${formatUs(d.endUs! - d.sentUs)})`
      : d.state === 'dropped'
        ? `, lost at ${formatUs(d.endUs!)}${d.reason ? ` (${d.reason})` : ''}`
        : ', still in flight';
  return `${head}${tail}${d.vc ? `; vector clock ${d.vc}` : ''}.`;
}

type VectorClock = Readonly<Record<string, number>>;

/** `{n1:2, n3:1}`, the engine's own notation (the UI reads the clock as plain data, not through src/sim). */
function formatVectorClock(vc: VectorClock): string {
  return `{${Object.entries(vc)
    .map(([k, v]) => `${k}:${v}`)
    .join(', ')}}`;
}

function isVectorClock(v: unknown): v is VectorClock {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((n) => typeof n === 'number');
}
