import type { Json } from './api';

/**
 * What learner nodes and the nodes around them send each other across the simulated network.
 * Anything that is not one of these shapes is delivered to `handleMessage` as the payload itself,
 * so a plain model node can simply `node.send('orders', { id: 1 })`.
 */
export type Wire =
  /** One message for `handleMessage`. */
  | { wire: 'message'; body: Json }
  /** Many messages in one network message: handled in one crossing. */
  | { wire: 'batch'; bodies: Json[] }
  /** `ctx.call` (op `call`, answered by `handleRequest`) or `ctx.commit` (op `commit`, answered by the message's source). */
  | { wire: 'request'; id: string; op: 'call' | 'commit'; body: Json }
  | { wire: 'response'; id: string; ok: boolean; body?: Json; error?: string };

/** What `ctx.commit(msg)` asks the message's source to acknowledge. */
export interface CommitBody {
  /** The network message id the message arrived in. */
  msgId: number;
  /** Its position in a batch, when it came in one. */
  index?: number;
}

export function isWire(x: unknown): x is Wire {
  if (typeof x !== 'object' || x === null) return false;
  const w = (x as { wire?: unknown }).wire;
  switch (w) {
    case 'message':
      return 'body' in x;
    case 'batch':
      return Array.isArray((x as { bodies?: unknown }).bodies);
    case 'request':
      return typeof (x as { id?: unknown }).id === 'string' && ((x as { op?: unknown }).op === 'call' || (x as { op?: unknown }).op === 'commit');
    case 'response':
      return typeof (x as { id?: unknown }).id === 'string' && typeof (x as { ok?: unknown }).ok === 'boolean';
    default:
      return false;
  }
}
