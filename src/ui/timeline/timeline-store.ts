import type { HistoryStore } from '../history/history-store';
import { START, type Moment, type MomentTarget } from './moment';

/**
 * The one current moment every view is scrubbed by. While `live`, it follows the end of the
 * history as batches stream in; any deliberate move (the slider, a click on an arrow, a console
 * line, a checker's counterexample) stops following until someone asks for the end again.
 */
export class TimelineStore {
  moment: Moment = START;
  live = true;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly history: HistoryStore) {
    history.subscribe(() => {
      if (this.live) this.set(this.endMoment(), true);
      else if (this.moment.seq >= history.length) this.set(this.endMoment(), false);
    });
  }

  /** Moves to a moment and stops following the stream. Without `seq`, lands on the last entry at that time. */
  jumpTo(target: MomentTarget): void {
    const timeUs = Math.min(Math.max(0, Math.round(target.timeUs)), this.history.endUs);
    const seq = target.seq ?? this.history.seqAt(timeUs);
    this.set({ timeUs, seq: Math.min(seq, this.history.length - 1) }, false);
  }

  /** Steps to the entry `delta` entries away from the current one. */
  step(delta: number): void {
    const n = this.history.length;
    if (n === 0) return;
    const seq = Math.min(n - 1, Math.max(-1, this.moment.seq + delta));
    this.set(seq < 0 ? START : { timeUs: this.history.timeOf(seq), seq }, false);
  }

  /** Moves by simulated time, landing on the last entry at the new time. */
  shift(deltaUs: number): void {
    this.jumpTo({ timeUs: this.moment.timeUs + deltaUs });
  }

  toStart(): void {
    this.set(START, false);
  }

  /** Goes to the end and follows the stream again. */
  toEnd(): void {
    this.set(this.endMoment(), true);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getMoment = (): Moment => this.moment;

  private endMoment(): Moment {
    const n = this.history.length;
    return n === 0 ? START : { timeUs: this.history.endUs, seq: n - 1 };
  }

  private set(m: Moment, live: boolean): void {
    if (m.timeUs === this.moment.timeUs && m.seq === this.moment.seq && live === this.live) return;
    this.moment = m;
    this.live = live;
    for (const l of this.listeners) l();
  }
}
