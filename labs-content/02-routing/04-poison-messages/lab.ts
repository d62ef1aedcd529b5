import { noDuplicateEffect } from '../../../src/labs/checkers';
import { defineLab } from '../../../src/labs/lab/spec';
import { buildPoisonScenario, goodJobsRendered, healthyJobsFlow, poisonApi, poisonDeadLettered, poisonTypes, retriesBackOff } from '../../../src/labs/scenarios/amqp-poison';

export default defineLab({
  id: 'poison-messages',
  title: 'Poison messages: retries with backoff, a limit and a dead-letter queue',
  topic: 'routing',
  broker: 'rabbitmq',
  objectives: ['lo.delivery-guarantees', 'delivery.retry-dlq', 'delivery.acknowledgments'],
  summary: 'A worker renders jobs from a RabbitMQ queue. Some jobs are poison, some fail now and then, and the renderer goes down for a second. Retry with exponential backoff and jitter through TTL queues, give up after five attempts into a dead-letter queue, and keep healthy jobs flowing.',
  seeds: Array.from({ length: 20 }, (_, i) => i + 1),
  chaosMs: 6_500,
  healMs: 5_000,
  api: poisonApi,
  apiTypes: poisonTypes,
  checks: [
    { id: 'good-jobs-rendered', title: 'Every good job rendered', points: 25, checker: goodJobsRendered(), teaches: 'Transient failures deserve retries that outlast them; only a job that keeps failing is given up on.' },
    { id: 'rendered-once', title: 'No job rendered twice', points: 10, checker: noDuplicateEffect(), teaches: 'A retry replaces the failed delivery: republish and acknowledge it, never keep both.' },
    { id: 'poison-dead-lettered', title: 'Poison jobs dead-lettered within 5 attempts', points: 20, checker: poisonDeadLettered(), teaches: 'A retry limit plus a dead-letter queue isolates poison messages, with the reason, for a person to look at.' },
    { id: 'no-head-of-line-blocking', title: 'Healthy jobs keep flowing', points: 20, checker: healthyJobsFlow(), teaches: 'Requeueing a failing message puts it back at the head of the queue; retries must wait somewhere else.' },
    { id: 'backoff', title: 'Retries back off', points: 25, checker: retriesBackOff(), teaches: 'Exponential backoff gives a struggling dependency more and more room; jitter keeps retries from arriving in lockstep.' },
  ],
  hints: [
    { afterFailures: 1, text: 'Open the evidence of "Healthy jobs keep flowing": which jobs was the worker busy with? In the History, filter on amqp.requeue: where does a nacked message go, and how soon is it delivered again?' },
    { afterFailures: 2, text: 'A message that waits for its retry must not wait in `work`. Where else can it wait? A queue with x-message-ttl and an x-dead-letter-exchange sends each message on when its time is up.' },
    { afterFailures: 3, text: 'Count attempts yourself: republish the job with a header such as x-attempt and the next number, then ack the original. After five attempts, reject it without requeue: the work queue\'s dead-letter settings decide where it goes.' },
    { afterFailures: 4, text: 'One retry queue per attempt (work.retry.1, work.retry.2, …), each with its own TTL that doubles, routes back to work. For jitter, publish with a per-message expiration a little above or below the level\'s delay — but keep each wait longer than the one before.' },
  ],
  build: (ctx) =>
    buildPoisonScenario(ctx, { jobs: 150, everyMs: 35, poisonChance: 0.05, flakyChance: 0.1, outageFromMs: 2_000, outageToMs: 3_500, outageMs: 1_000 }),
});
