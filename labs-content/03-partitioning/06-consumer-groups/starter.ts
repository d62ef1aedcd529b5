import type { ConsumerSettings, Ctx, Message, OrderRecord } from 'brokerlab';

// Billing is now a consumer group: billing-1 and billing-2 share the partitions of `orders`, and
// billing-3 is deployed during the run. Each node runs this code inside its own Kafka consumer.
//
// consumerConfig(node) is called once when a node's consumer starts; it returns the consumer
// settings you may choose (hover ConsumerSettings). handleMessage charges each order.
//
// Orders can be delivered again after a crash, so this version remembers the orders it charged
// in its database and skips them. Run it and read the checks.

export function consumerConfig(node: string): ConsumerSettings {
  return { 'partition.assignment.strategy': ['range'] };
}

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  if ((await ctx.db.get(`charged:${orderId}`)) === undefined) {
    await ctx.payments.charge(orderId, amountCents);
    await ctx.db.put(`charged:${orderId}`, true);
  }
  await ctx.commit(msg);
}
