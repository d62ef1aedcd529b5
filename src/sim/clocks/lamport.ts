/**
 * Lamport's logical clock: a counter that ticks on every local event and jumps past any timestamp
 * it receives, so if a happened before b then L(a) < L(b) (the converse does not hold).
 */
export class LamportClock {
  private t = 0;

  get time(): number {
    return this.t;
  }

  /** A local event or a send: the new timestamp. */
  tick(): number {
    return ++this.t;
  }

  /** A receive carrying timestamp `remote`: the new timestamp. */
  receive(remote: number): number {
    this.t = Math.max(this.t, remote) + 1;
    return this.t;
  }
}
