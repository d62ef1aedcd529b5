/** Tick marks for a time axis: a 1-2-5 step that leaves about `pxPerTick` pixels between labels. */
export function timeTicks(startUs: number, endUs: number, widthPx: number, pxPerTick = 120): number[] {
  const span = endUs - startUs;
  if (!(span > 0) || widthPx <= 0) return [];
  const raw = span / Math.max(1, widthPx / pxPerTick);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: number[] = [];
  for (let t = Math.ceil(startUs / step) * step; t <= endUs && out.length < 200; t += step) out.push(t);
  return out;
}
