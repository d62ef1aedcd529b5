import type { ConsumerSettings, Ctx, Message, OrderRecord } from 'brokerlab';

// Cooperative rebalancing: when a member joins or leaves, only the partitions that change owner
// stop; every other partition keeps flowing. With an eager assignor (range, roundrobin, sticky)
// every member gives up all its partitions at every rebalance and waits for the new assignment.
//
// In a group a record is redelivered to whichever node owns its partition next, so "have I
// charged this?" must be answered where the effect happens: the order id is the provider's
// idempotency key, the same on every node. Commit after the charge, so nothing is lost.

export function consumerConfig(node: string): ConsumerSettings {
  return { 'partition.assignment.strategy': ['cooperative-sticky'] };
}

export async function handleMessage(msg: Message<OrderRecord>, ctx: Ctx): Promise<void> {
  const { orderId, amountCents } = msg.payload.order;
  await ctx.payments.charge(orderId, amountCents, `order-${orderId}`);
  await ctx.commit(msg);
}
