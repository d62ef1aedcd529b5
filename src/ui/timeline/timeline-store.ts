import type { HistoryStore } from '../history/history-store';
import { START, type Moment, type MomentTarget } from './moment';
import { browserFrames, ENTRY_INTERVAL_MS, FRAME_GAP_MAX_MS, type FrameSource, type PlaybackSpeed } from './playback';

/**
 * The one current moment every view is scrubbed by. While `live`, it follows the end of the
 * history as batches stream in; any deliberate move (the slider, a click on an arrow, a console
 * line, a checker's counterexample) stops following until someone asks for the end again.
 *
 * Playback moves the moment forward by itself: `speed` simulated seconds per wall second, or
 * entry by entry. It plays from the moment (from the start, if the moment is at the end), waits
 * at the end of a history that is still streaming, and pauses at the end of a complete one.
 * Stepping and going to the end pause it; a jump (the slider, a console line, a counterexample)
 * carries on playing from there, as a video player does.
 */
export class TimelineStore {
  moment: Moment = START;
  live = true;
  /** Playing or paused, and how fast: replaced (not changed) on every change, for React. */
  playback: { playing: boolean; speed: PlaybackSpeed } = { playing: false, speed: 1 };
  private readonly listeners = new Set<() => void>();
  private frame: number | undefined;
  private lastFrameMs: number | undefined;
  private entryCreditMs = 0;
  private runId: number;

  constructor(
    private readonly history: HistoryStore,
    private readonly frames: FrameSource = browserFrames,
  ) {
    this.runId = history.runId;
    history.subscribe(() => {
      // A new run ends the playback of the old one.
      if (history.runId !== this.runId) {
        this.runId = history.runId;
        if (this.playing) {
          this.stopPlaying();
          this.notify();
        }
      }
      if (this.live) this.set(this.endMoment(), true);
      else if (this.moment.seq >= history.length) this.set(this.endMoment(), false);
    });
  }

  /** Starts playback from the moment; from the start when the moment is already at the end. */
  play(): void {
    if (this.playing || this.history.length === 0) return;
    if (this.atEnd()) this.moment = START;
    this.live = false;
    this.playback = { ...this.playback, playing: true };
    this.lastFrameMs = undefined;
    this.entryCreditMs = 0;
    this.notify();
    this.scheduleFrame();
  }

  pause(): void {
    if (!this.playing) return;
    this.stopPlaying();
    this.notify();
  }

  togglePlay(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: PlaybackSpeed): void {
    if (speed === this.speed) return;
    this.playback = { ...this.playback, speed };
    this.entryCreditMs = 0;
    this.notify();
  }

  /** Moves to a moment and stops following the stream. Without `seq`, lands on the last entry at that time. */
  jumpTo(target: MomentTarget): void {
    const timeUs = Math.min(Math.max(0, Math.round(target.timeUs)), this.history.endUs);
    const seq = target.seq ?? this.history.seqAt(timeUs);
    this.set({ timeUs, seq: Math.min(seq, this.history.length - 1) }, false);
  }

  /** Steps to the entry `delta` entries away from the current one (and pauses playback). */
  step(delta: number): void {
    this.stopPlaying();
    this.stepBy(delta);
  }

  private stepBy(delta: number): void {
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

  /** Goes to the end and follows the stream again (and pauses playback). */
  toEnd(): void {
    this.stopPlaying();
    this.set(this.endMoment(), true, true);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getMoment = (): Moment => this.moment;

  getPlayback = (): { playing: boolean; speed: PlaybackSpeed } => this.playback;

  get playing(): boolean {
    return this.playback.playing;
  }

  get speed(): PlaybackSpeed {
    return this.playback.speed;
  }

  private endMoment(): Moment {
    const n = this.history.length;
    return n === 0 ? START : { timeUs: this.history.endUs, seq: n - 1 };
  }

  /** True when the moment is at (or past) the last entry there is. */
  private atEnd(): boolean {
    return this.moment.seq >= this.history.length - 1 && this.moment.timeUs >= this.history.endUs;
  }

  private scheduleFrame(): void {
    if (this.frame === undefined) this.frame = this.frames.request(this.onFrame);
  }

  private stopPlaying(): void {
    if (this.playing) this.playback = { ...this.playback, playing: false };
    if (this.frame !== undefined) this.frames.cancel(this.frame);
    this.frame = undefined;
  }

  /** One frame of playback: moves the moment by the wall time since the last frame. */
  private readonly onFrame = (nowMs: number): void => {
    this.frame = undefined;
    if (!this.playing) return;
    const elapsedMs = this.lastFrameMs === undefined ? 0 : Math.min(FRAME_GAP_MAX_MS, Math.max(0, nowMs - this.lastFrameMs));
    this.lastFrameMs = nowMs;
    if (this.atEnd()) {
      // A streaming history grows: wait for it. A complete one has ended: stop there.
      if (this.history.state !== 'streaming') return this.pause();
      return this.scheduleFrame();
    }
    if (this.speed === 'entry') {
      this.entryCreditMs += elapsedMs;
      if (this.entryCreditMs >= ENTRY_INTERVAL_MS) {
        this.entryCreditMs -= ENTRY_INTERVAL_MS;
        this.stepBy(1);
      }
    } else if (elapsedMs > 0) {
      const timeUs = Math.min(this.history.endUs, Math.round(this.moment.timeUs + elapsedMs * 1000 * this.speed));
      this.set({ timeUs, seq: Math.min(this.history.seqAt(timeUs), this.history.length - 1) }, false);
    }
    this.scheduleFrame();
  };

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private set(m: Moment, live: boolean, force = false): void {
    if (!force && m.timeUs === this.moment.timeUs && m.seq === this.moment.seq && live === this.live) return;
    this.moment = m;
    this.live = live;
    this.notify();
  }
}
