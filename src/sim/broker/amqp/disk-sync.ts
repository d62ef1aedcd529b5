/**
 * Group commit: callers ask to be told when everything written so far is durable, and one fsync
 * serves all who asked while the previous one was in flight (RabbitMQ's message store syncs in
 * batches the same way, then confirms every message the sync covered).
 */

import type { DiskError } from '../../disk.ts';
import type { SimNode } from '../../node.ts';

export class DiskSync {
  private inFlight = false;
  private waiting: ((err?: DiskError) => void)[] = [];

  constructor(private readonly node: SimNode) {}

  /** Runs `done` once every write issued before this call is durable (or the fsync failed). */
  sync(done: (err?: DiskError) => void): void {
    this.waiting.push(done);
    if (!this.inFlight) this.start();
  }

  private start(): void {
    this.inFlight = true;
    const batch = this.waiting;
    this.waiting = [];
    this.node.fsync((err) => {
      this.inFlight = false;
      for (const cb of batch) cb(err);
      if (this.waiting.length > 0) this.start();
    });
  }
}
