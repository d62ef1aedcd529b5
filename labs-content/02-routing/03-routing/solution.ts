import type { Ctx, Start } from 'brokerlab';

// In a topic pattern `*` is exactly one word and `#` zero or more, so each pattern says which words
// are fixed and how many may vary. A headers binding compares the listed headers: `x-match: all`
// is an AND over them, `any` an OR.

const SERVICES = ['audit', 'fulfilment', 'eu-ops', 'alerts', 'printing', 'archive'];

export async function setup(start: Start, ctx: Ctx): Promise<void> {
  const ch = ctx.channel;
  await ch.assertExchange('events', 'topic');
  await ch.assertExchange('documents', 'headers');
  for (const queue of SERVICES) await ch.assertQueue(queue);

  await ch.bindQueue('audit', 'events', 'order.#'); // order.eu.created, order.us.item.added, …
  await ch.bindQueue('fulfilment', 'events', 'order.*.created'); // three words: order, any region, created
  await ch.bindQueue('eu-ops', 'events', '*.eu.#'); // any entity, eu, then anything
  await ch.bindQueue('alerts', 'events', '#.failed'); // anything that ends in failed

  await ch.bindQueue('printing', 'documents', '', { 'x-match': 'all', format: 'pdf', priority: 'high' });
  await ch.bindQueue('archive', 'documents', '', { 'x-match': 'any', format: 'csv', retention: 'legal' });
}
