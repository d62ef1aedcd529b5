/** Positions for n nodes evenly on a circle, the first at twelve o'clock, going clockwise. */
export function circleLayout(n: number, cx: number, cy: number, r: number): { x: number; y: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
    return { x: cx + r * Math.cos(angle), y: cy + r * Math.sin(angle) };
  });
}
