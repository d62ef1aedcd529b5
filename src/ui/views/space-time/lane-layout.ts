/** Pixel geometry of the diagram: a gutter for lane names, an axis on top, one lane per node. */
export interface LaneLayout {
  widthPx: number;
  heightPx: number;
  gutterPx: number;
  axisPx: number;
  laneHeightPx: number;
  lanes: number;
  startUs: number;
  endUs: number;
}

/** The narrowest gutter; it widens to fit the longest lane name, up to a quarter of the canvas. */
const GUTTER_MIN_PX = 76;
const GUTTER_PAD_PX = 22;
const AXIS_PX = 34;
const BOTTOM_PX = 12;
const RIGHT_PX = 14;

/** Lanes get shorter as nodes multiply, so twenty nodes still fit one projector screen. */
export function laneHeightFor(lanes: number): number {
  if (lanes <= 6) return 46;
  if (lanes <= 12) return 34;
  return 26;
}

/**
 * The gutter that shows every lane name whole (`controller`, `payments-1`): the widest name plus
 * padding, never narrower than the default nor wider than a quarter of the canvas (a longer name
 * is shortened with an ellipsis when drawn).
 */
export function gutterFor(widthPx: number, nameWidthsPx: readonly number[]): number {
  const widest = Math.max(0, ...nameWidthsPx);
  return Math.round(Math.min(Math.max(GUTTER_MIN_PX, widest + GUTTER_PAD_PX), Math.max(GUTTER_MIN_PX, widthPx / 4)));
}

/** The room a lane name has in a gutter, between the canvas edge and the lane. */
export function nameRoomPx(l: LaneLayout): number {
  return l.gutterPx - GUTTER_PAD_PX + 6;
}

export function makeLayout(widthPx: number, lanes: number, startUs: number, endUs: number, gutterPx = GUTTER_MIN_PX): LaneLayout {
  const laneHeightPx = laneHeightFor(lanes);
  return {
    widthPx,
    heightPx: AXIS_PX + Math.max(1, lanes) * laneHeightPx + BOTTOM_PX,
    gutterPx,
    axisPx: AXIS_PX,
    laneHeightPx,
    lanes,
    startUs,
    endUs,
  };
}

export function plotWidth(l: LaneLayout): number {
  return Math.max(1, l.widthPx - l.gutterPx - RIGHT_PX);
}

export function xOf(l: LaneLayout, timeUs: number): number {
  return l.gutterPx + ((timeUs - l.startUs) / (l.endUs - l.startUs)) * plotWidth(l);
}

export function timeAt(l: LaneLayout, x: number): number {
  return l.startUs + ((x - l.gutterPx) / plotWidth(l)) * (l.endUs - l.startUs);
}

export function yOf(l: LaneLayout, lane: number): number {
  return l.axisPx + (lane + 0.5) * l.laneHeightPx;
}

/** The lane under a y coordinate, or -1 outside the lanes. */
export function laneAt(l: LaneLayout, y: number): number {
  const lane = Math.floor((y - l.axisPx) / l.laneHeightPx);
  return lane >= 0 && lane < l.lanes ? lane : -1;
}
