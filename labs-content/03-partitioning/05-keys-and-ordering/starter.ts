import type { AccountEvent } from 'brokerlab';

// The account service publishes every account event to the Kafka topic `account-events`
// (six partitions). Three ledger nodes, one consumer group, apply the events to balances.
//
// keyFor decides each event's Kafka record key. The producer hashes the key to pick the
// partition, as Kafka does: the same key always lands on the same partition. Return null for
// no key.
//
// This version keys by region, so each region's events stay together. Run it and read the checks.

export function keyFor(event: AccountEvent): string | null {
  return event.region;
}
