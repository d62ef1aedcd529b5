import type { AccountEvent } from 'brokerlab';

// Key by account. Every event of one account hashes to the same partition, and one consumer reads
// a partition in order, so an account's events are applied in the order they happened. With 120
// accounts the keys spread evenly over the six partitions, so no consumer carries the bank alone.

export function keyFor(event: AccountEvent): string | null {
  return event.accountId;
}
