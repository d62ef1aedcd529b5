import type { ProducerSettings, TopicSettings } from 'brokerlab';

// The checkout service records every payment in the Kafka topic `payments` and tells the
// customer "paid" once Kafka acknowledges the record. The lab calls these two functions once, at
// start: topicConfig() to create the topic, producerConfig() to make the producer.
//
// These settings are tuned for speed and availability. Run it and read the checks.

export function topicConfig(): TopicSettings {
  return {
    replicationFactor: 3,
    config: {
      'min.insync.replicas': 1,
      'unclean.leader.election.enable': true,
    },
  };
}

export function producerConfig(): ProducerSettings {
  return { acks: 1 };
}
