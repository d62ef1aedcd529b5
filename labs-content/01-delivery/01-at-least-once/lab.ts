import { lagBoundedAfterHeal, noLoss } from '../../../src/labs/checkers';
import { defineLab } from '../../../src/labs/lab/spec';
import { billingApi, billingCrashes, billingTypes, buildBillingScenario } from '../../../src/labs/scenarios/kafka-billing';

export default defineLab({
  id: 'at-least-once',
  title: 'At-most-once vs at-least-once',
  topic: 'delivery',
  broker: 'kafka',
  objectives: ['lo.delivery-guarantees', 'delivery.semantics', 'delivery.acknowledgments', 'scaling.consumer-groups'],
  summary: 'A billing service consumes orders from Kafka and charges each one. It crashes now and then. Decide when to commit the offset so that no order goes uncharged.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 11_000,
  healMs: 8_000,
  api: billingApi,
  apiTypes: billingTypes,
  faults: billingCrashes,
  checks: [
    { id: 'no-lost-charge', title: 'Every order charged', points: 70, checker: noLoss({ of: 'acked' }), teaches: 'Commit an offset only after the work it stands for is done, so a crash means redelivery, not loss.' },
    { id: 'caught-up', title: 'Billing catches up', points: 30, checker: lagBoundedAfterHeal({ lagMessagesMax: 0 }), teaches: 'After a crash and restart the consumer resumes from its committed offset and drains its backlog.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the evidence of "Every order charged": which order was lost, and when did billing crash? Find that moment in the space-time diagram.' },
    { afterFailures: 2, text: 'The committed offset is where a restarted consumer resumes. What had happened to the lost order when its offset was committed?' },
    { afterFailures: 3, text: 'Look at the order of the two awaits in handleMessage. Which one should come first if a crash can fall between them?' },
  ],
  build: (ctx) => buildBillingScenario(ctx, { orders: 170, orderEveryMs: 60, partitions: 3, billers: ['billing'] }),
});
