import type { Ctx, Message, OrderRecord } from 'brokerlab';

// At-least-once, from the previous lab: charge first, commit after. No order is lost.
// Run it: look at "No order charged twice". What happens when a crash falls after the charge
// but before the commit?

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  await ctx.payments.charge(orderId, amountCents);
  await ctx.commit(msg);
}
