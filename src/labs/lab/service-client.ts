import type { Envelope, SimNode } from '../../sim/node';
import { SimPromise } from '../../sim/sim-promise';
import type { Json } from '../sandbox/api';
import { isWire, type Wire } from '../sandbox/wire';

/**
 * How a lab's own model nodes (workload clients, auditors) call learner services: the same wire
 * requests `ctx.call` uses, answered by the learner's `handleRequest`. Replies are matched by id;
 * a call that gets no reply within its timeout rejects, as a real RPC would.
 */
export class ServiceClient {
  private seq = 0;
  private readonly pending = new Map<string, { promise: SimPromise<Json>; timer: ReturnType<SimNode['setTimer']> }>();

  constructor(private readonly node: SimNode) {}

  /** Calls `service` with `payload`; rejects with an Error after `timeoutMs` of simulated time. */
  call(service: string, payload: Json, timeoutMs = 1000): SimPromise<Json> {
    const id = `${this.node.name}~${++this.seq}`;
    const promise = new SimPromise<Json>();
    const timer = this.node.setTimer(timeoutMs * 1000, () => {
      if (this.pending.delete(id)) promise.reject(new Error(`${service} did not answer within ${timeoutMs} ms`));
    });
    this.pending.set(id, { promise, timer });
    this.node.send(service, { wire: 'request', id, op: 'call', body: payload } satisfies Wire, { label: { type: 'call', to: service } });
    return promise;
  }

  /** Feeds an arriving message; returns true when it was a reply to one of this client's calls. */
  receive(payload: unknown, _env?: Envelope): boolean {
    if (!isWire(payload) || payload.wire !== 'response' || !payload.id.startsWith(`${this.node.name}~`)) return false;
    const p = this.pending.get(payload.id);
    if (!p) return true;
    this.pending.delete(payload.id);
    this.node.cancelTimer(p.timer);
    if (payload.ok) p.promise.resolve(payload.body ?? null);
    else p.promise.reject(new Error(payload.error ?? 'the call failed'));
    return true;
  }
}
