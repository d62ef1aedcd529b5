import type { Ctx, Start } from 'brokerlab';

// Your service runs once, when the system starts: it declares the exchanges, the queues and the
// bindings. The shop publishes events to the topic exchange `events`; invoicing publishes documents
// to the headers exchange `documents`. Each of the six services consumes the queue named after it.
//
// These bindings look reasonable. Run it and read the checks.

const SERVICES = ['audit', 'fulfilment', 'eu-ops', 'alerts', 'printing', 'archive'];

export async function setup(start: Start, ctx: Ctx): Promise<void> {
  const ch = ctx.channel;
  await ch.assertExchange('events', 'topic');
  await ch.assertExchange('documents', 'headers');
  for (const queue of SERVICES) await ch.assertQueue(queue);

  // Events: routing keys like order.eu.created, payment.us.card.failed.
  await ch.bindQueue('audit', 'events', 'order.*'); // every order event
  await ch.bindQueue('fulfilment', 'events', '#.created'); // new orders
  await ch.bindQueue('eu-ops', 'events', '*.eu.*'); // everything in the EU
  await ch.bindQueue('alerts', 'events', '#.failed'); // every failure

  // Documents: routed by their headers (format, priority, retention).
  await ch.bindQueue('printing', 'documents', '', { 'x-match': 'any', format: 'pdf', priority: 'high' }); // urgent PDFs
  await ch.bindQueue('archive', 'documents', '', { 'x-match': 'any', format: 'csv', retention: 'legal' }); // CSVs and legal holds
}
