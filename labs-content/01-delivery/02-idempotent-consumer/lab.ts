import { noDuplicateEffect, noLoss } from '../../../src/labs/checkers';
import { defineLab } from '../../../src/labs/lab/spec';
import { billingApi, billingCrashes, billingTypes, buildBillingScenario } from '../../../src/labs/scenarios/kafka-billing';

export default defineLab({
  id: 'idempotent-consumer',
  title: 'Idempotent consumer: exactly-once effects',
  topic: 'delivery',
  broker: 'kafka',
  objectives: ['lo.delivery-guarantees', 'delivery.semantics', 'delivery.acknowledgments'],
  summary: 'At-least-once delivery charges some customers twice when billing crashes. Make charging idempotent so every order is charged exactly once, whatever is redelivered.',
  // The first seeds are ones where a crash falls between a charge and its commit.
  seeds: [3, 5, 10, 6, 8, 4, 7, 1, 2, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
  chaosMs: 11_000,
  healMs: 8_000,
  api: billingApi,
  apiTypes: billingTypes,
  faults: billingCrashes,
  checks: [
    { id: 'no-lost-charge', title: 'Every order charged', points: 40, checker: noLoss({ of: 'acked' }), teaches: 'Commit after the work: redelivery, not loss.' },
    { id: 'no-double-charge', title: 'No order charged twice', points: 60, checker: noDuplicateEffect(), teaches: 'Redelivery is normal; an idempotent effect makes doing the work twice harmless.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the evidence of "No order charged twice": find both charges of that order in the space-time diagram. What happened to billing between them?' },
    { afterFailures: 2, text: 'A "have I charged this already?" record in ctx.db does not close the gap: a crash can still fall between the charge and the write of that record. The provider has to recognise the retry.' },
    { afterFailures: 3, text: 'Read the API of ctx.payments.charge in the editor (hover it). One of its parameters exists exactly for this.' },
  ],
  build: (ctx) => buildBillingScenario(ctx, { orders: 170, orderEveryMs: 60, partitions: 3, billers: ['billing'] }),
});
