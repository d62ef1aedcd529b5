import type { Ctx, Message, OrderRecord } from 'brokerlab';

// The billing service. Each Kafka record of the `orders` topic arrives here as one message.
// `ctx.commit(msg)` commits the record's offset to the consumer group; after a crash, billing
// resumes from the last committed offset. `ctx.payments.charge` charges the customer.
//
// This version commits first, so an order is never charged twice. Run it and read the checks.

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  await ctx.commit(msg);
  await ctx.payments.charge(orderId, amountCents);
}
