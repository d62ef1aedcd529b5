import type { Ctx, Message, OrderRecord } from 'brokerlab';

// Exactly-once effect over at-least-once delivery: the order id is the idempotency key, so when a
// crash makes Kafka deliver the record again, the provider recognises the retry and returns the
// first charge instead of charging again. Commit after the charge, as before, so nothing is lost.

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  const charge = await ctx.payments.charge(orderId, amountCents, `order-${orderId}`);
  if (charge.replayed) console.log(`order ${orderId} was charged before the crash; not charging again`);
  await ctx.commit(msg);
}
