/**
 * The visible slice of simulated time. `fit` follows the whole history as it grows; zooming or
 * panning pins a window. Every function returns a new window, so React state stays plain.
 */
export type ViewWindow = { mode: 'fit' } | { mode: 'pinned'; startUs: number; endUs: number };

export const FIT: ViewWindow = { mode: 'fit' };
/** Narrower than this and adjacent entries are hundreds of pixels apart: nothing left to see. */
const SPAN_US_MIN = 20;

export function resolveWindow(w: ViewWindow, historyEndUs: number): { startUs: number; endUs: number } {
  if (w.mode === 'pinned') return { startUs: w.startUs, endUs: w.endUs };
  return { startUs: 0, endUs: Math.max(historyEndUs, 1_000) };
}

/** Zooms by `factor` (< 1 zooms in) keeping `anchorUs` under the same pixel. */
export function zoom(w: ViewWindow, historyEndUs: number, factor: number, anchorUs: number): ViewWindow {
  const { startUs, endUs } = resolveWindow(w, historyEndUs);
  const span = Math.max(SPAN_US_MIN, (endUs - startUs) * factor);
  const fullUs = Math.max(historyEndUs, 1_000);
  if (span >= fullUs) return FIT;
  const left = anchorUs - (anchorUs - startUs) * (span / (endUs - startUs));
  return clampWindow(left, span, fullUs);
}

/** Moves the window by `deltaUs` of simulated time. */
export function pan(w: ViewWindow, historyEndUs: number, deltaUs: number): ViewWindow {
  const { startUs, endUs } = resolveWindow(w, historyEndUs);
  const fullUs = Math.max(historyEndUs, 1_000);
  if (w.mode === 'fit') return w;
  return clampWindow(startUs + deltaUs, endUs - startUs, fullUs);
}

/** Shifts a pinned window so `timeUs` is inside it (centred), leaving `fit` alone. */
export function reveal(w: ViewWindow, historyEndUs: number, timeUs: number): ViewWindow {
  if (w.mode === 'fit' || (timeUs >= w.startUs && timeUs <= w.endUs)) return w;
  const span = w.endUs - w.startUs;
  return clampWindow(timeUs - span / 2, span, Math.max(historyEndUs, 1_000));
}

function clampWindow(startUs: number, spanUs: number, fullUs: number): ViewWindow {
  const start = Math.min(Math.max(0, startUs), Math.max(0, fullUs - spanUs));
  return { mode: 'pinned', startUs: start, endUs: start + spanUs };
}
