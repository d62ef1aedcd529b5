import type { HistoryStore } from '../../history/history-store';
import { inFuture, inPast, NO_FUTURE, type CausalCone } from '../../history/causal';
import { formatUsShort } from '../../format-time';
import type { Moment } from '../../timeline/moment';
import { arrowSegment } from './arrow-geometry';
import { drawDensity } from './draw-density';
import { timeTicks } from './axis-ticks';
import { nameRoomPx, plotWidth, xOf, yOf, type LaneLayout } from './lane-layout';
import { FONT, FONT_SMALL, PALETTE } from './palette';

/**
 * Arrows drawn one by one at most. Beyond it the diagram shows message density per lane instead:
 * a software-rendered canvas rasterises a few thousand strokes within a frame, not tens of
 * thousands, and at that density single arrows are not readable anyway.
 */
export const ARROWS_DETAIL_MAX = 2_000;
/** Arrowheads only when arrows are sparse enough to tell apart. */
const ARROWHEADS_MAX = 800;

export interface DrawInput {
  ctx: CanvasRenderingContext2D;
  layout: LaneLayout;
  history: HistoryStore;
  moment: Moment;
  cone: CausalCone | undefined;
  selected: number;
  hovered: number;
}

export interface DrawStats {
  /** Message copies that cross the window. */
  inWindow: number;
  /** One arrow per message, or a density overview when there are too many. */
  mode: 'arrows' | 'density';
  /** False while the density image is still being counted: draw again next frame. */
  complete: boolean;
}

/** Draws the whole diagram for one frame. Only the window's arrows are touched. */
export function drawSpaceTime(d: DrawInput): DrawStats {
  const { ctx, layout: l } = d;
  ctx.fillStyle = PALETTE.canvas;
  ctx.fillRect(0, 0, l.widthPx, l.heightPx);
  ctx.save();
  ctx.beginPath();
  ctx.rect(l.gutterPx, 0, plotWidth(l), l.heightPx);
  ctx.clip();
  drawGrid(d);
  drawPartitions(d);
  if (d.cone) drawConeLanes(d, d.cone);
  drawLanes(d);
  const stats = drawArrows(d);
  drawLifeMarks(d);
  drawCursor(d);
  ctx.restore();
  drawTickLabels(d);
  drawLaneNames(d);
  if (d.history.length === 0) drawEmpty(d);
  return stats;
}

function drawGrid({ ctx, layout: l }: DrawInput): void {
  ctx.strokeStyle = PALETTE.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of timeTicks(l.startUs, l.endUs, plotWidth(l))) {
    const x = Math.round(xOf(l, t)) + 0.5;
    ctx.moveTo(x, l.axisPx - 6);
    ctx.lineTo(x, l.heightPx);
  }
  ctx.stroke();
}

/** Tick labels, drawn unclipped and nudged inside the canvas so the first and last stay whole. */
function drawTickLabels({ ctx, layout: l }: DrawInput): void {
  ctx.fillStyle = PALETTE.axisText;
  ctx.font = FONT_SMALL;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  for (const t of timeTicks(l.startUs, l.endUs, plotWidth(l))) {
    const text = formatUsShort(t);
    const half = ctx.measureText(text).width / 2;
    const x = Math.min(Math.max(xOf(l, t), l.gutterPx + half), l.widthPx - half - 2);
    ctx.fillText(text, x, l.axisPx / 2 - 3);
  }
}

function drawEmpty({ ctx, layout: l }: DrawInput): void {
  ctx.fillStyle = PALETTE.axisText;
  ctx.font = FONT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText('Run a scenario: its messages appear here as they stream in.', l.gutterPx + plotWidth(l) / 2, l.axisPx + (l.heightPx - l.axisPx) / 2);
}

function drawPartitions({ ctx, layout: l, history: h }: DrawInput): void {
  const epochs = h.partitions.epochs;
  for (let k = 0; k < epochs.length; k++) {
    const ep = epochs[k]!;
    if (ep.cut.size === 0) continue;
    const endUs = k + 1 < epochs.length ? epochs[k + 1]!.timeUs : h.endUs;
    if (endUs < l.startUs || ep.timeUs > l.endUs) continue;
    const x1 = xOf(l, ep.timeUs);
    const x2 = Math.max(x1 + 2, xOf(l, endUs));
    // Each lane takes the tint of its side in the most recent partition.
    const sides = ep.groups[ep.groups.length - 1] ?? [];
    sides.forEach((side, i) => {
      ctx.fillStyle = PALETTE.sides[i % PALETTE.sides.length]!;
      for (const lane of side) ctx.fillRect(x1, yOf(l, lane) - l.laneHeightPx / 2, x2 - x1, l.laneHeightPx);
    });
    ctx.fillStyle = PALETTE.partitionBar;
    ctx.fillRect(x1, l.axisPx - 5, x2 - x1, 4);
  }
}

