/**
 * Colours of the diagram, chosen for a dark background and a projector: every stroke is at least
 * 3:1 against the canvas, and past/future/lost differ in hue and in lightness so they survive
 * colour-blindness and washed-out beamers.
 */
export const PALETTE = {
  canvas: '#111820',
  axisText: '#cfd8e3',
  grid: '#26323e',
  lane: '#71859a',
  laneText: '#e8edf2',
  laneTextDown: '#8b98a5',
  message: '#6cb6ff',
  messageDim: 'rgba(120, 140, 160, 0.28)',
  lost: '#ff7b72',
  inFlight: '#ffd166',
  past: '#56d4ff',
  future: '#ffa94d',
  pastLane: 'rgba(86, 212, 255, 0.22)',
  futureLane: 'rgba(255, 169, 77, 0.22)',
  crash: '#ff7b72',
  restart: '#7ee787',
  pause: 'rgba(255, 209, 102, 0.28)',
  pauseMark: '#ffd166',
  cursor: '#ffd166',
  selected: '#ffffff',
  hover: '#ffe08a',
  /** Tints for the sides of a partition. */
  sides: ['rgba(179, 136, 255, 0.20)', 'rgba(255, 158, 100, 0.20)', 'rgba(126, 231, 135, 0.18)', 'rgba(255, 123, 114, 0.18)'],
  partitionBar: '#b388ff',
} as const;

export const FONT = '15px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const FONT_SMALL = '14px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
