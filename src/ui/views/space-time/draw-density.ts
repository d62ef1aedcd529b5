import { inFuture, inPast, type CausalCone } from '../../history/causal';
import { BIN_KINDS, BIN_LOST, BIN_NORMAL, DENSITY_BINS } from '../../history/density-bins';
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

/** Counting stops for the frame after this long and resumes in the next one. */
const SLICE_MS = 3;
/** Arrows counted between looks at the clock. */
const CHUNK = 1024;

/** What an image (finished or being counted) shows. */
interface Spec {
  key: string;
  cone: CausalCone | undefined;
  startUs: number;
  endUs: number;
  width: number;
  lanes: number;
}

interface Job extends Spec {
  lo: number;
  hi: number;
  next: number;
  counts: Uint32Array;
}

let image: HTMLCanvasElement | undefined;
let shown: Spec | undefined;
let job: Job | undefined;

/**
 * The overview when too many arrows are in view to draw one by one: for every lane and pixel
 * column, how many messages that node sent or received there, as a heat strip. Lost messages show
 * red at their sender; with a selection, pixels take the colour of the causal past or future that
 * dominates them.
 *
 * Counting a million arrows takes longer than a frame, so it is sliced: each call counts for at
 * most a few milliseconds and returns false until the image is done, while the last finished image
 * (placed at its own time window) stands in. Scrubbing over an unchanged window reuses the image.
 */
export function drawDensity(ctx: CanvasRenderingContext2D, l: LaneLayout, h: HistoryStore, lo: number, hi: number, cone: CausalCone | undefined): boolean {
  const width = Math.max(1, Math.floor(plotWidth(l)));
  const lanes = Math.max(1, l.lanes);
  const bins = h.messages.density;
  // Without a selection, and with bins no wider than a pixel, the running bins draw the window at
  // once: while a run streams this is every frame, and it costs the same at 1k or 1M messages.
  const fromBins = cone === undefined && bins.binUs * width <= l.endUs - l.startUs;
  const key = fromBins
    ? `${h.runId}/bins/${bins.version}/${bins.binUs}/${l.startUs}/${l.endUs}/${width}/${lanes}`
    : `${h.runId}/${lo}/${hi}/${h.messages.closedCount}/${l.startUs}/${l.endUs}/${width}/${lanes}`;
  let complete = shown !== undefined && shown.key === key && shown.cone === cone;
  if (!complete && fromBins) {
    const spec: Job = { key, cone, startUs: l.startUs, endUs: l.endUs, width, lanes, lo, hi, next: hi, counts: new Uint32Array(width * lanes * CATEGORIES) };
    countBins(spec, h);
    paint(spec);
    shown = spec;
    job = undefined;
    complete = true;
  }
  if (!complete) {
    if (!job || job.key !== key || job.cone !== cone) {
      job = { key, cone, startUs: l.startUs, endUs: l.endUs, width, lanes, lo, hi, next: lo, counts: new Uint32Array(width * lanes * CATEGORIES) };
    }
    if (count(job, h)) {
      paint(job);
      shown = job;
      job = undefined;
      complete = true;
    }
  }
  if (image && shown && shown.lanes === lanes && shown.key.startsWith(`${h.runId}/`)) {
    const band = Math.max(6, l.laneHeightPx * 0.62);
    const x = xOf(l, shown.startUs);
    const w = xOf(l, shown.endUs) - x;
    const smoothing = ctx.imageSmoothingEnabled;
    ctx.imageSmoothingEnabled = false;
    for (let lane = 0; lane < lanes; lane++) ctx.drawImage(image, 0, lane, shown.width, 1, x, yOf(l, lane) - band / 2, w, band);
    ctx.imageSmoothingEnabled = smoothing;
  }
  return complete;
}

