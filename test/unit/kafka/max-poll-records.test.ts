/**
 * Regression: a poll hands out at most `max.poll.records` records, and `max.poll.interval.ms`
 * bounds the time between polls, not the time to drain the whole buffer. The bug: with a handler
 * that returns a promise (every learner handler does), the consumer left its record loop before
 * noticing the poll was complete, so a backlog became one endless "poll" and a handler well
 * within the limit per poll still timed out. Kafka: "max.poll.records: The maximum number of
 * records returned in a single call to poll()" and "max.poll.interval.ms: The maximum delay
 * between invocations of poll()" (https://kafka.apache.org/documentation/#consumerconfigs_max.poll.records,
 * https://kafka.apache.org/documentation/#consumerconfigs_max.poll.interval.ms).
 */
import { describe, expect, it } from 'vitest';
import { KafkaKinds } from '../../../src/sim/broker/kafka/kinds.ts';
import { SimPromise } from '../../../src/sim/sim-promise';
import { createTopic, entries, ms, sec, settle, startCluster } from './kafka-test-helpers.ts';

/** 40 records of backlog, an async handler of 100 ms each, a 1 s poll interval: how many polls timed out? */
function backlog(maxPollRecords: number) {
  const s = startCluster(61, { config: { 'group.initial.rebalance.delay.ms': 0 } });
  createTopic(s, 't', 1, 1);
  const producer = s.cluster.client('producer').producer();
  settle(s.world, producer.connect());
  settle(s.world, producer.send({ topic: 't', messages: Array.from({ length: 40 }, (_, i) => ({ value: `v${i}` })) }));
  const c = s.cluster.client('c1').consumer({ 'group.id': 'g', 'max.poll.records': maxPollRecords, 'max.poll.interval.ms': 1000, 'session.timeout.ms': 10_000 });
  c.subscribe({ topics: ['t'], fromBeginning: true });
  const node = s.world.node('c1');
  const seen: string[] = [];
  c.run({
    eachMessage: ({ message }) => {
      const done = new SimPromise<void>();
      node.setTimer(ms(100), () => {
        seen.push(message.value!);
        done.resolve();
      });
      return done;
    },
  });
  s.world.runFor(sec(12));
  return { seen, pollTimeouts: entries(s.world, KafkaKinds.member).filter((e) => e.data.event === 'poll-timeout').length };
}

describe('max.poll.records with handlers that return promises', () => {
  it('five records of 100 ms a poll stay within a 1 s max.poll.interval.ms, however long the backlog', () => {
    const r = backlog(5);
    expect(r.pollTimeouts).toBe(0);
    expect(r.seen).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`));
  });

  it('twelve records of 100 ms a poll overrun it, and the member leaves (KIP-62)', () => {
    expect(backlog(12).pollTimeouts).toBeGreaterThan(0);
  });
});
