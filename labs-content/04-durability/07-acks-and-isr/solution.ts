import type { ProducerSettings, TopicSettings } from 'brokerlab';

// acks=all: the leader acknowledges a payment only once every in-sync replica has it.
// min.insync.replicas=2: and only while at least two replicas are in sync; with fewer, the write
// is refused (NOT_ENOUGH_REPLICAS) instead of being acknowledged by a lone leader whose crash
// would lose it. Three replicas leave room for one broker to be down without refusing writes.
// No unclean leader election: a replica that missed acknowledged records never becomes leader.

export function topicConfig(): TopicSettings {
  return {
    replicationFactor: 3,
    config: {
      'min.insync.replicas': 2,
      'unclean.leader.election.enable': false,
    },
  };
}

export function producerConfig(): ProducerSettings {
  return { acks: 'all' };
}
