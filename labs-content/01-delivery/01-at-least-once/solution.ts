import type { Ctx, Message, OrderRecord } from 'brokerlab';

// At-least-once: charge first, commit after. A crash between the two means the record is
// delivered again after the restart, so the order is charged, perhaps twice (the next lab fixes
// that); a crash can no longer leave an order committed but never charged.

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  await ctx.payments.charge(orderId, amountCents);
  await ctx.commit(msg);
}
