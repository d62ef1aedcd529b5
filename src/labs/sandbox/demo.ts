import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { NodeFactory, SimNode } from '../../sim/node';
import { World } from '../../sim/world';
import type { Json } from './api';
import type { Budgets } from './budgets';
import { learnerNode, type BudgetPolicy } from './learner-node';
import type { LearnerProgram } from './program';
import { isWire, type Wire } from './wire';

/** History kinds the demo's model nodes record. */
export const DemoKinds = {
  /** The producer saw a commit. Data: `{ msgId, index? }`. */
  committed: 'demo.committed',
} as const;

/**
 * The demo handler: for each order, ask the pricing service, store the order, add it to the
 * running revenue, commit. Every await takes simulated time, so a crash can land after the order
 * is stored and before the commit: on redelivery the order would be counted twice.
 */
export const DEMO_HANDLER = `import type { Ctx, Message } from 'brokerlab';

interface Order { id: number; sku: string; qty: number }

let handled = 0;

export async function handleMessage(msg: Message<Order>, ctx: Ctx): Promise<void> {
  const order = msg.payload;
  const quote = (await ctx.call('pricing', { sku: order.sku })) as { price: number };
  const total = quote.price * order.qty;
  await ctx.db.put(\`order:\${order.id}\`, { total, at: ctx.now() });
  const revenue = ((await ctx.db.get('revenue')) as number | undefined) ?? 0;
  await ctx.db.put('revenue', revenue + total);
  await ctx.commit(msg);
  handled++;
  console.log(\`order \${order.id} stored and committed (\${handled} since start)\`);
}
`;

export interface DemoOptions {
  program: LearnerProgram;
  seed?: number | string;
  /** Orders the producer sends (default 10). */
  orders?: number;
  /** Simulated milliseconds between sends (default 5). */
  intervalMs?: number;
  /** Orders per network message; above 1 they travel as one batch and are handled in one crossing (default 1). */
  batchSize?: number;
  budgets?: Partial<Budgets>;
  onBudgetExceeded?: BudgetPolicy;
  quickjs?: QuickJSWASMModule;
}

export interface DemoWorld {
  world: World;
  producer: SimNode;
  pricing: SimNode;
  learner: SimNode;
}

/** An order the producer sends: `{ id, sku, qty }`. */
export function demoOrder(i: number): { id: number; sku: string; qty: number } {
  return { id: i, sku: `sku-${i % 3}`, qty: 1 + (i % 4) };
}

/**
 * A small world for tests, the bench and the hostile suite: `producer` sends orders to the
 * learner node `orders` and acknowledges commits; `pricing` answers price requests.
 */
export function buildDemoWorld(opts: DemoOptions): DemoWorld {
  const world = new World({ seed: opts.seed ?? 1 });
  const producer = world.addNode('producer', producerNode(opts.orders ?? 10, opts.intervalMs ?? 5, opts.batchSize ?? 1));
  const pricing = world.addNode('pricing', pricingNode());
  const learner = world.addNode(
    'orders',
    learnerNode({ program: opts.program, budgets: opts.budgets, onBudgetExceeded: opts.onBudgetExceeded, quickjs: opts.quickjs }),
  );
  return { world, producer, pricing, learner };
}

function producerNode(orders: number, intervalMs: number, batchSize: number): NodeFactory {
  return (node) => {
    let next = 0;
    const sendSome = (): void => {
      if (next >= orders) return;
      const bodies: Json[] = [];
      while (bodies.length < batchSize && next < orders) bodies.push(demoOrder(next++));
      const w: Wire = batchSize === 1 ? { wire: 'message', body: bodies[0]! } : { wire: 'batch', bodies };
      node.send('orders', w);
      node.setTimer(Math.round(intervalMs * 1000), sendSome);
    };
    node.setTimer(0, sendSome);
    return {
      onMessage(payload, env) {
        if (!isWire(payload) || payload.wire !== 'request' || payload.op !== 'commit') return;
        node.record(DemoKinds.committed, payload.body);
        node.send(env.from, { wire: 'response', id: payload.id, ok: true } satisfies Wire);
      },
    };
  };
}

function pricingNode(): NodeFactory {
  return (node) => ({
    onMessage(payload, env) {
      if (!isWire(payload) || payload.wire !== 'request' || payload.op !== 'call') return;
      const sku = (payload.body as { sku?: unknown } | null)?.sku;
      const reply: Wire =
        typeof sku === 'string'
          ? { wire: 'response', id: payload.id, ok: true, body: { price: 10 + sku.length } }
          : { wire: 'response', id: payload.id, ok: false, error: 'pricing: the request needs a string "sku"' };
      node.send(env.from, reply);
    },
  });
}
