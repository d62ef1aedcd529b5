import type { Ctx, Json, Message, Request } from 'brokerlab';

// Three replicas (eu, us, ap) each hold a copy of one shared document. A client reads from its
// home replica, then writes a new value, handing back the `context` its read returned.
//
// This version is last-writer-wins: every value is stamped with this node's clock, and a replica
// keeps whichever value has the larger stamp. Run it and read the failed checks.

const PEERS = ['eu', 'us', 'ap'];

interface Stored {
  value: Json;
  stamp: number;
}

type ClientRequest = { op: 'get' } | { op: 'put'; value: Json; context: Json };

let current: Stored | undefined;

export async function handleRequest(req: Request<ClientRequest>, ctx: Ctx): Promise<Json> {
  if (req.payload.op === 'get') {
    return { values: current ? [current.value] : [], context: current ? current.stamp : null };
  }
  const stored: Stored = { value: req.payload.value, stamp: ctx.now() };
  current = stored;
  await ctx.db.put('doc', stored as unknown as Json);
  for (const peer of PEERS) if (peer !== ctx.node) ctx.send(peer, stored as unknown as Json);
  return 'ok';
}

export async function handleMessage(msg: Message<Stored>, ctx: Ctx): Promise<void> {
  const incoming = msg.payload;
  if (!current || incoming.stamp > current.stamp) {
    current = incoming;
    await ctx.db.put('doc', incoming as unknown as Json);
  }
}
