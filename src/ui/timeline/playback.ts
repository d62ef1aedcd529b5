/**
 * Playback speeds: how much simulated time passes per second of wall time, or `'entry'`, one
 * history entry at a time at a pace a lecturer can talk over.
 */
export type PlaybackSpeed = 0.1 | 0.25 | 1 | 4 | 16 | 'entry';

export const PLAYBACK_SPEEDS: readonly { value: PlaybackSpeed; label: string }[] = [
  { value: 'entry', label: 'Entry by entry' },
  { value: 0.1, label: '0.1×' },
  { value: 0.25, label: '0.25×' },
  { value: 1, label: '1×' },
  { value: 4, label: '4×' },
  { value: 16, label: '16×' },
];

/** In `'entry'` mode, one entry every this many milliseconds of wall time. */
export const ENTRY_INTERVAL_MS = 400;

/** A frame longer than this (a hidden tab, a long task) counts as this long, so playback never leaps. */
export const FRAME_GAP_MAX_MS = 100;

/** Where playback gets its frames and wall time: the browser's animation frames, or a test's. */
export interface FrameSource {
  request(callback: (nowMs: number) => void): number;
  cancel(handle: number): void;
}

/** Animation frames, backed by a timer where there are none (a hidden tab, Node). */
export const browserFrames: FrameSource = {
  request(callback) {
    if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(callback);
    return setTimeout(() => callback(performance.now()), 16) as unknown as number;
  },
  cancel(handle) {
    if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(handle);
    else clearTimeout(handle);
  },
};

/** Reads a speed from text (a select's value); undefined when it is not one of the speeds. */
export function parseSpeed(text: string): PlaybackSpeed | undefined {
  return PLAYBACK_SPEEDS.find((s) => String(s.value) === text)?.value;
}