/** Fills a job's counts from the running bins: each bin's ends land in the pixel of its middle. */
function countBins(job: Job, h: HistoryStore): void {
  const bins = h.messages.density;
  const { counts, width, lanes, startUs } = job;
  const scale = width / (job.endUs - startUs);
  const first = Math.max(0, Math.floor(startUs / bins.binUs));
  const last = Math.min(DENSITY_BINS - 1, Math.floor(job.endUs / bins.binUs));
  for (let lane = 0; lane < lanes; lane++) {
    const ends = bins.laneCounts(lane);
    if (!ends) continue;
    const row = lane * width;
    for (let b = first; b <= last; b++) {
      const normal = ends[b * BIN_KINDS + BIN_NORMAL]!;
      const lost = ends[b * BIN_KINDS + BIN_LOST]!;
      if (normal === 0 && lost === 0) continue;
      const x = Math.floor(((b + 0.5) * bins.binUs - startUs) * scale);
      if (x < 0 || x >= width) continue;
      const p = (row + x) * CATEGORIES;
      counts[p + NORMAL]! += normal;
      counts[p + LOST]! += lost;
    }
  }
}

/** Counts the job's arrows for one slice; true when every arrow is counted. */
function count(job: Job, h: HistoryStore): boolean {
  const m = h.messages;
  const { counts, width, startUs, cone } = job;
  const scale = width / (job.endUs - startUs);
  const started = performance.now();
  while (job.next < job.hi) {
    const stop = Math.min(job.hi, job.next + CHUNK);
    for (let a = job.next; a < stop; a++) {
      const state = m.state[a]!;
      let category = state === 2 ? LOST : NORMAL;
      if (cone) category = inPast(m, cone, a) ? PAST : inFuture(m, cone, a) ? FUTURE : OTHER;
      const x1 = Math.floor((m.sendTimeUs[a]! - startUs) * scale);
      if (x1 >= 0 && x1 < width) counts[(m.from[a]! * width + x1) * CATEGORIES + category]!++;
      if (state !== 1) continue;
      const x2 = Math.floor((m.endTimeUs[a]! - startUs) * scale);
      if (x2 >= 0 && x2 < width) counts[(m.to[a]! * width + x2) * CATEGORIES + (category === LOST ? NORMAL : category)]!++;
    }
    job.next = stop;
    if (performance.now() - started > SLICE_MS) break;
  }
  return job.next >= job.hi;
}

/** Turns the counts into one pixel per lane and column: colour by category, brightness by count. */
function paint(job: Job): void {
  const { counts, width, lanes } = job;
  const pixels = width * lanes;
  const totals = new Uint32Array(pixels);
  let max = 1;
  for (let p = 0, c = 0; p < pixels; p++, c += CATEGORIES) {
    const total = counts[c]! + counts[c + 1]! + counts[c + 2]! + counts[c + 3]! + counts[c + 4]!;
    totals[p] = total;
    if (total > max) max = total;
  }
  image ??= document.createElement('canvas');
  if (image.width !== width || image.height !== lanes) {
    image.width = width;
    image.height = lanes;
  }
  const ictx = image.getContext('2d')!;
  const img = ictx.createImageData(width, lanes);
  const data = img.data;
  const logMax = Math.log1p(max);
  for (let p = 0; p < pixels; p++) {
    const total = totals[p]!;
    if (total === 0) continue;
    const c = p * CATEGORIES;
    let best = 0;
    // A lost message is rare and important: it wins its pixel outright.
    if (counts[c + LOST]! > 0) best = LOST;
    else for (let k = 1; k < CATEGORIES; k++) if (counts[c + k]! > counts[c + best]!) best = k;
    const rgb = RGB[best]!;
    const o = p * 4;
    data[o] = rgb[0];
    data[o + 1] = rgb[1];
    data[o + 2] = rgb[2];
    data[o + 3] = Math.round(255 * (0.35 + (0.65 * Math.log1p(total)) / logMax));
  }
  ictx.putImageData(img, 0, 0);
}