function drawConeLanes({ ctx, layout: l, history: h }: DrawInput, cone: CausalCone): void {
  const band = Math.max(6, l.laneHeightPx * 0.35);
  for (let lane = 0; lane < l.lanes; lane++) {
    const y = yOf(l, lane) - band / 2;
    const p = cone.past[lane]!;
    if (p >= 0 && p < h.length) {
      ctx.fillStyle = PALETTE.pastLane;
      const x = xOf(l, h.timeOf(p));
      ctx.fillRect(l.gutterPx, y, x - l.gutterPx, band);
    }
    const f = cone.future[lane]!;
    if (f !== NO_FUTURE && f < h.length) {
      ctx.fillStyle = PALETTE.futureLane;
      const x = xOf(l, h.timeOf(f));
      ctx.fillRect(x, y, l.widthPx - x, band);
    }
  }
}

function drawLanes({ ctx, layout: l, history: h }: DrawInput): void {
  const right = l.widthPx;
  for (let lane = 0; lane < l.lanes; lane++) {
    const y = Math.round(yOf(l, lane)) + 0.5;
    const changes = h.lives.changes[lane] ?? [];
    let fromX = l.gutterPx;
    let life: string = 'up';
    // A crashed stretch is left blank here; drawLifeMarks dashes it in red over the arrows.
    const segment = (toX: number): void => {
      if (toX <= fromX || life === 'crashed') return;
      if (life === 'paused') {
        ctx.fillStyle = PALETTE.pause;
        ctx.fillRect(fromX, y - l.laneHeightPx * 0.3, toX - fromX, l.laneHeightPx * 0.6);
      }
      ctx.strokeStyle = PALETTE.lane;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(fromX, y);
      ctx.lineTo(toX, y);
      ctx.stroke();
    };
    for (const c of changes) {
      const x = xOf(l, c.timeUs);
      segment(Math.min(x, right));
      fromX = Math.max(x, l.gutterPx);
      life = c.life;
    }
    segment(Math.min(xOf(l, h.endUs), right));
  }
}

/**
 * Where nodes were down, drawn over the arrows: a crashed stretch of lane as a red dashed line,
 * and a mark where each node's life changed, so a crash stays visible in the densest window.
 */
function drawLifeMarks({ ctx, layout: l, history: h }: DrawInput): void {
  for (let lane = 0; lane < l.lanes; lane++) {
    const y = Math.round(yOf(l, lane)) + 0.5;
    const changes = h.lives.changes[lane] ?? [];
    ctx.strokeStyle = PALETTE.crash;
    ctx.lineWidth = 3;
    ctx.setLineDash([6, 5]);
    changes.forEach((c, k) => {
      if (c.life !== 'crashed') return;
      const endUs = changes[k + 1]?.timeUs ?? h.endUs;
      if (endUs < l.startUs || c.timeUs > l.endUs) return;
      ctx.beginPath();
      ctx.moveTo(Math.max(xOf(l, c.timeUs), l.gutterPx), y);
      ctx.lineTo(Math.min(xOf(l, endUs), l.widthPx), y);
      ctx.stroke();
    });
    ctx.setLineDash([]);
    ctx.font = FONT;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const c of changes) {
      if (c.timeUs < l.startUs || c.timeUs > l.endUs) continue;
      const x = xOf(l, c.timeUs);
      if (c.life === 'crashed') {
        ctx.strokeStyle = PALETTE.crash;
        ctx.lineWidth = 3;
        cross(ctx, x, y, 7);
      } else if (c.life === 'paused') {
        ctx.fillStyle = PALETTE.pauseMark;
        ctx.fillRect(x - 5, y - 8, 3, 16);
        ctx.fillRect(x + 2, y - 8, 3, 16);
      } else {
        ctx.fillStyle = PALETTE.restart;
        ctx.beginPath();
        ctx.moveTo(x, y - 8);
        ctx.lineTo(x + 7, y + 6);
        ctx.lineTo(x - 7, y + 6);
        ctx.closePath();
        ctx.fill();
      }
    }
  }
}

