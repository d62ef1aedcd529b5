/**
 * Frames written within one simulated instant leave together, as a socket write coalesces what a
 * process wrote before it yielded: the first frame schedules a flush at the same instant, and the
 * flush hands every frame written meanwhile to `send` as one packet. A crash drops what was not
 * flushed (the timer belongs to the incarnation that wrote).
 */

import type { SimNode } from '../../node.ts';

export class Outbox<F> {
  private frames: F[] = [];
  private scheduled = false;

  constructor(
    private readonly node: SimNode,
    private readonly send: (frames: F[]) => void,
  ) {}

  push(frame: F): void {
    this.frames.push(frame);
    if (!this.scheduled) {
      this.scheduled = true;
      this.node.setTimer(0, this.flush);
    }
  }

  /** Frames waiting for the flush. */
  get pending(): number {
    return this.frames.length;
  }

  /** Sends what is waiting now (also called by the timer). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.frames.length === 0) return;
    const frames = this.frames;
    this.frames = [];
    this.send(frames);
  };

  /** Forgets what is waiting (the connection is gone). */
  discard(): void {
    this.frames = [];
  }
}
