/**
 * Timeline playback (issue #7): the shared moment moves by itself at a speed in simulated time per
 * wall second, or entry by entry; it stops at the end of a complete run, waits at the end of a
 * streaming one, and the controls a person uses while it plays do what a video player's do.
 * Frames come from a fake frame source, so wall time is whatever the test says.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../src/sim/history';
import { HistoryStore } from '../../../src/ui/history/history-store';
import { ENTRY_INTERVAL_MS, parseSpeed, PLAYBACK_SPEEDS, type FrameSource } from '../../../src/ui/timeline/playback';
import { TimelineStore } from '../../../src/ui/timeline/timeline-store';

/** Frames on demand: `advance(ms)` moves wall time and runs the frame that was asked for. */
function fakeFrames() {
  let nowMs = 1000;
  let pending: ((t: number) => void) | undefined;
  let next = 1;
  const source: FrameSource = {
    request(cb) {
      pending = cb;
      return next++;
    },
    cancel() {
      pending = undefined;
    },
  };
  return {
    source,
    /** Runs frames every `stepMs` for `totalMs` of wall time. */
    advance(totalMs: number, stepMs = 16) {
      for (let t = 0; t < totalMs; t += stepMs) {
        nowMs += Math.min(stepMs, totalMs - t);
        const cb = pending;
        pending = undefined;
        cb?.(nowMs);
      }
    },
    get waiting() {
      return pending !== undefined;
    },
  };
}

/** A history of `n` entries, one every `everyUs` from time 0. */
function entries(n: number, everyUs: number, from = 0): HistoryEntry[] {
  return Array.from({ length: n }, (_, i) => ({ seq: from + i, timeUs: (from + i) * everyUs, kind: 'log', node: 'a', data: { level: 'log', text: `#${from + i}` } }));
}

function setup(n = 101, everyUs = 100_000) {
  const history = new HistoryStore();
  const frames = fakeFrames();
  const timeline = new TimelineStore(history, frames.source);
  history.begin(['a']);
  history.append(entries(n, everyUs));
  history.complete();
  return { history, frames, timeline };
}

describe('timeline playback', () => {
  it('plays from the start when the moment is at the end, at 1× one simulated second per wall second', () => {
    const { timeline, frames } = setup();
    expect(timeline.moment.seq).toBe(100); // a finished run shows its end
    timeline.play();
    expect(timeline.playing).toBe(true);
    expect(timeline.moment).toEqual({ timeUs: 0, seq: -1 });
    frames.advance(16); // the first frame only starts the clock
    frames.advance(1000);
    expect(timeline.moment.timeUs).toBeCloseTo(1_000_000, -3);
    // The moment is exact: the last entry at or before that time.
    expect(timeline.moment.seq).toBe(Math.floor(timeline.moment.timeUs / 100_000));
    expect(timeline.live).toBe(false);
  });

  it('moves speed × wall time, and a long gap between frames counts as one short frame', () => {
    const { timeline, frames } = setup(1001);
    timeline.toStart();
    timeline.setSpeed(16);
    timeline.play();
    frames.advance(16);
    frames.advance(500);
    expect(timeline.moment.timeUs).toBeCloseTo(8_000_000, -3);
    timeline.setSpeed(0.25);
    frames.advance(400);
    expect(timeline.moment.timeUs).toBeCloseTo(8_100_000, -3);
    // A hidden tab sends no frames for 10 s; playback does not leap.
    const before = timeline.moment.timeUs;
    frames.advance(10_000, 10_000);
    expect(timeline.moment.timeUs - before).toBeLessThanOrEqual(100 * 1000 * 0.25);
  });

  it('entry by entry moves one entry per interval, whatever the time between entries', () => {
    const { timeline, frames } = setup(10, 5_000_000);
    timeline.toStart();
    timeline.setSpeed('entry');
    timeline.play();
    frames.advance(16);
    frames.advance(ENTRY_INTERVAL_MS * 3 + 20);
    expect(timeline.moment.seq).toBe(2);
    expect(timeline.moment.timeUs).toBe(10_000_000);
  });

  it('pauses at the end of a complete run', () => {
    const { timeline, frames, history } = setup(11);
    timeline.toStart();
    timeline.setSpeed(4);
    timeline.play();
    frames.advance(16);
    frames.advance(2000);
    expect(timeline.playing).toBe(false);
    expect(timeline.moment).toEqual({ timeUs: history.endUs, seq: 10 });
    expect(frames.waiting).toBe(false);
  });

  it('waits at the end of a run that is still streaming, and goes on when entries arrive', () => {
    const history = new HistoryStore();
    const frames = fakeFrames();
    const timeline = new TimelineStore(history, frames.source);
    history.begin(['a']);
    history.append(entries(5, 100_000));
    timeline.setSpeed(4);
    timeline.jumpTo({ timeUs: 0, seq: 0 });
    timeline.play();
    frames.advance(16);
    frames.advance(1000);
    expect(timeline.playing).toBe(true);
    expect(timeline.moment.seq).toBe(4);
    history.append(entries(5, 100_000, 5));
    frames.advance(300);
    expect(timeline.moment.seq).toBe(9);
    history.complete();
    frames.advance(100);
    expect(timeline.playing).toBe(false);
  });

  it('stepping and going to the end pause it; a jump plays on from there; a new run stops it', () => {
    const { timeline, frames, history } = setup();
    timeline.play();
    frames.advance(16);
    timeline.step(1);
    expect(timeline.playing).toBe(false);
    expect(timeline.moment.seq).toBe(0);
    timeline.togglePlay();
    expect(timeline.playing).toBe(true);
    timeline.jumpTo({ timeUs: 5_000_000 });
    frames.advance(16);
    frames.advance(200);
    expect(timeline.playing).toBe(true);
    expect(timeline.moment.timeUs).toBeGreaterThan(5_000_000);
    timeline.toEnd();
    expect(timeline.playing).toBe(false);
    expect(timeline.live).toBe(true);
    timeline.togglePlay();
    expect(timeline.playing).toBe(true);
    history.begin(['a']);
    expect(timeline.playing).toBe(false);
    expect(frames.waiting).toBe(false);
  });

  it('tells its listeners when it starts, pauses and changes speed', () => {
    const { timeline } = setup();
    let calls = 0;
    timeline.subscribe(() => calls++);
    timeline.play();
    timeline.setSpeed(0.1);
    timeline.pause();
    expect(calls).toBe(3);
  });

  it('offers the speeds of the issue, and reads them back from a select', () => {
    expect(PLAYBACK_SPEEDS.map((s) => s.label)).toEqual(['Entry by entry', '0.1×', '0.25×', '1×', '4×', '16×']);
    for (const s of PLAYBACK_SPEEDS) expect(parseSpeed(String(s.value))).toBe(s.value);
    expect(parseSpeed('3')).toBeUndefined();
  });
});
