/**
 * A node's wall clock. It reads true time plus an offset, plus drift (parts per million) since the
 * drift was last set; a step (an NTP correction or a bad clock) jumps the offset and can move the
 * reading backwards, as real clocks do.
 */
export class PhysicalClock {
  private offsetUs = 0;
  private driftPpmValue = 0;
  private driftSinceUs = 0;

  /** The clock's reading at true time `trueNowUs`, in whole microseconds. */
  readUs(trueNowUs: number): number {
    return trueNowUs + this.offsetUs + Math.round(((trueNowUs - this.driftSinceUs) * this.driftPpmValue) / 1_000_000);
  }

  /** Jumps the clock by `deltaUs` (positive: ahead; negative: behind). */
  step(deltaUs: number): void {
    this.offsetUs += Math.round(deltaUs);
  }

  /** Sets the drift rate from now on, keeping the error accumulated so far. */
  setDrift(ppm: number, trueNowUs: number): void {
    this.offsetUs = this.readUs(trueNowUs) - trueNowUs;
    this.driftSinceUs = trueNowUs;
    this.driftPpmValue = ppm;
  }

  get driftPpm(): number {
    return this.driftPpmValue;
  }

  /** How far the clock is from true time at `trueNowUs`. */
  errorUs(trueNowUs: number): number {
    return this.readUs(trueNowUs) - trueNowUs;
  }
}
