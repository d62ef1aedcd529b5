import { inFuture, inPast, type CausalCone } from '../../history/causal';
import type { HistoryStore } from '../../history/history-store';
import { plotWidth, xOf, yOf, type LaneLayout } from './lane-layout';

/** Categories a pixel can show; the most frequent one in a pixel wins its colour. */
const NORMAL = 0;
const LOST = 1;
const PAST = 2;
const FUTURE = 3;
const OTHER = 4;
const CATEGORIES = 5;
const RGB: readonly (readonly [number, number, number])[] = [
  [108, 182, 255],
  [255, 123, 114],
  [86, 212, 255],
  [255, 169, 77],
  [120, 140, 160],
];

let scratch: HTMLCanvasElement | undefined;
/** What the scratch image shows, so scrubbing the timeline over an unchanged window reuses it. */
let scratchKey = '';
let scratchCone: CausalCone | undefined;

/**
 * The overview when too many arrows are in view to draw one by one: for every lane and pixel
 * column, how many messages that node sent or received there, as a heat strip. It costs one pass
 * over the window's arrows and one image, however many there are, so a zoomed-out 100k-message
 * run draws as fast as a short one. Lost messages show red at their sender; with a selection,
 * pixels take the colour of the causal past or future that dominates them.
 */
export function drawDensity(ctx: CanvasRenderingContext2D, l: LaneLayout, h: HistoryStore, lo: number, hi: number, cone: CausalCone | undefined): void {
  const width = Math.max(1, Math.floor(plotWidth(l)));
  const lanes = Math.max(1, l.lanes);
  const key = `${h.runId}/${lo}/${hi}/${h.messages.closedCount}/${l.startUs}/${l.endUs}/${width}/${lanes}`;
  if (key !== scratchKey || cone !== scratchCone || !scratch) {
    renderDensity(l, h, lo, hi, cone, width, lanes);
    scratchKey = key;
    scratchCone = cone;
  }
  const band = Math.max(6, l.laneHeightPx * 0.62);
  const smoothing = ctx.imageSmoothingEnabled;
  ctx.imageSmoothingEnabled = false;
  for (let lane = 0; lane < l.lanes; lane++) ctx.drawImage(scratch!, 0, lane, width, 1, xOf(l, l.startUs), yOf(l, lane) - band / 2, width, band);
  ctx.imageSmoothingEnabled = smoothing;
}

/** Counts the window's messages per lane and pixel column into the scratch image. */
function renderDensity(l: LaneLayout, h: HistoryStore, lo: number, hi: number, cone: CausalCone | undefined, width: number, lanes: number): void {
  const counts = new Uint32Array(width * lanes * CATEGORIES);
  const m = h.messages;
  const scale = width / (l.endUs - l.startUs);
  const bump = (lane: number, timeUs: number, category: number): void => {
    const x = Math.floor((timeUs - l.startUs) * scale);
    if (x >= 0 && x < width) counts[(lane * width + x) * CATEGORIES + category]!++;
  };
  for (let a = lo; a < hi; a++) {
    const state = m.state[a]!;
    let category = state === 2 ? LOST : NORMAL;
    if (cone) category = inPast(m, cone, a) ? PAST : inFuture(m, cone, a) ? FUTURE : OTHER;
    bump(m.from[a]!, m.sendTimeUs[a]!, category);
    if (state === 1) bump(m.to[a]!, m.endTimeUs[a]!, category === LOST ? NORMAL : category);
  }
  let max = 1;
  for (let p = 0; p < width * lanes; p++) {
    let total = 0;
    for (let c = 0; c < CATEGORIES; c++) total += counts[p * CATEGORIES + c]!;
    if (total > max) max = total;
  }
  scratch ??= document.createElement('canvas');
  if (scratch.width !== width || scratch.height !== lanes) {
    scratch.width = width;
    scratch.height = lanes;
  }
  const sctx = scratch.getContext('2d')!;
  const img = sctx.createImageData(width, lanes);
  const logMax = Math.log1p(max);
  for (let p = 0; p < width * lanes; p++) {
    let total = 0;
    let best = 0;
    for (let c = 0; c < CATEGORIES; c++) {
      const n = counts[p * CATEGORIES + c]!;
      total += n;
      // A lost message is rare and important: it wins its pixel outright.
      if (n > counts[p * CATEGORIES + best]! || (c === LOST && n > 0)) best = c;
      if (c === LOST && n > 0) break;
    }
    if (total === 0) continue;
    const [r, g, b] = RGB[best]!;
    const o = p * 4;
    img.data[o] = r;
    img.data[o + 1] = g;
    img.data[o + 2] = b;
    img.data[o + 3] = Math.round(255 * (0.35 + (0.65 * Math.log1p(total)) / logMax));
  }
  sctx.putImageData(img, 0, 0);
}
