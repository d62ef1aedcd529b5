import type { SimNode } from '../../node';
import { SimPromise } from '../../sim-promise';
import type { Admin, ITopicConfig } from './admin';
import { KafkaConfigError } from './config';

/** How long to wait between attempts, and how many attempts at most. */
const RETRY_US = 100_000;
const ATTEMPTS_MAX = 100;

/**
 * Creates a topic once the cluster can hold it (labs, demos and the playground use it). At time zero no broker has registered with
 * the controller yet, so a first CreateTopics fails (INVALID_REPLICATION_FACTOR: "only 0
 * broker(s) are registered"); an operator's script would retry, and so does this. Start the lab's
 * clients only when the promise resolves: a client that asks for an unknown topic's metadata
 * earlier gets it auto-created with the broker defaults (one partition, one replica).
 */
export function createTopicWhenReady(admin: Admin, node: SimNode, topic: ITopicConfig): SimPromise<void> {
  const done = new SimPromise<void>();
  let attempts = 0;
  const attempt = (): void => {
    attempts++;
    admin.createTopics({ topics: [topic] }).onSettled((r) => {
      if (r.state === 'fulfilled') return done.resolve();
      // A bad topic config will not get better by retrying.
      if (r.reason instanceof KafkaConfigError || attempts >= ATTEMPTS_MAX) return done.reject(r.reason);
      node.setTimer(RETRY_US, attempt);
    });
  };
  attempt();
  return done;
}