function drawArrows(d: DrawInput): DrawStats {
  const { ctx, layout: l, history: h, cone } = d;
  const m = h.messages;
  const nowUs = h.endUs;
  const [lo, hi] = m.windowRange(l.startUs, l.endUs, nowUs);
  const inWindow = hi - lo;
  if (inWindow > ARROWS_DETAIL_MAX) {
    const complete = drawDensity(ctx, l, h, lo, hi, cone);
    highlight(d, d.selected, PALETTE.selected, 3.5);
    return { inWindow, mode: 'density', complete };
  }
  const heads = inWindow <= ARROWHEADS_MAX;
  const paths = { normal: new Path2D(), lost: new Path2D(), flight: new Path2D(), past: new Path2D(), future: new Path2D(), dim: new Path2D(), crosses: new Path2D() };
  const headPaths = { normal: new Path2D(), lost: new Path2D(), flight: new Path2D(), past: new Path2D(), future: new Path2D(), dim: new Path2D() };
  const seg = new Float64Array(4);
  for (let a = lo; a < hi; a++) {
    if (m.endOrNow(a, nowUs) < l.startUs) continue;
    arrowSegment(m, l, a, nowUs, seg);
    const state = m.state[a]!;
    let key: keyof typeof headPaths;
    if (cone) key = inPast(m, cone, a) ? 'past' : inFuture(m, cone, a) ? 'future' : 'dim';
    else key = state === 2 ? 'lost' : state === 0 ? 'flight' : 'normal';
    const p = paths[key];
    p.moveTo(seg[0]!, seg[1]!);
    p.lineTo(seg[2]!, seg[3]!);
    if (state === 2) addCross(paths.crosses, seg[2]!, seg[3]!, 5);
    else if (heads) addHead(headPaths[key], seg[0]!, seg[1]!, seg[2]!, seg[3]!);
  }
  const stroke = (p: Path2D, colour: string, width: number, dash: number[] = []): void => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.stroke(p);
  };
  const fill = (p: Path2D, colour: string): void => {
    ctx.fillStyle = colour;
    ctx.fill(p);
  };
  // Thin strokes rasterise faster; sparse arrows get the thicker, easier-to-follow line.
  const width = inWindow > 500 ? 1 : 1.5;
  stroke(paths.dim, PALETTE.messageDim, 1);
  fill(headPaths.dim, PALETTE.messageDim);
  stroke(paths.normal, PALETTE.message, width);
  fill(headPaths.normal, PALETTE.message);
  stroke(paths.flight, PALETTE.inFlight, width, [5, 4]);
  fill(headPaths.flight, PALETTE.inFlight);
  stroke(paths.past, PALETTE.past, 2);
  fill(headPaths.past, PALETTE.past);
  stroke(paths.future, PALETTE.future, 2);
  fill(headPaths.future, PALETTE.future);
  stroke(paths.lost, PALETTE.lost, width);
  stroke(paths.crosses, PALETTE.lost, 2.5);
  ctx.setLineDash([]);
  highlight(d, d.hovered, PALETTE.hover, 3);
  highlight(d, d.selected, PALETTE.selected, 3.5);
  return { inWindow, mode: 'arrows', complete: true };
}

function highlight({ ctx, layout: l, history: h }: DrawInput, a: number, colour: string, width: number): void {
  if (a < 0 || a >= h.messages.count) return;
  const seg = new Float64Array(4);
  arrowSegment(h.messages, l, a, h.endUs, seg);
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(seg[0]!, seg[1]!);
  ctx.lineTo(seg[2]!, seg[3]!);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(seg[0]!, seg[1]!, 4, 0, Math.PI * 2);
  ctx.fill();
  const head = new Path2D();
  addHead(head, seg[0]!, seg[1]!, seg[2]!, seg[3]!, 11);
  ctx.fill(head);
}

function drawCursor({ ctx, layout: l, moment }: DrawInput): void {
  const x = Math.round(xOf(l, moment.timeUs)) + 0.5;
  ctx.strokeStyle = PALETTE.cursor;
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, l.axisPx - 8);
  ctx.lineTo(x, l.heightPx);
  ctx.stroke();
  ctx.fillStyle = PALETTE.cursor;
  ctx.beginPath();
  ctx.moveTo(x - 6, l.axisPx - 12);
  ctx.lineTo(x + 6, l.axisPx - 12);
  ctx.lineTo(x, l.axisPx - 4);
  ctx.closePath();
  ctx.fill();
}

function drawLaneNames({ ctx, layout: l, history: h, moment }: DrawInput): void {
  ctx.fillStyle = PALETTE.canvas;
  ctx.fillRect(0, 0, l.gutterPx, l.heightPx);
  ctx.font = FONT;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const names = h.nodes.names;
  const room = nameRoomPx(l);
  for (let lane = 0; lane < l.lanes; lane++) {
    const up = h.lives.lifeAt(lane, moment.timeUs, moment.seq) === 'up';
    ctx.fillStyle = up ? PALETTE.laneText : PALETTE.laneTextDown;
    ctx.fillText(fitText(ctx, names[lane] ?? '', room), l.gutterPx - 10, yOf(l, lane));
  }
}

/** `text`, or as much of it as fits in `widthPx` followed by an ellipsis. */
function fitText(ctx: CanvasRenderingContext2D, text: string, widthPx: number): string {
  if (ctx.measureText(text).width <= widthPx) return text;
  let n = text.length;
  while (n > 1 && ctx.measureText(`${text.slice(0, n)}…`).width > widthPx) n--;
  return `${text.slice(0, n)}…`;
}

function addHead(p: CanvasPath, x1: number, y1: number, x2: number, y2: number, size = 8): void {
  const angle = Math.atan2(y2 - y1, x2 - x1);
  p.moveTo(x2, y2);
  p.lineTo(x2 - size * Math.cos(angle - 0.4), y2 - size * Math.sin(angle - 0.4));
  p.lineTo(x2 - size * Math.cos(angle + 0.4), y2 - size * Math.sin(angle + 0.4));
  p.closePath();
}

function addCross(p: CanvasPath, x: number, y: number, r: number): void {
  p.moveTo(x - r, y - r);
  p.lineTo(x + r, y + r);
  p.moveTo(x + r, y - r);
  p.lineTo(x - r, y + r);
}

function cross(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.beginPath();
  addCross(ctx, x, y, r);
  ctx.stroke();
}
