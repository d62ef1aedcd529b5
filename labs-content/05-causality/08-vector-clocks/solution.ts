import type { Ctx, Json, Message, Request } from 'brokerlab';

// Each value carries a vector clock: one counter per replica. A clock that is after another means
// its write saw the other one; clocks that are neither before nor after are concurrent, and both
// values are kept as siblings until a write that saw them all replaces them.

const PEERS = ['eu', 'us', 'ap'];

type Clock = Record<string, number>;

interface Sibling {
  value: Json;
  clock: Clock;
}

type ClientRequest = { op: 'get' } | { op: 'put'; value: Json; context: Json };

function merge(a: Clock, b: Clock): Clock {
  const out: Clock = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** True when every entry of a is ≤ b's: a's write is in b's past (or they are the same write). */
function covered(a: Clock, b: Clock): boolean {
  return Object.entries(a).every(([k, v]) => v <= (b[k] ?? 0));
}

function isClock(x: unknown): x is Clock {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'number');
}

let siblings: Sibling[] = [];

/** Adds a sibling unless one we hold already covers it, dropping the ones it covers. */
function absorb(s: Sibling): boolean {
  if (siblings.some((o) => covered(s.clock, o.clock))) return false;
  siblings = [...siblings.filter((o) => !covered(o.clock, s.clock)), s];
  return true;
}

export async function handleRequest(req: Request<ClientRequest>, ctx: Ctx): Promise<Json> {
  if (req.payload.op === 'get') {
    const context = siblings.reduce<Clock>((acc, s) => merge(acc, s.clock), {});
    return { values: siblings.map((s) => s.value), context: context as Json };
  }
  const seen = isClock(req.payload.context) ? req.payload.context : {};
  const clock = { ...seen, [ctx.node]: (seen[ctx.node] ?? 0) + 1 };
  const mine: Sibling = { value: req.payload.value, clock };
  absorb(mine);
  await ctx.db.put('doc', siblings as unknown as Json);
  for (const peer of PEERS) if (peer !== ctx.node) ctx.send(peer, mine as unknown as Json);
  return 'ok';
}

export async function handleMessage(msg: Message<Sibling>, ctx: Ctx): Promise<void> {
  if (absorb(msg.payload)) await ctx.db.put('doc', siblings as unknown as Json);
}
